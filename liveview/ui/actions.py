"""Menus and keyboard shortcuts for everything the window can do, as data.

ACTIONS names each command of `WindowCommands`; `install_actions` only renders the table, so
this module knows the window by the protocol alone (no import of the main window).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget


class WindowCommands(Protocol):
    """What the menus and shortcuts can ask of the window."""

    def toggle_session(self) -> None: ...
    def toggle_mic(self) -> None: ...
    def toggle_pause(self) -> None: ...
    def send_snapshot(self) -> None: ...
    def open_settings(self) -> object: ...
    def quit(self) -> None: ...
    def choose_source(self, spec: str) -> None: ...
    def pick_region(self) -> None: ...
    def edit_privacy_masks(self) -> None: ...
    def focus_sources(self) -> None: ...
    def focus_message(self) -> None: ...
    def copy_conversation(self) -> None: ...
    def export_conversation(self) -> None: ...
    def toggle_history(self) -> None: ...
    def toggle_inspector(self) -> None: ...
    def toggle_overlay(self) -> None: ...
    def show_cost(self) -> None: ...
    def show_shortcuts(self) -> None: ...


@dataclass(frozen=True)
class ActionSpec:
    menu: str
    label: str
    shortcut: str
    command: str  # a method of WindowCommands
    argument: str | None = None  # passed to it (a source spec)


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("&Session", "&Start / stop session", "Ctrl+Return", "toggle_session"),
    ActionSpec("&Session", "&Mute / unmute microphone", "Ctrl+M", "toggle_mic"),
    ActionSpec("&Session", "&Pause / resume video", "Ctrl+P", "toggle_pause"),
    ActionSpec("&Session", "Send a sharp s&napshot now", "Ctrl+Shift+S", "send_snapshot"),
    ActionSpec("&Session", "Se&ttings…", "Ctrl+,", "open_settings"),
    ActionSpec("&Session", "&Quit", "Ctrl+Q", "quit"),
    ActionSpec("&Source", "&Test pattern", "Ctrl+T", "choose_source", "test"),
    ActionSpec("&Source", "&Primary screen", "Ctrl+1", "choose_source", "screen:1"),
    ActionSpec("&Source", "Screen &region…", "Ctrl+R", "pick_region"),
    ActionSpec("&Source", "&No video", "Ctrl+0", "choose_source", "none"),
    ActionSpec("&Source", "Privacy &masks…", "Ctrl+Shift+M", "edit_privacy_masks"),
    ActionSpec("&Source", "Choose &source list", "Ctrl+K", "focus_sources"),
    ActionSpec("&Conversation", "&Type a message", "Ctrl+L", "focus_message"),
    ActionSpec("&Conversation", "&Copy as Markdown", "Ctrl+Shift+C", "copy_conversation"),
    ActionSpec("&Conversation", "&Export Markdown + JSON…", "Ctrl+E", "export_conversation"),
    ActionSpec("&Conversation", "&History…", "Ctrl+H", "toggle_history"),
    ActionSpec("&View", "Protocol &inspector", "F12", "toggle_inspector"),
    ActionSpec("&View", "Compact &overlay", "Ctrl+Shift+O", "toggle_overlay"),
    ActionSpec("&View", "Session &cost…", "Ctrl+Shift+D", "show_cost"),
    ActionSpec("&Help", "&Keyboard shortcuts", "F1", "show_shortcuts"),
)


def _handler(commands: WindowCommands, spec: ActionSpec) -> Callable[[], object]:
    method = getattr(commands, spec.command)
    return (lambda: method(spec.argument)) if spec.argument is not None else method


GlobalRow = tuple[str, str, str]  # key, what it does, "" or why it does not work


def shortcuts_text(push_to_talk_key: str, global_keys: Sequence[GlobalRow] = ()) -> str:
    rows = [f"{a.shortcut:<14} {a.label.replace('&', '')}" for a in ACTIONS]
    rows.append(f"{push_to_talk_key:<14} Push-to-talk (hold; when enabled in settings)")
    rows.append(f"{'Enter':<14} Send the typed message")
    if global_keys:
        rows += ["", "Global hotkeys (work in every application; change them in Settings):"]
        for key, description, problem in global_keys:
            rows.append(f"{key:<14} {description}")
            if problem:
                rows.append(f"{'':<14}   ✗ not working: {problem}")
    return "\n".join(rows)


def show_shortcuts(
    parent: QWidget, push_to_talk_key: str, global_keys: Sequence[GlobalRow] = ()
) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("shortcuts")
    box.setWindowTitle("Keyboard shortcuts")
    box.setText(f"<pre>{html.escape(shortcuts_text(push_to_talk_key, global_keys))}</pre>")
    box.open()
    return box


def install_actions(window: QMainWindow, commands: WindowCommands) -> dict[str, QAction]:
    """The menus of `window`, each entry wired to its command; by label (without &)."""
    menus: dict[str, object] = {}
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        menu = menus.get(spec.menu)
        if menu is None:
            menu = menus[spec.menu] = window.menuBar().addMenu(spec.menu)
        action = QAction(spec.label, window)
        action.setShortcut(QKeySequence(spec.shortcut))
        handler = _handler(commands, spec)
        action.triggered.connect(lambda _=False, h=handler: h())
        menu.addAction(action)  # type: ignore[attr-defined]
        actions[spec.label.replace("&", "")] = action
    return actions
