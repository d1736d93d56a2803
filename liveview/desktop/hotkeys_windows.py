"""Windows global hotkeys: RegisterHotKey through ctypes (user32), no extra package.

Windows facts this file honours:
- RegisterHotKey(NULL, id, ...) posts WM_HOTKEY to the message queue of the thread that
  registered it, so one dedicated thread registers every key and runs GetMessageW; other
  threads ask it through PostThreadMessageW(WM_APP) and wait for the answer.
- A key another program registered fails with ERROR_HOTKEY_ALREADY_REGISTERED (1409): "taken".
- MOD_NOREPEAT: a held key sends one WM_HOTKEY, not one per autorepeat.
- Windows reports no key-up for a hotkey: after WM_HOTKEY the key is polled with
  GetAsyncKeyState every RELEASE_POLL_S until it is up, which is when on_release runs
  (hold-to-talk).

Not run on this machine (Linux CI has no Windows): written against the Win32 documentation,
type-checked with `mypy --platform win32`. It imports on every OS (the self-test imports every
module); the user32 bindings are made only on Windows.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from ctypes import wintypes
from dataclasses import dataclass
from typing import Any

from liveview.desktop.hotkeys import (
    Binding,
    Callback,
    GrabResult,
    GrabStatus,
    HotkeyBackend,
    Modifier,
)

log = logging.getLogger(__name__)

MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
WM_HOTKEY, WM_APP = 0x0312, 0x8000
PM_NOREMOVE = 0x0000
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
RELEASE_POLL_S = 0.015
COMMAND_TIMEOUT_S = 5.0
_MODS = {
    Modifier.CTRL: MOD_CONTROL,
    Modifier.ALT: MOD_ALT,
    Modifier.SHIFT: MOD_SHIFT,
    Modifier.SUPER: MOD_WIN,
}
# Virtual-key codes (WinUser.h). Letters and digits are their ASCII capitals.
_VK = {
    "Space": 0x20,
    "Return": 0x0D,
    "Tab": 0x09,
    "Escape": 0x1B,
    "BackSpace": 0x08,
    "Insert": 0x2D,
    "Delete": 0x2E,
    "Home": 0x24,
    "End": 0x23,
    "PageUp": 0x21,
    "PageDown": 0x22,
    "Left": 0x25,
    "Up": 0x26,
    "Right": 0x27,
    "Down": 0x28,
    "Print": 0x2C,
    "Pause": 0x13,
} | {f"F{n}": 0x6F + n for n in range(1, 25)}  # VK_F1 = 0x70

_user32: Any = None
_kernel32: Any = None
if sys.platform == "win32":
    _user32 = ctypes.WinDLL("user32", use_last_error=True)
    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _user32.RegisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int, wintypes.UINT, wintypes.UINT]
    _user32.RegisterHotKey.restype = wintypes.BOOL
    _user32.UnregisterHotKey.argtypes = [wintypes.HWND, ctypes.c_int]
    _user32.UnregisterHotKey.restype = wintypes.BOOL
    _user32.GetMessageW.argtypes = [
        ctypes.POINTER(wintypes.MSG),
        wintypes.HWND,
        wintypes.UINT,
        wintypes.UINT,
    ]
    _user32.GetMessageW.restype = wintypes.BOOL
    _user32.PeekMessageW.argtypes = [
        ctypes.POINTER(wintypes.MSG),
        wintypes.HWND,
        wintypes.UINT,
        wintypes.UINT,
        wintypes.UINT,
    ]
    _user32.PeekMessageW.restype = wintypes.BOOL
    _user32.PostThreadMessageW.argtypes = [
        wintypes.DWORD,
        wintypes.UINT,
        wintypes.WPARAM,
        wintypes.LPARAM,
    ]
    _user32.PostThreadMessageW.restype = wintypes.BOOL
    _user32.GetAsyncKeyState.argtypes = [ctypes.c_int]
    _user32.GetAsyncKeyState.restype = ctypes.c_short
    _kernel32.GetCurrentThreadId.argtypes = []
    _kernel32.GetCurrentThreadId.restype = wintypes.DWORD


def virtual_key(binding: Binding) -> int | None:
    if len(binding.key) == 1 and binding.key.isalnum():
        return ord(binding.key.upper())
    return _VK.get(binding.key)


@dataclass
class _Hotkey:
    ident: int
    vk: int
    on_press: Callback
    on_release: Callback | None


class WindowsHotkeys(HotkeyBackend):
    name = "Windows (RegisterHotKey)"

    def __init__(self) -> None:
        _require_windows()
        self._commands: queue.SimpleQueue[tuple[Callable[[], Any], concurrent.futures.Future[Any]]]
        self._commands = queue.SimpleQueue()
        self._keys: dict[Binding, _Hotkey] = {}
        self._next_id = 1  # RegisterHotKey ids: 0x0000-0xBFFF for an application
        self._thread_id = 0
        self._ready = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="hotkeys: Windows", daemon=True)
        self._thread.start()
        self._ready.wait(COMMAND_TIMEOUT_S)

    def register(
        self, binding: Binding, on_press: Callback, on_release: Callback | None = None
    ) -> GrabResult:
        result: GrabResult = self._call(lambda: self._register(binding, on_press, on_release))
        return result

    def unregister(self, binding: Binding) -> None:
        self._call(lambda: self._unregister(binding))

    def close(self) -> None:
        if self._stopping or not self._thread.is_alive():
            return
        self._call(self._unregister_all)
        self._stopping = True
        _user32.PostThreadMessageW(self._thread_id, WM_APP, 0, 0)
        self._thread.join(COMMAND_TIMEOUT_S)

    def _call(self, command: Callable[[], Any]) -> Any:
        if not self._thread.is_alive():
            raise RuntimeError("the Windows hotkey thread is not running")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._commands.put((command, future))
        _user32.PostThreadMessageW(self._thread_id, WM_APP, 0, 0)
        return future.result(timeout=COMMAND_TIMEOUT_S)

    # --- the hotkey thread ----------------------------------------------------------------

    def _register(
        self, binding: Binding, on_press: Callback, on_release: Callback | None
    ) -> GrabResult:
        vk = virtual_key(binding)
        if vk is None:
            return GrabResult(binding, GrabStatus.UNSUPPORTED, f"{binding}: no such key here.")
        if binding in self._keys:
            self._unregister(binding)
        mods = MOD_NOREPEAT
        for modifier in binding.modifiers:
            mods |= _MODS[modifier]
        ident = self._next_id
        self._next_id += 1
        if not _user32.RegisterHotKey(None, ident, mods, vk):
            code, text = _last_error()
            if code == ERROR_HOTKEY_ALREADY_REGISTERED:
                return GrabResult(
                    binding,
                    GrabStatus.TAKEN,
                    f"{binding} is taken by another application: choose another key in Settings.",
                )
            return GrabResult(binding, GrabStatus.UNAVAILABLE, f"{binding}: {text}")
        self._keys[binding] = _Hotkey(ident, vk, on_press, on_release)
        return GrabResult(binding, GrabStatus.OK)

    def _unregister(self, binding: Binding) -> None:
        key = self._keys.pop(binding, None)
        if key is not None:
            _user32.UnregisterHotKey(None, key.ident)

    def _unregister_all(self) -> None:
        for binding in list(self._keys):
            self._unregister(binding)

    def _run(self) -> None:
        msg = wintypes.MSG()
        # A thread has a message queue only once it calls a message function: make it now, so
        # PostThreadMessageW from other threads cannot be lost.
        _user32.PeekMessageW(ctypes.byref(msg), None, 0, 0, PM_NOREMOVE)
        self._thread_id = int(_kernel32.GetCurrentThreadId())
        self._ready.set()
        try:
            while _user32.GetMessageW(ctypes.byref(msg), None, 0, 0) > 0:
                if msg.message == WM_APP:
                    self._run_commands()
                    if self._stopping:
                        return
                elif msg.message == WM_HOTKEY:
                    self._pressed(int(msg.wParam))
        except Exception:
            log.exception("Windows hotkey thread crashed")

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

    def _pressed(self, ident: int) -> None:
        key = next((k for k in self._keys.values() if k.ident == ident), None)
        if key is None:
            return
        _deliver(key.on_press)
        if key.on_release is None:
            return
        # No key-up message exists for a hotkey: poll the key itself until it is released.
        while _user32.GetAsyncKeyState(key.vk) & 0x8000:
            time.sleep(RELEASE_POLL_S)
        _deliver(key.on_release)


def _deliver(callback: Callback) -> None:
    try:
        callback()
    except Exception:
        log.exception("hotkey callback failed")


def _require_windows() -> None:
    # A call, not an inline sys.platform test: mypy keeps checking the caller on every platform.
    if sys.platform != "win32":
        raise RuntimeError("RegisterHotKey exists on Windows only")


def _last_error() -> tuple[int, str]:
    """GetLastError() of the last user32 call on this thread, and its text."""
    if sys.platform == "win32":
        code = ctypes.get_last_error()
        return code, ctypes.FormatError(code)
    return 0, "not Windows"
