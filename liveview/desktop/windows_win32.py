"""Windows window listing through ctypes: EnumWindows (top of the Z order first), DWM for the
real frame and for "cloaked" windows (other virtual desktops, suspended UWP apps), and the
process image name. No extra package.

Application windows are those the taskbar would show: visible, not cloaked, not tool windows,
unowned (or WS_EX_APPWINDOW). Coordinates are physical pixels, matching mss, which makes the
process per-monitor DPI aware.

Not run on this machine (no Windows here): written against the Win32 documentation and
type-checked with `mypy --platform win32`. It imports on every OS (the self-test imports every
module); the user32/dwmapi bindings are made only on Windows.
"""

from __future__ import annotations

import ctypes
import os
import sys
from ctypes import wintypes
from typing import Any

from liveview.desktop.geometry import Region
from liveview.desktop.windows import WindowInfo, WindowKind, WindowLister

GWL_EXSTYLE = -20
WS_EX_TOOLWINDOW = 0x00000080
WS_EX_APPWINDOW = 0x00040000
GW_OWNER = 4
DWMWA_EXTENDED_FRAME_BOUNDS = 9
DWMWA_CLOAKED = 14
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000

_user32: Any = None
_dwmapi: Any = None
_kernel32: Any = None
_ENUM_PROC: Any = None
if sys.platform == "win32":
    _user32 = ctypes.WinDLL("user32", use_last_error=True)
    _dwmapi = ctypes.WinDLL("dwmapi")
    _kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    _ENUM_PROC = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)
    _user32.EnumWindows.argtypes = [_ENUM_PROC, wintypes.LPARAM]
    _user32.IsWindow.argtypes = [wintypes.HWND]
    _user32.IsWindowVisible.argtypes = [wintypes.HWND]
    _user32.IsIconic.argtypes = [wintypes.HWND]
    _user32.GetWindowTextLengthW.argtypes = [wintypes.HWND]
    _user32.GetWindowTextW.argtypes = [wintypes.HWND, wintypes.LPWSTR, ctypes.c_int]
    _user32.GetWindowLongW.argtypes = [wintypes.HWND, ctypes.c_int]
    _user32.GetWindowLongW.restype = ctypes.c_long
    _user32.GetWindow.argtypes = [wintypes.HWND, wintypes.UINT]
    _user32.GetWindow.restype = wintypes.HWND
    _user32.GetClientRect.argtypes = [wintypes.HWND, ctypes.POINTER(wintypes.RECT)]
    _user32.ClientToScreen.argtypes = [wintypes.HWND, ctypes.POINTER(wintypes.POINT)]
    _user32.GetWindowRect.argtypes = [wintypes.HWND, ctypes.POINTER(wintypes.RECT)]
    _user32.GetWindowThreadProcessId.argtypes = [wintypes.HWND, ctypes.POINTER(wintypes.DWORD)]
    _dwmapi.DwmGetWindowAttribute.argtypes = [
        wintypes.HWND,
        wintypes.DWORD,
        ctypes.c_void_p,
        wintypes.DWORD,
    ]
    _kernel32.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
    _kernel32.OpenProcess.restype = wintypes.HANDLE
    _kernel32.QueryFullProcessImageNameW.argtypes = [
        wintypes.HANDLE,
        wintypes.DWORD,
        wintypes.LPWSTR,
        ctypes.POINTER(wintypes.DWORD),
    ]
    _kernel32.CloseHandle.argtypes = [wintypes.HANDLE]


def _title(hwnd: int) -> str:
    length = _user32.GetWindowTextLengthW(hwnd)
    buffer = ctypes.create_unicode_buffer(length + 1)
    _user32.GetWindowTextW(hwnd, buffer, length + 1)
    return buffer.value


def _process(pid: int) -> str | None:
    handle = _kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return None
    try:
        size = wintypes.DWORD(1024)
        buffer = ctypes.create_unicode_buffer(size.value)
        if not _kernel32.QueryFullProcessImageNameW(handle, 0, buffer, ctypes.byref(size)):
            return None
        return os.path.basename(buffer.value)
    finally:
        _kernel32.CloseHandle(handle)


def _cloaked(hwnd: int) -> bool:
    value = wintypes.DWORD(0)
    _dwmapi.DwmGetWindowAttribute(hwnd, DWMWA_CLOAKED, ctypes.byref(value), ctypes.sizeof(value))
    return value.value != 0


def _frame(hwnd: int) -> Region:
    rect = wintypes.RECT()
    # The extended frame bounds exclude the invisible resize borders and the drop shadow.
    if _dwmapi.DwmGetWindowAttribute(
        hwnd, DWMWA_EXTENDED_FRAME_BOUNDS, ctypes.byref(rect), ctypes.sizeof(rect)
    ):
        _user32.GetWindowRect(hwnd, ctypes.byref(rect))
    return Region(rect.left, rect.top, rect.right - rect.left, rect.bottom - rect.top)


def _client(hwnd: int) -> Region:
    rect = wintypes.RECT()
    _user32.GetClientRect(hwnd, ctypes.byref(rect))
    origin = wintypes.POINT(0, 0)
    _user32.ClientToScreen(hwnd, ctypes.byref(origin))
    return Region(origin.x, origin.y, rect.right, rect.bottom)


def _is_application(hwnd: int) -> bool:
    style = _user32.GetWindowLongW(hwnd, GWL_EXSTYLE)
    if style & WS_EX_TOOLWINDOW:
        return False
    return not _user32.GetWindow(hwnd, GW_OWNER) or bool(style & WS_EX_APPWINDOW)


class Win32WindowLister(WindowLister):
    def __init__(self) -> None:
        _require_windows()
        self._process_names: dict[int, str | None] = {}

    def snapshot(self) -> list[WindowInfo]:
        handles: list[int] = []

        def collect(hwnd: int, _lparam: int) -> bool:
            handles.append(int(hwnd))
            return True

        _user32.EnumWindows(_ENUM_PROC(collect), 0)
        windows = []
        count = len(handles)
        for z, hwnd in enumerate(handles):  # EnumWindows goes from the top of the Z order
            info = self._describe(hwnd, count - 1 - z)
            if info is not None:
                windows.append(info)
        windows.sort(key=lambda w: w.stacking)
        return windows

    def window(self, handle: int) -> WindowInfo | None:
        if not _user32.IsWindow(handle):
            return None
        return self._describe(handle, 0)

    def _describe(self, hwnd: int, stacking: int) -> WindowInfo | None:
        if not _user32.IsWindowVisible(hwnd) or _cloaked(hwnd):
            return None
        pid = wintypes.DWORD(0)
        _user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
        if pid.value not in self._process_names:
            self._process_names[pid.value] = _process(pid.value)
        process = self._process_names[pid.value]
        minimised = bool(_user32.IsIconic(hwnd))
        kind = WindowKind.NORMAL if _is_application(hwnd) else WindowKind.OTHER
        return WindowInfo(
            handle=hwnd,
            title=_title(hwnd),
            app=(process or "unknown").removesuffix(".exe"),
            pid=pid.value or None,
            process=process,
            geometry=_client(hwnd),
            frame=_frame(hwnd),
            minimised=minimised,
            visible=not minimised,
            stacking=stacking,
            kind=kind,
        )

    def close(self) -> None:
        return None


def _require_windows() -> None:
    # A call, not an inline sys.platform test: mypy keeps checking the caller on every platform.
    if sys.platform != "win32":
        raise RuntimeError("EnumWindows exists on Windows only")
