"""macOS global hotkeys through pynput's keyboard listener (a Quartz event tap).

The permission: macOS delivers other applications' key events to an event tap only if the
user has allowed liveview under System Settings > Privacy & Security > Accessibility (newer
macOS also lists it under Input Monitoring). Without it the tap receives nothing and nothing
says so, so the permission is checked first (AXIsProcessTrusted) and every registration then
answers NO_PERMISSION with where to allow it. macOS applies a newly granted permission only to
a process started afterwards: liveview must be restarted.

Keys are matched by virtual key code (Carbon kVK_* values), not by character, because Option
changes the character (Option+T types "†"). The tap listens and does not consume: the focused
application also sees the key, which is why the defaults use Ctrl+Option combinations that
macOS applications rarely bind.

Not run on this machine (no macOS here): written against pynput's and Apple's documentation,
type-checked with `mypy --platform darwin`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

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

PERMISSION_NOTE = (
    "Global hotkeys need the Accessibility permission: open System Settings > Privacy & "
    "Security > Accessibility (and Input Monitoring), allow liveview, then restart liveview. "
    "Its shortcuts still work while its window has the focus."
)
# Carbon virtual key codes (HIToolbox/Events.h, ANSI layout positions).
_VK = {
    "A": 0x00, "S": 0x01, "D": 0x02, "F": 0x03, "H": 0x04, "G": 0x05, "Z": 0x06, "X": 0x07,
    "C": 0x08, "V": 0x09, "B": 0x0B, "Q": 0x0C, "W": 0x0D, "E": 0x0E, "R": 0x0F, "Y": 0x10,
    "T": 0x11, "1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "9": 0x19,
    "7": 0x1A, "8": 0x1C, "0": 0x1D, "O": 0x1F, "U": 0x20, "I": 0x22, "P": 0x23, "L": 0x25,
    "J": 0x26, "K": 0x28, "N": 0x2D, "M": 0x2E,
    "Return": 0x24, "Tab": 0x30, "Space": 0x31, "BackSpace": 0x33, "Escape": 0x35,
    "F5": 0x60, "F6": 0x61, "F7": 0x62, "F3": 0x63, "F8": 0x64, "F9": 0x65, "F11": 0x67,
    "F13": 0x69, "F16": 0x6A, "F14": 0x6B, "F10": 0x6D, "F12": 0x6F, "F15": 0x71,
    "Insert": 0x72, "Home": 0x73, "PageUp": 0x74, "Delete": 0x75, "F4": 0x76, "End": 0x77,
    "F2": 0x78, "PageDown": 0x79, "F1": 0x7A, "Left": 0x7B, "Right": 0x7C, "Down": 0x7D,
    "Up": 0x7E,
}  # fmt: skip


def accessibility_trusted() -> bool:
    """AXIsProcessTrusted(): may this process watch other applications' keys?"""
    from ApplicationServices import AXIsProcessTrusted  # pyobjc, a pynput dependency on macOS

    return bool(AXIsProcessTrusted())


def open_macos_backend() -> HotkeyBackend:
    try:
        trusted = accessibility_trusted()
    except ImportError as exc:
        return UnavailableBackend(GrabStatus.UNAVAILABLE, f"pyobjc is missing: {exc}")
    if not trusted:
        return UnavailableBackend(GrabStatus.NO_PERMISSION, PERMISSION_NOTE)
    return MacHotkeys()


@dataclass
class _Hotkey:
    vk: int
    modifiers: frozenset[Modifier]
    on_press: Callback
    on_release: Callback | None
    down: bool = False


class MacHotkeys(HotkeyBackend):
    name = "macOS (pynput event tap)"

    def __init__(self) -> None:
        from pynput import keyboard

        self._keyboard: Any = keyboard
        self._lock = threading.Lock()
        self._keys: dict[Binding, _Hotkey] = {}
        self._held: set[Modifier] = set()
        self._modifier_of = {
            keyboard.Key.ctrl: Modifier.CTRL,
            keyboard.Key.ctrl_l: Modifier.CTRL,
            keyboard.Key.ctrl_r: Modifier.CTRL,
            keyboard.Key.alt: Modifier.ALT,
            keyboard.Key.alt_l: Modifier.ALT,
            keyboard.Key.alt_r: Modifier.ALT,
            keyboard.Key.shift: Modifier.SHIFT,
            keyboard.Key.shift_l: Modifier.SHIFT,
            keyboard.Key.shift_r: Modifier.SHIFT,
            keyboard.Key.cmd: Modifier.SUPER,
            keyboard.Key.cmd_l: Modifier.SUPER,
            keyboard.Key.cmd_r: Modifier.SUPER,
        }
        # pynput calls these on its own listener thread.
        self._listener = keyboard.Listener(on_press=self._on_press, on_release=self._on_release)
        self._listener.start()

    def register(
        self, binding: Binding, on_press: Callback, on_release: Callback | None = None
    ) -> GrabResult:
        vk = _VK.get(binding.key)
        if vk is None:
            return GrabResult(binding, GrabStatus.UNSUPPORTED, f"{binding}: no such key here.")
        if not accessibility_trusted():  # the user may have revoked it meanwhile
            return GrabResult(binding, GrabStatus.NO_PERMISSION, PERMISSION_NOTE)
        with self._lock:
            self._keys[binding] = _Hotkey(vk, binding.modifiers, on_press, on_release)
        return GrabResult(binding, GrabStatus.OK)

    def unregister(self, binding: Binding) -> None:
        with self._lock:
            self._keys.pop(binding, None)

    def close(self) -> None:
        with self._lock:
            self._keys.clear()
        self._listener.stop()

    def _vk(self, key: Any) -> int | None:
        code = getattr(key, "value", key)  # a Key member wraps a KeyCode
        vk = getattr(code, "vk", None)
        return int(vk) if vk is not None else None

    def _on_press(self, key: Any) -> None:
        modifier = self._modifier_of.get(key)
        if modifier is not None:
            self._held.add(modifier)
            return
        vk = self._vk(key)
        with self._lock:
            hits = [k for k in self._keys.values() if k.vk == vk and k.modifiers == self._held]
        for hotkey in hits:
            if not hotkey.down:  # autorepeat sends more presses: one is enough
                hotkey.down = True
                _deliver(hotkey.on_press)

    def _on_release(self, key: Any) -> None:
        modifier = self._modifier_of.get(key)
        if modifier is not None:
            self._held.discard(modifier)
            return
        vk = self._vk(key)
        with self._lock:
            hits = [k for k in self._keys.values() if k.vk == vk and k.down]
        for hotkey in hits:
            hotkey.down = False
            if hotkey.on_release is not None:
                _deliver(hotkey.on_release)


def _deliver(callback: Callback) -> None:
    try:
        callback()
    except Exception:
        log.exception("hotkey callback failed")
