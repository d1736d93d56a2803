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

import functools
import time

import cv2
import numpy as np

from liveview.encode.scratch import Scratch
from liveview.encode.throttle import Clock
from liveview.errors import ConfigError

THUMB_LONG_SIDE_PX = 128
CELL_DELTA_LEVELS = 8  # grey levels (of 255) a cell must move to count as changed
DEFAULT_CHANGE_THRESHOLD = 0.0  # fraction of cells: 0.0 means "any cell moved"
# Keep-alive default 15 s, not 10 s: a static screen at 1 fps for 60 s then sends the first frame
# plus keep-alives at 15, 30, 45 (and 60) s = 5/60 ≈ 8 % of frames, under the 10 % budget;
# 10 s would send 7/60 ≈ 12 %. 15 s is still short next to the model's attention span.
DEFAULT_KEEPALIVE_S = 15.0


def thumbnail(
    image: np.ndarray, long_side: int = THUMB_LONG_SIDE_PX, scratch: Scratch | None = None
) -> np.ndarray:
    """Small grey (uint8, 2-D) version of a BGR/BGRA/grey frame.

    Every pixel is averaged in, each weighted by how much of it a cell covers: exactly what
    cv2.resize(INTER_AREA) computes (a 2 px stroke of a typed letter must not fall between
    samples). But INTER_AREA by a fraction (960 -> 128 is 7.5) runs OpenCV's general, slow path
    (~0.7 ms here on 960x540 grey); the same averages read off an integral image cost ~0.25 ms.
    The grey copy and the integral image go into `scratch` when given; the thumbnail returned
    is always an array of its own (the change detector keeps it).
    """
    height, width = image.shape[:2]
    scale = min(1.0, long_side / max(height, width))
    out_w, out_h = max(1, round(width * scale)), max(1, round(height * scale))
    if (out_w, out_h) == (width, height):
        scratch = None  # the grey copy is the thumbnail: it must not be overwritten
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        grey = scratch.get("grey", (height, width)) if scratch is not None else None
        image = cv2.cvtColor(image, code, grey)
    if (out_w, out_h) == (width, height):
        return image
    corners, weights = _area_plan(height, width, out_h, out_w)
    # The sum over a cell is a difference of the integral image at the cell's corners; where a
    # corner falls inside a pixel, the integral is linear across it, so interpolating is exact.
    kept = scratch.get("integral", (height + 1, width + 1), np.int32) if scratch else None
    integral = cv2.integral(image, kept, sdepth=cv2.CV_32S)
    at_corners = np.einsum("kij,kij->ij", integral.ravel().take(corners), weights)
    cells = np.diff(np.diff(at_corners, axis=0), axis=1)
    thumb: np.ndarray = np.rint(cells).astype(np.uint8)
    return thumb


@functools.lru_cache(maxsize=8)
def _area_plan(height: int, width: int, out_h: int, out_w: int) -> tuple[np.ndarray, np.ndarray]:
    """Where the (out_h+1) x (out_w+1) cell corners fall in the integral image of a
    height x width picture: flat indices of the 4 integral pixels around each corner, and their
    bilinear weights divided by a cell's area (so the result is a mean)."""

    def axis(size: int, cells: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        position = np.arange(cells + 1) * (size / cells)
        low = np.minimum(np.floor(position).astype(np.intp), size)
        return low, np.minimum(low + 1, size), position - low

    y0, y1, fy = axis(height, out_h)
    x0, x1, fx = axis(width, out_w)
    stride = width + 1  # the integral image is (height+1) x (width+1)
    rows0, rows1, fy = y0[:, None] * stride, y1[:, None] * stride, fy[:, None]
    corners = np.stack([rows0 + x0, rows0 + x1, rows1 + x0, rows1 + x1])
    area = (height / out_h) * (width / out_w)
    weights = np.stack([(1 - fy) * (1 - fx), (1 - fy) * fx, fy * (1 - fx), fy * fx]) / area
    corners.setflags(write=False)
    weights.setflags(write=False)
    return corners, weights


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
