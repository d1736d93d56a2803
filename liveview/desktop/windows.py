"""The desktop's application windows: title, application, geometry, state and stacking order.

One small interface, one file per OS:
- X11: EWMH (_NET_CLIENT_LIST_STACKING, _NET_WM_NAME, _NET_FRAME_EXTENTS, ...) read through
  python-xlib (windows_x11.py).
- Windows: EnumWindows and DWM through ctypes (windows_win32.py), no extra package.
- macOS: CGWindowListCopyWindowInfo through pyobjc's Quartz (windows_macos.py).
- Wayland: no protocol lets a client list other clients' windows; only XWayland windows are
  seen (through DISPLAY), and WindowListError says so when there is no DISPLAY.

Why EWMH through python-xlib rather than pywinctl: python-xlib is already what the X11 hotkeys
need (one pure-Python dependency that PyInstaller collects with the hook in
pyinstaller-hooks-contrib), and reading the few properties ourselves lets us say exactly what is
wrong ("no window manager", a window that vanished mid-query is skipped, not an exception), cache
what never changes per window (class, pid) and keep a per-thread connection (python-xlib
connections are not shared across threads). pywinctl would bring ewmhlib, pymonctl, pywinbox and
on macOS AppleScript calls that take ~100 ms a window, for the same few facts.

Blocking: every call talks to the window system (a few round trips a window). Call it from a
thread (asyncio.to_thread, the capture thread, the auto-pause watcher), never the event loop.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum

from liveview.desktop.geometry import Region
from liveview.errors import CaptureError


class WindowListError(CaptureError):
    """The window list cannot be read: no display, no window manager, an unsupported desktop."""


class WindowKind(Enum):
    NORMAL = "normal"  # an application's main window
    DIALOG = "dialog"
    UTILITY = "utility"  # palettes, tool windows, always-on-top overlays
    OTHER = "other"  # docks, panels, desktop, splash screens, menus


@dataclass(frozen=True)
class WindowInfo:
    """One top-level window, as the window system reports it at the time of the listing.

    handle: the native id (X11 window id, HWND, CGWindowID), stable while the window exists.
    geometry: the client area (what the application draws), in screen coordinates.
    frame: the window including the decorations the window manager draws around it.
    app: the application: WM_CLASS's class on X11, the process name elsewhere.
    stacking: 0 is the bottom of the stack, larger is nearer the top.
    minimised: iconified. visible: mapped, not minimised, on the current desktop.
    """

    handle: int
    title: str
    app: str
    pid: int | None
    process: str | None
    geometry: Region
    frame: Region
    minimised: bool
    visible: bool
    stacking: int
    kind: WindowKind = WindowKind.NORMAL

    @property
    def is_application(self) -> bool:
        """What a window picker offers: application and dialog windows with a title."""
        return self.kind in (WindowKind.NORMAL, WindowKind.DIALOG) and bool(self.title.strip())

    def describe(self) -> str:
        state = "minimised" if self.minimised else ("visible" if self.visible else "hidden")
        return f"{self.title!r} ({self.app}, {self.geometry.describe()}, {state})"


class WindowLister(ABC):
    """A connection to the window system, used by one thread. close() it when done."""

    @abstractmethod
    def snapshot(self) -> list[WindowInfo]:
        """Top-level windows, bottom of the stack first. Raises WindowListError."""

    @abstractmethod
    def window(self, handle: int) -> WindowInfo | None:
        """The window with this handle now, or None when it no longer exists (cheaper than
        snapshot(): what a window source asks every frame)."""

    def process_rects(self, pid: int) -> list[Region]:
        """Where the visible windows of process `pid` are, frames included (for SelfMask)."""
        return [w.frame for w in self.snapshot() if w.pid == pid and w.visible]

    @abstractmethod
    def close(self) -> None:
        """Release the connection; safe to call twice."""

    def __enter__(self) -> WindowLister:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def match_windows(windows: list[WindowInfo], query: str) -> list[WindowInfo]:
    """Windows whose title contains `query` (case-insensitive). A title equal to the query
    (ignoring case) wins over titles that merely contain it, so "Notes" picks the window titled
    "Notes" even when "Notes - backup" is open too."""
    needle = query.strip().casefold()
    if not needle:
        return []
    hits = [w for w in windows if needle in w.title.casefold()]
    exact = [w for w in hits if w.title.strip().casefold() == needle]
    return exact or hits


def windows_text(windows: list[WindowInfo], *, limit: int = 20) -> str:
    """One window per line, for error messages and --list-sources."""
    if not windows:
        return "  none"
    lines = [f"  {w.describe()}" for w in reversed(windows[-limit:])]  # top of the stack first
    if len(windows) > limit:
        lines.append(f"  ... and {len(windows) - limit} more")
    return "\n".join(lines)
