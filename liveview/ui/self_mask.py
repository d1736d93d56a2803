"""liveview never shows itself to the model: every liveview window (the main window, the
overlay, dialogs, the region picker, menus) is filled flat in every frame sent, following the
windows as they move ("Hide liveview from what is sent", on by default).

Two sources of rectangles, joined:
- Qt's own view (every platform): each visible top-level widget's frameGeometry(), refreshed on
  the GUI thread every grab interval, kept in a capture.masks RectsBox that the capture thread
  reads.
- On X11 also the window system's view at the moment of each grab (desktop.windows
  OwnWindowRects: this process's managed windows), which is never behind a window being
  dragged. Where it is unavailable (no window manager) Qt's view alone is used.
If neither can be had SelfMask fails closed: the video is held, never sent unmasked.

Where the OS can leave a window out of captures, that is asked too (desktop.capture_exclusion:
SetWindowDisplayAffinity(WDA_EXCLUDEFROMCAPTURE) on Windows 10 2004+, NSWindow.sharingType =
none on macOS). Those two calls cannot be tested on this Linux machine; they are written from
the platform documentation, never raise, and the flat mask is applied regardless, so a failed or
ignored exclusion (macOS 15's ScreenCaptureKit) still sends nothing of liveview.
"""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from liveview.capture.masks import RectsBox, SelfMask
from liveview.desktop.capture_exclusion import exclude_from_capture
from liveview.desktop.geometry import Region
from liveview.desktop.window_platform import OwnWindowRects
from liveview.desktop.windows import WindowListError

log = logging.getLogger(__name__)

POLL_MS = 100  # the screen source grabs every 100 ms (capture.runner)


class _BestEffortRects:
    """OwnWindowRects that gives up quietly (once) where the window list is unavailable: Qt's
    rectangles still cover every window then."""

    def __init__(self) -> None:
        self._own = OwnWindowRects(os.getpid())
        self._off = False

    def __call__(self) -> list[Region]:
        if self._off:
            return []
        try:
            return self._own()
        except WindowListError as exc:
            log.info("liveview's windows are masked from Qt's geometry only: %s", exc)
            self._off = True
            return []

    def close(self) -> None:
        self._own.close()


class QtSelfMask(QObject):
    """`mask`: the FrameFilter to give the video host. `enabled` follows the setting."""

    def __init__(self, *, enabled: bool = True, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.box = RectsBox()
        self._system = _BestEffortRects() if _x11() else None
        self.mask = SelfMask(self._rects, enabled=enabled)
        self._excluded: set[int] = set()
        # Polled at the screen's grab rate rather than by an application-wide event filter
        # (which would also see widgets in the middle of being destroyed): a window is masked
        # from the next grab after it appears or moves; on X11 the window system's view at
        # grab time covers even that gap.
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.update)
        self._timer.start()
        self.update()

    @property
    def enabled(self) -> bool:
        return self.mask.enabled

    def set_enabled(self, on: bool) -> None:
        self.mask.enabled = on
        if on:
            self.update()

    def _rects(self) -> list[Region]:
        """Capture thread: Qt's rectangles and the window system's, joined."""
        rects = list(self.box())
        if self._system is not None:
            rects += self._system()
        return rects

    def update(self) -> None:
        """GUI thread: every visible liveview top-level window, frame included."""
        rects = []
        for widget in QApplication.topLevelWidgets():
            if not widget.isVisible() or widget.isMinimized():
                continue
            self._exclude(widget)
            frame = widget.frameGeometry()
            if frame.width() > 0 and frame.height() > 0:
                rects.append(Region(frame.x(), frame.y(), frame.width(), frame.height()))
        self.box.set(rects)

    def rects(self) -> tuple[Region, ...]:
        return self.box()

    def _exclude(self, widget: QWidget) -> None:
        """Windows/macOS: ask the OS to leave the window out of captures (once per window)."""
        if sys.platform not in ("win32", "darwin") or not self.enabled:
            return
        handle = int(widget.winId())
        if handle in self._excluded:
            return
        self._excluded.add(handle)
        result = exclude_from_capture(handle)
        log.info("capture exclusion of %r: %s %s", widget.windowTitle(), result.method,
                 result.message)  # fmt: skip

    def close(self) -> None:
        self._timer.stop()
        if self._system is not None:
            self._system.close()


def _x11() -> bool:
    return sys.platform.startswith("linux") and bool(os.environ.get("DISPLAY"))
