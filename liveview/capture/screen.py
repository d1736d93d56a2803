"""Screen capture with mss: one chosen monitor (never monitors[0], all monitors glued together)
or a region inside it.

mss is not shared across threads: ScreenSource creates its mss.MSS() in open(), which the
source's own thread calls, and list_monitors() uses a short-lived instance of its own.

HiDPI: frames are what the grab returns, i.e. physical pixels (mss makes the process DPI-aware on
Windows; on macOS a grab of a Retina monitor comes back at its native resolution). Regions are
given in the coordinates list_monitors() reports.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import mss
from mss.exception import ScreenShotError

from liveview.capture.base import Frame, FrameSource, Region
from liveview.capture.xshm import ShmGrabber
from liveview.errors import CaptureError, ConfigError

CONNECT_ATTEMPTS = 3
CONNECT_RETRY_S = 0.1


@dataclass(frozen=True)
class MonitorInfo:
    index: int  # 1-based, as in --source screen:N
    name: str
    left: int
    top: int
    width: int
    height: int
    is_primary: bool

    def contains(self, region: Region) -> bool:
        return (
            region.x >= self.left
            and region.y >= self.top
            and region.x + region.width <= self.left + self.width
            and region.y + region.height <= self.top + self.height
        )

    def describe(self) -> str:
        primary = ", primary" if self.is_primary else ""
        geometry = f"{self.width}x{self.height} at {self.left},{self.top}"
        return f"{self.index}: {self.name} {geometry}{primary}"


def parse_region(text: str) -> Region:
    """Parse "X,Y,W,H" (screen coordinates, pixels)."""
    parts = [p.strip() for p in text.replace("x", ",").split(",")] if text else []
    try:
        x, y, w, h = (int(p) for p in parts)
    except ValueError:
        raise ConfigError(
            f"region {text!r} is not X,Y,W,H in pixels, e.g. --region 100,200,1280,720"
        ) from None
    if w <= 0 or h <= 0:
        raise ConfigError(f"region {text!r} has no area: width and height must be positive")
    return Region(x, y, w, h)


def _no_display_message(detail: str) -> str:
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        why = "DISPLAY is not set (no X11 or XWayland display)"
    else:
        why = detail
    return (
        f"No display to capture: {why}. Run liveview inside a desktop session, or choose "
        "another source (--source camera, file:PATH, url:URL, test or none)."
    )


def open_mss() -> Any:
    """A new mss.MSS() for the calling thread. A busy X server occasionally refuses a connection
    (seen on a shared Xvfb): retried briefly before it is reported as "no display"."""
    for attempt in range(CONNECT_ATTEMPTS):
        try:
            return mss.MSS()
        except ScreenShotError as exc:
            if attempt + 1 == CONNECT_ATTEMPTS or not os.environ.get("DISPLAY"):
                raise CaptureError(_no_display_message(str(exc))) from exc
            time.sleep(CONNECT_RETRY_S)
    raise AssertionError("unreachable")


def _monitor_infos(sct: Any) -> list[MonitorInfo]:
    infos = []
    # monitors[0] is the union of all monitors: never offered as a choice.
    for index, mon in enumerate(sct.monitors[1:], start=1):
        name = str(mon.get("name") or mon.get("output") or f"monitor {index}")
        infos.append(
            MonitorInfo(
                index=index,
                name=name,
                left=int(mon["left"]),
                top=int(mon["top"]),
                width=int(mon["width"]),
                height=int(mon["height"]),
                is_primary=bool(mon.get("is_primary", False)),
            )
        )
    return infos


def list_monitors() -> list[MonitorInfo]:
    """Monitors with 1-based indices. Raises CaptureError when there is no display at all."""
    sct = open_mss()
    try:
        return _monitor_infos(sct)
    finally:
        sct.close()


def monitors_text(monitors: list[MonitorInfo]) -> str:
    if not monitors:
        return "no monitors found"
    return "; ".join(m.describe() for m in monitors)


def resolve_target(
    monitors: list[MonitorInfo], index: int | None, region: Region | None
) -> tuple[MonitorInfo, Region | None]:
    """Pick the monitor (by index, or the one holding the region, or the primary) and check the
    region lies inside it. Raises ConfigError naming the monitors."""
    if not monitors:
        raise CaptureError("The display reports no monitors to capture.")
    if index is not None:
        if not 1 <= index <= len(monitors):
            raise ConfigError(
                f"There is no monitor {index}. Monitors: {monitors_text(monitors)}. "
                f"Use --source screen:N with N from 1 to {len(monitors)}."
            )
        monitor = monitors[index - 1]
    elif region is not None:
        holding = [m for m in monitors if m.contains(region)]
        monitor = holding[0] if holding else monitors[0]
    else:
        primary = [m for m in monitors if m.is_primary]
        monitor = primary[0] if primary else monitors[0]
    if region is not None and not monitor.contains(region):
        raise ConfigError(
            f"Region {region.describe()} is not inside monitor {monitor.index} "
            f"({monitor.width}x{monitor.height} at {monitor.left},{monitor.top}). "
            f"Monitors: {monitors_text(monitors)}. Give --region X,Y,W,H inside one of them."
        )
    return monitor, region


class ScreenSource(FrameSource):
    """Grabs one monitor, or a region of it, as BGRA frames."""

    def __init__(self, monitor: int | None = None, region: Region | None = None) -> None:
        self._index = monitor
        self._region = region
        self._sct: Any = None
        self._grabber: ShmGrabber | None = None
        self._box: dict[str, int] | None = None
        self._grabbed: Region | None = None
        self._description = "screen"
        self._seq = 0

    def open(self) -> None:
        sct = open_mss()
        try:
            monitor, region = resolve_target(_monitor_infos(sct), self._index, self._region)
        except Exception:
            sct.close()
            raise
        self._sct = sct
        if region is None:
            self._box = {
                "left": monitor.left,
                "top": monitor.top,
                "width": monitor.width,
                "height": monitor.height,
            }
            self._description = (
                f"screen {monitor.index} ({monitor.width}x{monitor.height} "
                f"at {monitor.left},{monitor.top})"
            )
        else:
            self._box = {
                "left": region.x,
                "top": region.y,
                "width": region.width,
                "height": region.height,
            }
            self._description = f"screen {monitor.index} region {region.describe()}"
        box = self._box
        self._grabbed = Region(box["left"], box["top"], box["width"], box["height"])
        self._grabber = ShmGrabber(sct, box["width"] * box["height"] * 4)

    @property
    def grabber(self) -> ShmGrabber | None:
        """How grabs are made (its .active: straight into shared memory), once open."""
        return self._grabber

    def read(self) -> Frame:
        if self._grabber is None or self._box is None:
            raise CaptureError("screen source read before open()")
        try:
            # Written by the X server into a recycled shared-memory slot (no copy), or a fresh
            # mss buffer: either way the frame owns it (capture.xshm).
            image = self._grabber.grab(self._box)
        except ScreenShotError as exc:
            raise CaptureError(
                f"Screen capture failed ({exc}): the display may be gone or locked."
            ) from exc
        frame = Frame(image, time.monotonic(), self._seq, self._description, self._grabbed)
        self._seq += 1
        return frame

    def close(self) -> None:
        if self._grabber is not None:
            self._grabber.close()  # before the connection it is attached to
            self._grabber = None
        if self._sct is not None:
            self._sct.close()
            self._sct = None

    def describe(self) -> str:
        return self._description
