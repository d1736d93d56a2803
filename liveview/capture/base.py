"""The one small interface every frame source implements (OBS: sources produce).

All methods are blocking and are called from the source's own thread (see runner.FrameProducer),
never from the event loop: open() may take seconds (a camera, an RTSP stream), read() waits for
the next frame at the source's pace.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from liveview.desktop.geometry import Region
from liveview.errors import LiveViewError

__all__ = ["Frame", "FrameFilter", "FrameGate", "FrameSource", "NoFrameNow", "Region"]


@dataclass(frozen=True, eq=False)
class Frame:
    """One captured picture.

    image: HxWx3 BGR or HxWx4 BGRA uint8 (physical pixels); owned by the frame, never reused
    by the source, so it may be handed to another thread.
    captured_at: time.monotonic() when it was grabbed.
    seq: increases by one per frame of a source (first frame 0).
    source: describe() of the source that made it.
    region: where the picture lies on the screen, in screen coordinates (the monitor, region or
        window grabbed), or None for a picture that is not of the screen (camera, file, test).
        Masks and auto-pause map screen rectangles onto the image through it; the image may be
        larger than the region on a HiDPI screen (physical pixels).
    """

    image: np.ndarray
    captured_at: float
    seq: int
    source: str
    region: Region | None = None

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


class NoFrameNow(LiveViewError):
    """Not a failure: there is nothing that may be sent right now (the window being shared is
    minimised, a password manager is on the shared screen). Raised by FrameSource.read() or by
    a FrameFilter; FrameProducer then holds the video (no frame is offered, the last one is
    withdrawn), reports it (on_hold), and tries again after `retry_after_s`.

    notice: a sentence for the conversation panel or a banner.
    badge: a few words for the LIVE badge ("paused: KeePassXC").
    """

    def __init__(self, notice: str, *, badge: str = "paused", retry_after_s: float = 0.2) -> None:
        super().__init__(notice)
        self.notice = notice
        self.badge = badge
        self.retry_after_s = retry_after_s


# Applied by FrameProducer on the capture thread to every frame after the grab and before
# anyone may encode it: returns the frame to offer (masked, maybe the same object), or raises
# NoFrameNow to hold the video. Must be fast (it runs per grab) and thread-safe.
FrameFilter = Callable[["Frame"], "Frame"]


@runtime_checkable
class FrameGate(Protocol):
    """A FrameFilter whose hold depends only on where the frame lies on the screen (auto-pause:
    a window on the pause list over that part of the screen), not on its pixels.

    FrameProducer asks it between the grabs of an on-demand source (a screen), so a hold is
    noticed within GATE_POLL_S without grabbing pictures nobody will send, and no grab is made
    while it holds. Subclass it to get `__call__` from `hold_for`."""

    def __call__(self, frame: Frame) -> Frame:
        held = self.hold_for(frame.region)
        if held is not None:
            raise held
        return frame

    def hold_for(self, region: Region | None) -> NoFrameNow | None:
        """Why video of `region` must be held now, or None. Fast and thread-safe."""
        ...


class FrameSource(ABC):
    """Produces frames. Not thread-safe: one thread opens, reads and closes it."""

    @property
    def frame_interval_s(self) -> float | None:
        """The source's own pace: read() blocks about this long per frame.

        None means read() returns at once with a fresh picture (a screen): the caller paces it.
        """
        return None

    @abstractmethod
    def open(self) -> None:
        """Acquire the device/stream. Raises CaptureError (or ConfigError) with a user message."""

    @abstractmethod
    def read(self) -> Frame:
        """The newest frame. Raises CaptureError when the source has failed or ended, and
        NoFrameNow when it is fine but has nothing to show at the moment."""

    @abstractmethod
    def close(self) -> None:
        """Release everything; safe to call twice and after a failed open()."""

    @abstractmethod
    def describe(self) -> str:
        """Short human description, e.g. "screen 1 (1920x1080 at 0,0)"."""

    def __enter__(self) -> FrameSource:
        self.open()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
