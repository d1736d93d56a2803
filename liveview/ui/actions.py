"""Menus and keyboard shortcuts for everything the window can do."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from liveview.ui.main_window import QtMainWindow


def _shortcut_table(window: QtMainWindow) -> list[tuple[str, str, str, Callable[[], object]]]:
    """(menu, label, shortcut, handler)."""
    c = window.controls
    return [
        ("&Session", "&Start / stop session", "Ctrl+Return", window.toggle_session),
        ("&Session", "&Mute / unmute microphone", "Ctrl+M", c.mic_button.toggle),
        ("&Session", "&Pause / resume video", "Ctrl+P", c.pause_button.toggle),
        ("&Session", "Send a sharp s&napshot now", "Ctrl+Shift+S", window.send_snapshot),
        ("&Session", "Se&ttings…", "Ctrl+,", window.open_settings),
        ("&Session", "&Quit", "Ctrl+Q", window.close),
        ("&Source", "&Test pattern", "Ctrl+T", lambda: window.sources.choose("test")),
        ("&Source", "&Primary screen", "Ctrl+1", lambda: window.sources.choose("screen:1")),
        ("&Source", "Screen &region…", "Ctrl+R", lambda: _region(window)),
        ("&Source", "&No video", "Ctrl+0", lambda: window.sources.choose("none")),
        ("&Source", "Choose &source list", "Ctrl+K", window.sources.setFocus),
        ("&Conversation", "&Type a message", "Ctrl+L", window.conversation.input.setFocus),
        (
            "&Conversation",
            "&Copy as Markdown",
            "Ctrl+Shift+C",
            window.conversation.copy_to_clipboard,
        ),
        (
            "&Conversation",
            "&Export Markdown + JSON…",
            "Ctrl+E",
            window.conversation._on_export_clicked,
        ),
        ("&View", "Protocol &inspector", "F12", lambda: _toggle(window.inspector)),
        ("&Help", "&Keyboard shortcuts", "F1", lambda: _show_shortcuts(window)),
    ]


def _region(window: QtMainWindow) -> None:
    if window.sources.monitors:
        primary = next(
            (m for m in window.sources.monitors if m.is_primary), window.sources.monitors[0]
        )
        window.sources.region_wanted.emit(primary)


def _toggle(widget: object) -> None:
    widget.setVisible(not widget.isVisible())  # type: ignore[attr-defined]


def shortcuts_text(window: QtMainWindow) -> str:
    rows = [
        f"{shortcut:<14} {label.replace('&', '')}"
        for _, label, shortcut, _ in _shortcut_table(window)
    ]
    rows.append(f"{window.model.prefs.ptt_key:<14} Push-to-talk (hold; when enabled in settings)")
    rows.append(f"{'Enter':<14} Send the typed message")
    return "\n".join(rows)


def _show_shortcuts(window: QtMainWindow) -> None:
    box = QMessageBox(window)
    box.setWindowTitle("Keyboard shortcuts")
    box.setText(f"<pre>{shortcuts_text(window)}</pre>")
    box.open()


def install_actions(window: QtMainWindow) -> dict[str, QAction]:
    menus: dict[str, object] = {}
    actions: dict[str, QAction] = {}
    for menu_name, label, shortcut, handler in _shortcut_table(window):
        menu = menus.get(menu_name)
        if menu is None:
            menu = menus[menu_name] = window.menuBar().addMenu(menu_name)
        action = QAction(label, window)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False, h=handler: h())
        menu.addAction(action)  # type: ignore[attr-defined]
        actions[label.replace("&", "")] = action
    inspector_action = actions["Protocol inspector"]
    inspector_action.setCheckable(True)
    window.inspector.visibilityChanged.connect(inspector_action.setChecked)
    return actions
