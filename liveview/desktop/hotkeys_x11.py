"""X11 global hotkeys: XGrabKey on the root window through python-xlib (see hotkeys.py for why).

X11 facts this file honours:
- A passive grab matches the modifier state exactly, and NumLock, CapsLock and ScrollLock are
  modifiers too: Ctrl+Alt+T with NumLock on is a different combination. Each binding is grabbed
  once per combination of the lock modifiers present on this keyboard (up to 8 grabs).
- Another client's grab of the same combination makes ours fail with BadAccess, reported
  asynchronously: every grab is followed by a sync, and the key is then released again and
  reported as taken.
- A held key autorepeats as KeyRelease+KeyPress pairs with the same server timestamp. A release
  is held back for AUTOREPEAT_WINDOW_S; a press of the same key with the same time cancels it,
  so hold-to-talk sees one press and one release.
- python-xlib connections are not shared across threads: one listener thread owns the
  connection, and register/unregister are commands it runs (the caller waits for the result).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import itertools
import logging
import os
import queue
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from Xlib import XK, X, display, error

from liveview.desktop.hotkeys import (
    Binding,
    Callback,
    GrabResult,
    GrabStatus,
    HotkeyBackend,
    Modifier,
    UnavailableBackend,
)

log = logging.getLogger(__name__)

AUTOREPEAT_WINDOW_S = 0.03  # a repeat's press follows its release at once (same timestamp)
COMMAND_TIMEOUT_S = 5.0
_KEYSYM_NAMES = {"PageUp": "Prior", "PageDown": "Next", "Space": "space"}
_MODIFIER_KEYSYMS = {
    Modifier.ALT: ("Alt_L", "Alt_R", "Meta_L", "Meta_R"),
    Modifier.SUPER: ("Super_L", "Super_R", "Hyper_L"),
}
_LOCK_KEYSYMS = ("Num_Lock", "Scroll_Lock")
_MOD_MASKS = (X.Mod1Mask, X.Mod2Mask, X.Mod3Mask, X.Mod4Mask, X.Mod5Mask)


@dataclass
class _Grab:
    keycode: int
    mask: int
    on_press: Callback
    on_release: Callback | None
    down: bool = False


def open_x11_backend(display_name: str | None = None) -> HotkeyBackend:
    try:
        return X11Hotkeys(display_name)
    except (error.DisplayError, error.ConnectionClosedError, OSError) as exc:
        shown = display_name or os.environ.get("DISPLAY", "")
        return UnavailableBackend(
            GrabStatus.UNAVAILABLE, f"Cannot connect to the X display {shown!r}: {exc}"
        )


class X11Hotkeys(HotkeyBackend):
    name = "X11 (XGrabKey)"

    def __init__(self, display_name: str | None = None) -> None:
        self._display = display.Display(display_name)
        self._root = self._display.screen().root
        self._modifier_masks, self._lock_masks = self._read_modifiers()
        self._grabs: dict[Binding, _Grab] = {}
        self._commands: queue.SimpleQueue[tuple[Callable[[], Any], concurrent.futures.Future[Any]]]
        self._commands = queue.SimpleQueue()
        self._wake_r, self._wake_w = os.pipe()
        self._stop = threading.Event()
        self._pending_release: tuple[_Grab, int, float] | None = None  # grab, X time, deadline
        self._thread = threading.Thread(target=self._run, name="hotkeys: X11", daemon=True)
        self._thread.start()

    # --- HotkeyBackend (any thread) -------------------------------------------------------

    def register(
        self, binding: Binding, on_press: Callback, on_release: Callback | None = None
    ) -> GrabResult:
        result: GrabResult = self._call(lambda: self._grab(binding, on_press, on_release))
        return result

    def unregister(self, binding: Binding) -> None:
        self._call(lambda: self._ungrab(binding))

    def close(self) -> None:
        if self._stop.is_set():
            return
        with contextlib.suppress(Exception):
            self._call(self._ungrab_all)
        self._stop.set()
        self._wake()
        self._thread.join(timeout=COMMAND_TIMEOUT_S)
        with contextlib.suppress(Exception):
            self._display.close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _call(self, command: Callable[[], Any]) -> Any:
        if self._stop.is_set() or not self._thread.is_alive():
            raise RuntimeError("the X11 hotkey listener is not running")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._commands.put((command, future))
        self._wake()
        return future.result(timeout=COMMAND_TIMEOUT_S)

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")

    # --- keyboard facts -------------------------------------------------------------------

    def _read_modifiers(self) -> tuple[dict[Modifier, int], list[int]]:
        """Which ModN carries Alt, Super, NumLock and ScrollLock on this keyboard."""
        masks = {Modifier.CTRL: X.ControlMask, Modifier.SHIFT: X.ShiftMask}
        locks = [X.LockMask]  # CapsLock
        by_keysym: dict[int, int] = {}
        for index, keycodes in enumerate(self._display.get_modifier_mapping()):
            if index < 3:  # Shift, Lock, Control
                continue
            for keycode in keycodes:
                if keycode:
                    by_keysym.setdefault(self._display.keycode_to_keysym(keycode, 0), index - 3)
        for modifier, names in _MODIFIER_KEYSYMS.items():
            for name in names:
                found = by_keysym.get(XK.string_to_keysym(name))
                if found is not None:
                    masks[modifier] = _MOD_MASKS[found]
                    break
        for name in _LOCK_KEYSYMS:
            found = by_keysym.get(XK.string_to_keysym(name))
            if found is not None and _MOD_MASKS[found] not in locks:
                locks.append(_MOD_MASKS[found])
        masks.setdefault(Modifier.ALT, X.Mod1Mask)
        masks.setdefault(Modifier.SUPER, X.Mod4Mask)
        return masks, locks

    def _lock_combinations(self) -> list[int]:
        combos = []
        for count in range(len(self._lock_masks) + 1):
            for subset in itertools.combinations(self._lock_masks, count):
                mask = 0
                for m in subset:
                    mask |= m
                combos.append(mask)
        return combos

    def _keycode(self, binding: Binding) -> int:
        name = _KEYSYM_NAMES.get(binding.key, binding.key)
        keysym = XK.string_to_keysym(name.lower() if len(name) == 1 else name)
        return int(self._display.keysym_to_keycode(keysym)) if keysym else 0

    # --- commands (listener thread) -------------------------------------------------------

    def _grab(
        self, binding: Binding, on_press: Callback, on_release: Callback | None
    ) -> GrabResult:
        if binding in self._grabs:
            self._ungrab(binding)
        keycode = self._keycode(binding)
        if not keycode:
            return GrabResult(
                binding,
                GrabStatus.UNSUPPORTED,
                f"{binding}: this keyboard has no {binding.key} key.",
            )
        mask = 0
        for modifier in binding.modifiers:
            mask |= self._modifier_masks[modifier]
        catcher = error.CatchError(error.BadAccess)
        for locks in self._lock_combinations():
            self._root.grab_key(
                keycode, mask | locks, False, X.GrabModeAsync, X.GrabModeAsync, onerror=catcher
            )
        self._display.sync()
        if catcher.get_error() is not None:
            self._release_key(keycode, mask)
            return GrabResult(
                binding,
                GrabStatus.TAKEN,
                f"{binding} is taken by another application (X11 BadAccess): choose another "
                "key in Settings, or free it in that application.",
            )
        self._grabs[binding] = _Grab(keycode, mask, on_press, on_release)
        return GrabResult(binding, GrabStatus.OK)

    def _release_key(self, keycode: int, mask: int) -> None:
        # Releases only grabs this client holds; combinations another client holds stay its own.
        for locks in self._lock_combinations():
            self._root.ungrab_key(keycode, mask | locks)
        self._display.sync()

    def _ungrab(self, binding: Binding) -> None:
        grab = self._grabs.pop(binding, None)
        if grab is not None:
            self._release_key(grab.keycode, grab.mask)

    def _ungrab_all(self) -> None:
        for binding in list(self._grabs):
            self._ungrab(binding)

    # --- the listener ---------------------------------------------------------------------

    def _run(self) -> None:
        fd = self._display.fileno()
        try:
            while not self._stop.is_set():
                self._run_commands()
                while self._display.pending_events():
                    self._handle(self._display.next_event())
                timeout = None
                if self._pending_release is not None:
                    timeout = max(0.0, self._pending_release[2] - time.monotonic())
                    if timeout == 0.0:
                        self._flush_release()
                        continue
                readable, _, _ = select.select([fd, self._wake_r], [], [], timeout)
                if self._wake_r in readable:
                    with contextlib.suppress(OSError):
                        os.read(self._wake_r, 512)
        except (error.ConnectionClosedError, OSError) as exc:
            if not self._stop.is_set():
                log.warning("X11 hotkeys stopped: the display connection closed (%s)", exc)
        except Exception:  # a thread boundary: say so in the log rather than vanish
            log.exception("X11 hotkey listener crashed")
        finally:
            self._stop.set()
            self._fail_commands()

    def _run_commands(self) -> None:
        while True:
            try:
                command, future = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                future.set_result(command())
            except Exception as exc:
                future.set_exception(exc)

    def _fail_commands(self) -> None:
        while True:
            try:
                _, future = self._commands.get_nowait()
            except queue.Empty:
                return
            future.set_exception(RuntimeError("the X11 hotkey listener stopped"))

    def _handle(self, event: Any) -> None:
        if event.type not in (X.KeyPress, X.KeyRelease):
            return
        pending = self._pending_release
        if pending is not None:
            held, when, _ = pending
            if event.type == X.KeyPress and event.detail == held.keycode and event.time == when:
                self._pending_release = None  # autorepeat: a release and press at one instant
                return
            self._flush_release()
        if event.type == X.KeyPress:
            grab = self._match(event.detail, event.state)
            if grab is not None and not grab.down:
                grab.down = True
                self._deliver(grab.on_press)
        else:
            for grab in self._grabs.values():
                if grab.down and grab.keycode == event.detail:
                    deadline = time.monotonic() + AUTOREPEAT_WINDOW_S
                    self._pending_release = (grab, event.time, deadline)
                    return

    def _match(self, keycode: int, state: int) -> _Grab | None:
        locks = 0
        for m in self._lock_masks:
            locks |= m
        relevant = state & ~locks & 0xFF  # ignore lock modifiers and pointer buttons
        for grab in self._grabs.values():
            if grab.keycode == keycode and grab.mask == relevant:
                return grab
        return None

    def _flush_release(self) -> None:
        pending, self._pending_release = self._pending_release, None
        if pending is not None:
            grab = pending[0]
            grab.down = False
            if grab.on_release is not None:
                self._deliver(grab.on_release)

    def _deliver(self, callback: Callback) -> None:
        try:
            callback()
        except Exception:
            log.exception("hotkey callback failed")
