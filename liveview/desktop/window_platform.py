"""The window lister for this OS and session, and what is asked of it: the windows now, and
where this process's own windows are. Apart from windows.py so that the interface does not
import the OS back ends that implement it (they import the interface).
"""

from __future__ import annotations

import os
import sys
import threading

from liveview.desktop.geometry import Region
from liveview.desktop.windows import WindowInfo, WindowLister, WindowListError


def open_lister() -> WindowLister:
    """A lister for this OS and session. Raises WindowListError saying what is missing."""
    if sys.platform == "win32":
        from liveview.desktop.windows_win32 import Win32WindowLister

        return Win32WindowLister()
    if sys.platform == "darwin":
        from liveview.desktop.windows_macos import MacWindowLister

        return MacWindowLister()
    if not os.environ.get("DISPLAY"):
        if os.environ.get("WAYLAND_DISPLAY"):
            raise WindowListError(
                "This is a Wayland session without XWayland: Wayland lets no application list "
                "the others' windows. Share a screen or a region instead of one window."
            )
        raise WindowListError(
            "No display (DISPLAY is not set): there are no windows to list. Run liveview "
            "inside a desktop session."
        )
    from liveview.desktop.windows_x11 import X11WindowLister

    return X11WindowLister()


class OwnWindowRects:
    """A SelfMask provider that asks the window system where this process's windows are, at
    each call, on a connection of the calling thread's own (the capture thread's). Independent
    of Qt, so it is safe off the GUI thread, and never stale while a window is dragged."""

    def __init__(self, pid: int | None = None) -> None:
        self._pid = os.getpid() if pid is None else pid
        self._lock = threading.Lock()
        self._listers: dict[int, WindowLister] = {}  # by thread id: one connection each

    def __call__(self) -> list[Region]:
        thread = threading.get_ident()
        with self._lock:
            lister = self._listers.get(thread)
        if lister is None:
            lister = open_lister()
            with self._lock:
                self._listers[thread] = lister
        return lister.process_rects(self._pid)

    def close(self) -> None:
        """Close every thread's connection (once the threads that used them are done)."""
        with self._lock:
            listers, self._listers = list(self._listers.values()), {}
        for lister in listers:
            lister.close()


def list_windows(*, applications_only: bool = True) -> list[WindowInfo]:
    """The windows now, bottom of the stack first (blocking: call it from a thread)."""
    with open_lister() as lister:
        windows = lister.snapshot()
    return [w for w in windows if w.is_application] if applications_only else windows
