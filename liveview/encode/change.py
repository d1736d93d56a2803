"""Change detection: do not resend a picture the model already has.

A frame is compared with the last *sent* frame on a small grey thumbnail (THUMB_LONG_SIDE_PX on
its long side: a cell is 15x15 px of a 1080p screen, so one typed letter moves a cell's average
by well over CELL_DELTA_LEVELS).
The measure is the fraction of thumbnail cells whose grey level moved by more than
CELL_DELTA_LEVELS: local changes (text, a cursor moving over a dialog) count as much as a global
one, while sensor noise, averaged over a whole cell, stays under the delta.

A keep-alive frame is sent at least every `keepalive_s` even when nothing changed, so the model
never reasons about a picture it has not seen for long.
"""

from __future__ import annotations

import time

import cv2
import numpy as np

from liveview.encode.throttle import Clock
from liveview.errors import ConfigError

THUMB_LONG_SIDE_PX = 128
CELL_DELTA_LEVELS = 8  # grey levels (of 255) a cell must move to count as changed
DEFAULT_CHANGE_THRESHOLD = 0.0  # fraction of cells: 0.0 means "any cell moved"
# Keep-alive default 15 s, not 10 s: a static screen at 1 fps for 60 s then sends the first frame
# plus keep-alives at 15, 30, 45 (and 60) s = 5/60 ≈ 8 % of frames, under the 10 % budget;
# 10 s would send 7/60 ≈ 12 %. 15 s is still short next to the model's attention span.
DEFAULT_KEEPALIVE_S = 15.0


def thumbnail(image: np.ndarray, long_side: int = THUMB_LONG_SIDE_PX) -> np.ndarray:
    """Small grey (uint8, 2-D) version of a BGR/BGRA/grey frame.

    Every pixel is averaged in (INTER_AREA, no subsampling: a 2 px stroke of a typed letter
    must not fall between samples). Cheap on the already downscaled frame the pipeline encodes
    (~0.1 ms for 960x540); ~2 ms on a full 1080p frame.
    """
    height, width = image.shape[:2]
    scale = min(1.0, long_side / max(height, width))
    out_w, out_h = max(1, round(width * scale)), max(1, round(height * scale))
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code)
    if (out_w, out_h) == (width, height):
        return image
    return cv2.resize(image, (out_w, out_h), interpolation=cv2.INTER_AREA)


def changed_fraction(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of cells whose grey level differs by more than CELL_DELTA_LEVELS (1.0 if the
    thumbnails differ in shape: the picture changed size)."""
    if a.shape != b.shape:
        return 1.0
    diff = cv2.absdiff(a, b)
    return float(np.count_nonzero(diff > CELL_DELTA_LEVELS)) / diff.size


def validate_change_threshold(threshold: float) -> float:
    if not 0.0 <= threshold < 1.0:
        raise ConfigError(
            f"change threshold {threshold:g} is out of range: use 0 (send on any change) up to "
            f"below 1 (fraction of the picture that must change)."
        )
    return float(threshold)


class ChangeDetector:
    """Decides whether a frame is worth sending, against the last frame actually sent."""

    def __init__(
        self,
        threshold: float = DEFAULT_CHANGE_THRESHOLD,
        keepalive_s: float = DEFAULT_KEEPALIVE_S,
        clock: Clock = time.monotonic,
    ) -> None:
        if keepalive_s <= 0:
            raise ConfigError(f"keep-alive interval must be positive, got {keepalive_s:g} s")
        self._threshold = validate_change_threshold(threshold)
        self._keepalive_s = float(keepalive_s)
        self._clock = clock
        self._reference: np.ndarray | None = None
        self._sent_at: float | None = None

    @property
    def keepalive_s(self) -> float:
        return self._keepalive_s

    def keepalive_due(self) -> bool:
        return self._sent_at is None or self._clock() - self._sent_at >= self._keepalive_s

    def is_changed(self, thumb: np.ndarray) -> bool:
        """True when `thumb` differs from the last sent thumbnail by more than the threshold."""
        if self._reference is None:
            return True
        return changed_fraction(self._reference, thumb) > self._threshold

    def should_send(self, thumb: np.ndarray) -> bool:
        return self.keepalive_due() or self.is_changed(thumb)

    def mark_sent(self, thumb: np.ndarray) -> None:
        self._reference = thumb
        self._sent_at = self._clock()

    def reset(self) -> None:
        """Forget the reference: the next frame is sent whatever it shows."""
        self._reference = None
        self._sent_at = None
