"""The one small interface every frame source implements (OBS: sources produce).

All methods are blocking and are called from the source's own thread (see runner.FrameProducer),
never from the event loop: open() may take seconds (a camera, an RTSP stream), read() waits for
the next frame at the source's pace.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Frame:
    """One captured picture.

    image: HxWx3 BGR or HxWx4 BGRA uint8 (physical pixels); owned by the frame, never reused
    by the source, so it may be handed to another thread.
    captured_at: time.monotonic() when it was grabbed.
    seq: increases by one per frame of a source (first frame 0).
    source: describe() of the source that made it.
    """

    image: np.ndarray
    captured_at: float
    seq: int
    source: str

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


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
        """The newest frame. Raises CaptureError when the source has failed or ended."""

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
