"""The window's global hotkeys: desktop.hotkeys bound to the window's commands.

Keys work while another application has the focus (XGrabKey, RegisterHotKey, the macOS event
tap or the Wayland portal: desktop/hotkeys.py). Registering waits for the window system, so it
runs on a worker thread; presses arrive on the loop thread. Every key that cannot be had is kept
in `results` with the reason, which Settings and F1 show: never silently.

The talk key is tap/hold (desktop.hotkeys.TapHoldSwitch): hold = talk while held, tap = on
until the next tap. With push-to-talk it drives activityStart/activityEnd; otherwise it opens
and closes the microphone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from PySide6.QtCore import QObject, Signal

from liveview.desktop.hotkey_platform import open_backend
from liveview.desktop.hotkeys import (
    ACTION_DESCRIPTIONS,
    GlobalHotkeys,
    GrabResult,
    HotkeyAction,
    TalkEvent,
    TapHoldSwitch,
)

log = logging.getLogger(__name__)

Opener = Callable[[asyncio.AbstractEventLoop], GlobalHotkeys]


class HotkeyCommands(Protocol):
    """What the global hotkeys ask of the window."""

    def quick_ask(self) -> None: ...
    def talk(self, on: bool) -> None: ...
    def talking_already(self) -> bool: ...
    def send_snapshot(self) -> None: ...
    def toggle_pause(self) -> None: ...
    def toggle_visible(self) -> None: ...


def _open(loop: asyncio.AbstractEventLoop) -> GlobalHotkeys:
    return GlobalHotkeys(open_backend(), loop)


class QtGlobalHotkeys(QObject):
    """`apply(bindings)` (re)grabs the keys; `results` says how each went; `changed` fires
    after each apply."""

    changed = Signal()

    def __init__(
        self,
        commands: HotkeyCommands,
        *,
        opener: Opener = _open,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._commands = commands
        self._opener = opener
        self._hotkeys: GlobalHotkeys | None = None
        self._lock = asyncio.Lock()
        self.switch = TapHoldSwitch(clock)
        self.results: dict[HotkeyAction, GrabResult] = {}
        self.bindings: dict[HotkeyAction, str] = {}

    @property
    def backend_name(self) -> str:
        return self._hotkeys.backend_name if self._hotkeys is not None else ""

    async def apply(self, bindings: Mapping[HotkeyAction, str]) -> dict[HotkeyAction, GrabResult]:
        """Release the keys held now and grab `bindings` ("" = unbound)."""
        async with self._lock:
            loop = asyncio.get_running_loop()
            if self._hotkeys is None:
                # Opening connects to the window system (or D-Bus): a thread.
                self._hotkeys = await asyncio.to_thread(self._opener, loop)
            hotkeys = self._hotkeys
            wanted = {a: t.strip() for a, t in bindings.items() if t.strip()}
            for result in self.results.values():
                if result.ok:
                    await asyncio.to_thread(hotkeys.unregister, result.binding)
            self.results = await asyncio.to_thread(
                hotkeys.register_actions, wanted, self._handlers()
            )
            self.bindings = dict(wanted)
        for action, result in self.results.items():
            if not result.ok:
                log.warning("hotkey %s (%s): %s", result.binding, action.value, result.message)
        self.changed.emit()
        return self.results

    def _handlers(self) -> dict[HotkeyAction, tuple[Callable[[], None], Callable[[], None] | None]]:
        c = self._commands
        return {
            HotkeyAction.QUICK_ASK: (c.quick_ask, None),
            HotkeyAction.TALK: (self._on_talk_press, self._on_talk_release),
            HotkeyAction.SNAPSHOT: (c.send_snapshot, None),
            HotkeyAction.PAUSE_VIDEO: (c.toggle_pause, None),
            HotkeyAction.SHOW_HIDE: (c.toggle_visible, None),
        }

    def _on_talk_press(self) -> None:
        if not self.switch.talking and self._commands.talking_already():
            # The microphone is already open (the window's button): this press closes it.
            self.switch.latch()
        self._deliver(self.switch.press())

    def _on_talk_release(self) -> None:
        self._deliver(self.switch.release())

    def _deliver(self, events: list[TalkEvent]) -> None:
        for event in events:
            self._commands.talk(event is TalkEvent.START)

    def problems(self) -> dict[HotkeyAction, str]:
        """Each action whose key could not be had, with the reason."""
        return {a: r.message or r.status.value for a, r in self.results.items() if not r.ok}

    def listing(self) -> list[tuple[str, str, str]]:
        """(key, what it does, "" or why it does not work) per action, for F1."""
        rows = []
        for action, description in ACTION_DESCRIPTIONS.items():
            key = self.bindings.get(action, "")
            result = self.results.get(action)
            problem = "" if result is None or result.ok else (result.message or "not available")
            rows.append((key or "(none)", description, problem))
        return rows

    def close(self) -> None:
        """Release every key at once (another application may want them)."""
        if self._hotkeys is not None:
            self._hotkeys.close()
            self._hotkeys = None
        self.results = {}
