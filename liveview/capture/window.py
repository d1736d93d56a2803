"""One application window as a source: its current rectangle grabbed from the screen each frame.

The source follows the window by its native handle, so it keeps up as the window moves, resizes
or changes its title, and sends only that window's pixels at its own aspect (the client area,
without the window manager's frame, clipped to the screen). What lies on top of the window is
what the screen shows there, as with any screen grab: liveview's own windows are masked and a
password manager pauses the video (masks.SelfMask, desktop.auto_pause), like for a screen.

A minimised window holds the video with a notice (NoFrameNow) and resumes when it is restored;
a closed window holds it until a window matching the same title query appears again.
"""

from __future__ import annotations

import time
from typing import Any

import cv2
import numpy as np
from mss.exception import ScreenShotError

from liveview.capture.base import Frame, FrameSource, NoFrameNow, Region
from liveview.capture.screen import open_mss
from liveview.desktop.window_platform import list_windows, open_lister
from liveview.desktop.windows import (
    WindowInfo,
    WindowLister,
    WindowListError,
    match_windows,
    windows_text,
)
from liveview.errors import CaptureError, ConfigError, UsageError

THUMBNAIL_MAX_SIDE_PX = 160  # the Window... picker's tiles
# While held (minimised, closed) the window is looked for this often: a restored window is back
# within a fifth of a second, and the poll costs a few X round trips.
HELD_RETRY_S = 0.2


class WindowNotFoundError(ConfigError):
    """No window's title contains the query (the message lists the windows there are)."""


class AmbiguousWindowError(UsageError):
    """Several windows' titles contain the query: the user must be more precise (exit 2)."""

    def __init__(self, message: str, candidates: list[WindowInfo]) -> None:
        super().__init__(message)
        self.candidates = candidates


def resolve_window(query: str, windows: list[WindowInfo] | None = None) -> WindowInfo:
    """The one application window whose title contains `query` (case-insensitive; an exact
    title wins). Raises WindowNotFoundError or AmbiguousWindowError listing the windows, and
    ConfigError when there is no window list here (no window manager, Wayland): a source that
    cannot work on this desktop is a configuration problem, said before any session starts."""
    try:
        shown = list_windows() if windows is None else [w for w in windows if w.is_application]
    except WindowListError as exc:
        raise ConfigError(f"--source window:{query} cannot be used here. {exc}") from exc
    hits = match_windows(shown, query)
    if not hits:
        raise WindowNotFoundError(
            f"No window's title contains {query!r}. Windows:\n{windows_text(shown)}\n"
            "Use --source window:TITLE with part of one of these titles."
        )
    if len(hits) > 1:
        raise AmbiguousWindowError(
            f"{len(hits)} windows' titles contain {query!r}:\n{windows_text(hits)}\n"
            "Give more of the title in --source window:TITLE so only one matches.",
            hits,
        )
    return hits[0]


def virtual_screen(sct: Any) -> Region:
    """All monitors together (mss monitors[0]): what a window is clipped to."""
    union = sct.monitors[0]
    return Region(int(union["left"]), int(union["top"]), int(union["width"]), int(union["height"]))


def grab_window(sct: Any, window: WindowInfo) -> tuple[np.ndarray, Region] | None:
    """BGRA pixels of the window's on-screen part and where they are, or None when it is off
    screen. Raises CaptureError when the grab fails."""
    rect = window.geometry.intersection(virtual_screen(sct))
    if rect is None:
        return None
    box = {"left": rect.x, "top": rect.y, "width": rect.width, "height": rect.height}
    try:
        shot = sct.grab(box)
    except ScreenShotError as exc:
        raise CaptureError(f"Grabbing the window {window.title!r} failed: {exc}") from exc
    return np.asarray(shot), rect


def window_thumbnail(
    window: WindowInfo, max_side: int = THUMBNAIL_MAX_SIDE_PX
) -> np.ndarray | None:
    """A small BGR picture of the window as the screen shows it now (None when it is minimised
    or off screen). Blocking: call it from a thread."""
    if not window.visible:
        return None
    sct = open_mss()
    try:
        grabbed = grab_window(sct, window)
    finally:
        sct.close()
    if grabbed is None:
        return None
    image = cv2.cvtColor(grabbed[0], cv2.COLOR_BGRA2BGR)
    height, width = image.shape[:2]
    scale = min(1.0, max_side / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


class WindowSource(FrameSource):
    """Grabs one window's rectangle each frame (paced by FrameProducer, like a screen)."""

    def __init__(self, query: str, handle: int | None = None) -> None:
        self._query = query
        self._handle = handle
        self._title = query
        self._app = ""
        self._lister: WindowLister | None = None
        self._sct: Any = None
        self._seq = 0

    def open(self) -> None:
        self.close()
        lister = open_lister()
        try:
            if self._handle is None or lister.window(self._handle) is None:
                self._adopt(resolve_window(self._query, lister.snapshot()))
            else:
                window = lister.window(self._handle)
                assert window is not None
                self._adopt(window)
            self._sct = open_mss()
        except Exception:
            lister.close()
            raise
        self._lister = lister

    def _adopt(self, window: WindowInfo) -> None:
        self._handle = window.handle
        self._title = window.title
        self._app = window.app

    def read(self) -> Frame:
        if self._lister is None or self._sct is None or self._handle is None:
            raise CaptureError("window source read before open()")
        window = self._lister.window(self._handle)
        if window is None:
            window = self._find_again()
        if window.minimised or not window.visible:
            raise NoFrameNow(
                f"The window {self._title!r} is minimised or hidden: video is paused until it "
                "is shown again.",
                badge="paused: window minimised",
                retry_after_s=HELD_RETRY_S,
            )
        grabbed = grab_window(self._sct, window)
        if grabbed is None:
            raise NoFrameNow(
                f"The window {self._title!r} is off the screen: video is paused until it is "
                "moved back.",
                badge="paused: window off screen",
                retry_after_s=HELD_RETRY_S,
            )
        image, rect = grabbed
        self._title = window.title  # titles change (a browser's tab): describe the current one
        frame = Frame(image, time.monotonic(), self._seq, self.describe(), rect)
        self._seq += 1
        return frame

    def _find_again(self) -> WindowInfo:
        """The window is gone: a window matching the same query (one only) takes its place."""
        assert self._lister is not None
        hits = match_windows([w for w in self._lister.snapshot() if w.is_application], self._query)
        if len(hits) != 1:
            raise NoFrameNow(
                f"The window {self._title!r} was closed: video is paused until a window titled "
                f"like {self._query!r} is open again.",
                badge="paused: window closed",
                retry_after_s=HELD_RETRY_S,
            )
        self._adopt(hits[0])
        return hits[0]

    def close(self) -> None:
        if self._sct is not None:
            self._sct.close()
            self._sct = None
        if self._lister is not None:
            self._lister.close()
            self._lister = None

    def describe(self) -> str:
        app = f" ({self._app})" if self._app else ""
        return f"window {self._title!r}{app}"
