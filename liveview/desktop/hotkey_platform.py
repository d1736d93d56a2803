"""The hotkey backend for this platform and session. Apart from hotkeys.py so that the
interface does not import the platform back ends that implement it (they import the interface).
"""

from __future__ import annotations

import os
import sys

from liveview.desktop.hotkeys import GrabStatus, HotkeyBackend, UnavailableBackend


def open_backend() -> HotkeyBackend:
    """The backend for this platform and session; UnavailableBackend says why when none."""
    if sys.platform == "win32":
        from liveview.desktop.hotkeys_windows import WindowsHotkeys

        return WindowsHotkeys()
    if sys.platform == "darwin":
        from liveview.desktop.hotkeys_macos import open_macos_backend

        return open_macos_backend()
    wayland = bool(os.environ.get("WAYLAND_DISPLAY")) or os.environ.get("XDG_SESSION_TYPE") == (
        "wayland"
    )
    if wayland:
        # Under Wayland an X11 grab through XWayland only sees keys typed into X11 windows.
        from liveview.desktop.hotkeys_portal import open_portal_backend

        return open_portal_backend()
    if not os.environ.get("DISPLAY"):
        return UnavailableBackend(
            GrabStatus.UNAVAILABLE, "No display (DISPLAY is not set): global hotkeys need one."
        )
    from liveview.desktop.hotkeys_x11 import open_x11_backend

    return open_x11_backend()
