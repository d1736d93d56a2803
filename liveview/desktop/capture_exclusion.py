"""Ask the OS to leave one of liveview's windows out of screen captures.

- Windows 10 2004+: SetWindowDisplayAffinity(hwnd, WDA_EXCLUDEFROMCAPTURE): captures show what
  is behind the window. Older Windows only has WDA_MONITOR (the window is captured black);
  that is used as the fallback.
- macOS: NSWindow.sharingType = NSWindowSharingNone. CGWindowListCreateImage (what mss uses)
  leaves such windows out; macOS 15's ScreenCaptureKit has been reported to ignore it for
  other apps' captures, which is one reason the masks stay on regardless.
- X11 and Wayland have no such request: masks.SelfMask fills liveview's windows instead.

The mask in capture.masks is applied everywhere anyway; this is a second layer where the OS
has one. `native_handle` is QWindow.winId(): an HWND on Windows, an NSView* on macOS. Call it
on the GUI thread (AppKit requires the main thread) after the window is created (shown).

Neither call can be tested on this machine (Linux): both are written against the platform
documentation and type-checked with `mypy --platform win32` / `--platform darwin`.
"""

from __future__ import annotations

import ctypes
import sys
from dataclasses import dataclass

WDA_MONITOR = 0x01
WDA_EXCLUDEFROMCAPTURE = 0x11
NS_WINDOW_SHARING_NONE = 0


@dataclass(frozen=True)
class ExclusionResult:
    applied: bool
    method: str  # what was used, for the log and `liveview doctor`
    message: str = ""


def exclude_from_capture(native_handle: int) -> ExclusionResult:
    """Exclude the window from screen captures where the OS can; never raises."""
    try:
        if sys.platform == "win32":
            return _exclude_windows(native_handle)
        if sys.platform == "darwin":
            return _exclude_macos(native_handle)
    except (OSError, AttributeError, ValueError) as exc:
        return ExclusionResult(False, "error", f"could not exclude the window: {exc}")
    return ExclusionResult(
        False,
        "mask only",
        "This window system has no capture exclusion; liveview masks its windows in what it "
        "sends instead.",
    )


def _exclude_windows(hwnd: int) -> ExclusionResult:
    if sys.platform != "win32":
        raise AssertionError("Windows only")
    from ctypes import wintypes

    user32 = ctypes.WinDLL("user32", use_last_error=True)
    user32.SetWindowDisplayAffinity.argtypes = [wintypes.HWND, wintypes.DWORD]
    user32.SetWindowDisplayAffinity.restype = wintypes.BOOL
    if user32.SetWindowDisplayAffinity(hwnd, WDA_EXCLUDEFROMCAPTURE):
        return ExclusionResult(True, "WDA_EXCLUDEFROMCAPTURE")
    first_error = ctypes.get_last_error()
    # Before Windows 10 2004 the value is refused (ERROR_INVALID_PARAMETER): the window can at
    # least be captured black.
    if user32.SetWindowDisplayAffinity(hwnd, WDA_MONITOR):
        return ExclusionResult(
            True, "WDA_MONITOR", "this Windows captures the window black instead of hiding it"
        )
    return ExclusionResult(
        False,
        "SetWindowDisplayAffinity",
        f"refused: {ctypes.FormatError(first_error)} (the window must be a top-level window "
        "of this process)",
    )


def _exclude_macos(ns_view: int) -> ExclusionResult:
    """[[view window] setSharingType:NSWindowSharingNone] through the Objective-C runtime."""
    if sys.platform != "darwin":
        raise AssertionError("macOS only")
    objc = ctypes.CDLL("/usr/lib/libobjc.A.dylib")
    objc.sel_registerName.argtypes = [ctypes.c_char_p]
    objc.sel_registerName.restype = ctypes.c_void_p
    # objc_msgSend must be called through a prototype matching each method exactly (arm64
    # passes arguments differently for variadic calls), so it is cast per signature.
    address = ctypes.cast(objc.objc_msgSend, ctypes.c_void_p).value
    if address is None:
        return ExclusionResult(False, "NSWindow.sharingType", "objc_msgSend not found")
    send_id = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(address)
    send_ulong = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong)(address)
    window = send_id(ns_view, objc.sel_registerName(b"window"))
    if not window:
        return ExclusionResult(False, "NSWindow.sharingType", "the view has no window yet")
    send_ulong(window, objc.sel_registerName(b"setSharingType:"), NS_WINDOW_SHARING_NONE)
    return ExclusionResult(True, "NSWindow.sharingType = none")
