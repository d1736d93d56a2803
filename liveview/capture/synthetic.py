"""A synthetic test pattern: colour bars over a gradient, a moving square and a timestamp.

For demos without a screen or camera, and for tests: every frame differs (the square moves, the
clock ticks), and the bars make colour mistakes (BGR vs RGB) obvious.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from liveview.capture.base import Frame, FrameSource
from liveview.errors import ConfigError

DEFAULT_SIZE = (1280, 720)
DEFAULT_SYNTHETIC_FPS = 10.0
SQUARE_SPEED_PX_S = 200.0
# SMPTE-like bars, BGR: white, yellow, cyan, green, magenta, red, blue.
BAR_COLOURS_BGR = (
    (255, 255, 255),
    (0, 255, 255),
    (255, 255, 0),
    (0, 255, 0),
    (255, 0, 255),
    (0, 0, 255),
    (255, 0, 0),
)


def render_background(width: int, height: int) -> np.ndarray:
    """Bars over the top two thirds, a grey gradient below."""
    image = np.empty((height, width, 3), dtype=np.uint8)
    bars_h = height * 2 // 3
    edges = np.linspace(0, width, len(BAR_COLOURS_BGR) + 1).astype(int)
    for colour, x0, x1 in zip(BAR_COLOURS_BGR, edges[:-1], edges[1:], strict=True):
        image[:bars_h, x0:x1] = colour
    ramp = np.linspace(0, 255, width, dtype=np.float32).astype(np.uint8)
    image[bars_h:] = ramp[None, :, None]
    return image


class SyntheticSource(FrameSource):
    """Test pattern of a given size, delivered at `fps`."""

    def __init__(
        self,
        width: int = DEFAULT_SIZE[0],
        height: int = DEFAULT_SIZE[1],
        fps: float = DEFAULT_SYNTHETIC_FPS,
    ) -> None:
        if not (16 <= width <= 8192 and 16 <= height <= 8192):
            raise ConfigError(f"test pattern size {width}x{height} is out of range (16..8192)")
        if not 0.1 <= fps <= 120:
            raise ConfigError(f"test pattern rate {fps:g} fps is out of range (0.1..120)")
        self._width = width
        self._height = height
        self._interval_s = 1.0 / fps
        self._background: np.ndarray | None = None
        self._started_at = 0.0
        self._next_due = 0.0
        self._seq = 0

    @property
    def frame_interval_s(self) -> float | None:
        return self._interval_s

    def open(self) -> None:
        self._background = render_background(self._width, self._height)
        self._started_at = self._next_due = time.monotonic()
        self._seq = 0

    def read(self) -> Frame:
        if self._background is None:
            raise ConfigError("test pattern read before open()")
        now = time.monotonic()
        if self._next_due > now:
            time.sleep(self._next_due - now)
        self._next_due = max(self._next_due + self._interval_s, time.monotonic())
        captured_at = time.monotonic()
        image = self.render(captured_at - self._started_at, self._seq)
        frame = Frame(image, captured_at, self._seq, self.describe())
        self._seq += 1
        return frame

    def render(self, elapsed_s: float, seq: int) -> np.ndarray:
        """The picture at `elapsed_s` seconds (deterministic: tests may call it directly)."""
        if self._background is None:
            self._background = render_background(self._width, self._height)
        image = self._background.copy()
        side = max(8, self._height // 8)
        span = max(1, self._width - side)
        travel = int(elapsed_s * SQUARE_SPEED_PX_S) % (2 * span)
        x = travel if travel < span else 2 * span - travel  # bounce between the edges
        y = self._height * 2 // 3 - side // 2
        cv2.rectangle(image, (x, y), (x + side, y + side), (0, 0, 0), thickness=-1)
        scale = max(0.4, self._height / 720)
        text = f"liveview test {elapsed_s:8.2f} s  #{seq}"
        cv2.putText(
            image,
            text,
            (int(16 * scale), int(40 * scale)),
            cv2.FONT_HERSHEY_SIMPLEX,
            scale,
            (0, 0, 0),
            max(1, int(2 * scale)),
            cv2.LINE_AA,
        )
        return image

    def close(self) -> None:
        self._background = None

    def describe(self) -> str:
        return f"test pattern {self._width}x{self._height}"
