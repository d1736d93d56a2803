"""Resize + JPEG encoding of captured frames: pure functions, no I/O, no clock.

The path is BGRA/BGR -> (integer-factor) INTER_AREA resize on a contiguous array -> BGR ->
`cv2.imencode('.jpg')`. Never a PNG round trip (≈170 ms a 1080p frame here against ≈2 ms).

Why the integer factor: OpenCV's INTER_AREA has a fast path when the source size is an exact
integer multiple of the destination (measured here on 1920x1080: ~0.5 ms to 960x540 against
~11 ms to 1024x576). So when an exact 1/k of the frame lands close below the requested long side
(within INTEGER_FACTOR_TOLERANCE), that size is used instead of the exact target. Otherwise the
frame is first reduced by the largest integer factor that keeps it above the target (cheap), and
only the remaining small step goes through the general INTER_AREA path.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from liveview.encode.scratch import Scratch
from liveview.errors import ConfigError

DEFAULT_MAX_SIDE_PX = 1024  # ~768-1024 px on the long side is all the Live models use (PROTOCOL.md)
DEFAULT_JPEG_QUALITY = 80
MIN_MAX_SIDE_PX = 64
MAX_MAX_SIDE_PX = 4096
# Accept an exact 1/k downscale when it is at most this fraction below the requested long side:
# 1920 -> 960 for a 1024 target (6 % smaller) costs ~20x less than 1920 -> 1024.
INTEGER_FACTOR_TOLERANCE = 0.10


def validate_encode_settings(max_side: int, quality: int) -> None:
    if not MIN_MAX_SIDE_PX <= max_side <= MAX_MAX_SIDE_PX:
        raise ConfigError(
            f"max side {max_side} px is out of range: use {MIN_MAX_SIDE_PX}..{MAX_MAX_SIDE_PX} "
            f"(1024 is plenty for the model)."
        )
    if not 1 <= quality <= 100:
        raise ConfigError(
            f"JPEG quality {quality} is out of range: use 1..100 (80 is a good default)."
        )


@dataclass(frozen=True)
class EncodeSettings:
    """How big and how sharp an encoded frame is."""

    max_side: int = DEFAULT_MAX_SIDE_PX
    quality: int = DEFAULT_JPEG_QUALITY

    def __post_init__(self) -> None:
        validate_encode_settings(self.max_side, self.quality)


# "Send a sharp snapshot now": a full-HD screen keeps its native size, text stays legible.
SNAPSHOT_SETTINGS = EncodeSettings(max_side=2048, quality=90)


@dataclass(frozen=True, eq=False)
class EncodedFrame:
    """One JPEG image ready for `realtimeInput.video` (mimeType image/jpeg)."""

    data: bytes
    width: int
    height: int

    mime_type: str = "image/jpeg"


def plan_resize(width: int, height: int, max_side: int) -> tuple[int, int, int]:
    """Return (pre_factor, out_width, out_height) for a frame of width x height.

    `pre_factor` is an integer k >= 1: the frame is first cropped to a multiple of k and reduced
    by exactly k (OpenCV's cheap path); if (out_width, out_height) differs from that, a general
    INTER_AREA step follows. Never upscales.
    """
    long_side = max(width, height)
    if long_side <= max_side:
        return 1, width, height
    k_up = -(-long_side // max_side)  # ceil: the smallest integer factor that fits
    if long_side // k_up >= max_side * (1.0 - INTEGER_FACTOR_TOLERANCE):
        return k_up, max(1, width // k_up), max(1, height // k_up)
    k_down = long_side // max_side  # largest integer factor that keeps us above the target
    scale = max_side / long_side
    return k_down, max(1, round(width * scale)), max(1, round(height * scale))


def resize_to_max_side(
    image: np.ndarray, max_side: int, scratch: Scratch | None = None
) -> np.ndarray:
    """Downscale `image` (any channel count) so its long side is <= max_side; never upscale.
    With `scratch`, the result (if resized) is written into its buffers (see encode.scratch)."""
    height, width = image.shape[:2]
    factor, out_w, out_h = plan_resize(width, height, max_side)
    if factor == 1 and (out_w, out_h) == (width, height):
        return image
    if factor > 1:
        image = reduce_by(image, factor, scratch)
    if image.shape[1] != out_w or image.shape[0] != out_h:
        dst = _dst(scratch, "resize", image, out_w, out_h)
        image = cv2.resize(image, (out_w, out_h), dst, interpolation=cv2.INTER_AREA)
    return image


def _dst(
    scratch: Scratch | None, name: str, image: np.ndarray, width: int, height: int
) -> np.ndarray | None:
    if scratch is None:
        return None
    return scratch.get(name, (height, width, *image.shape[2:]))


def reduce_by(image: np.ndarray, factor: int, scratch: Scratch | None = None) -> np.ndarray:
    """Average `factor` x `factor` blocks (INTER_AREA by an integer), cropping at most factor-1
    edge pixels so the scale is exact.

    Only a reduction by exactly 2 is OpenCV's vectorised fast path (~0.5 ms for a 1080p BGRA
    frame here); by 3 or 4 it is ~5x slower per pixel. So an even factor is taken as halvings
    (a 4x4 mean is the 2x2 mean of 2x2 means, give or take one level of rounding); what is left
    of an odd factor goes through OpenCV as one step.
    """
    steps = 0
    while factor > 1:
        step = 2 if factor % 2 == 0 else factor
        height, width = image.shape[:2]
        # The crop is a row-strided view: OpenCV takes the row step as is (pixels within a row
        # stay contiguous), so no copy of the frame is made.
        cropped = image[: (height // step) * step, : (width // step) * step]
        size = (width // step, height // step)
        # One buffer per step: a step never writes into its own input.
        dst = _dst(scratch, f"reduce{steps}", image, *size)
        image = cv2.resize(cropped, size, dst, interpolation=cv2.INTER_AREA)
        factor //= step
        steps += 1
    return image


def preview_of(image: np.ndarray, max_side: int) -> np.ndarray:
    """A small BGR copy for a preview on screen: halvings (the fast path), then bilinear for the
    last step of less than 2x. Not for what is sent: bilinear skips pixels at a larger step, and
    an on-screen preview is all it is (~0.2 ms for 960x540 -> 320x180 against ~1.2 ms for
    INTER_AREA by 3)."""
    height, width = image.shape[:2]
    while max(height, width) >= 2 * max_side:
        image = reduce_by(image, 2)
        height, width = image.shape[:2]
    if max(height, width) > max_side:
        scale = max_side / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_LINEAR)
    return to_bgr(image)


def to_bgr(image: np.ndarray) -> np.ndarray:
    """BGR view of a BGR, BGRA or grey uint8 image (contiguous)."""
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got {image.dtype}")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    channels = image.shape[2]
    if channels == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if channels == 3:
        return np.ascontiguousarray(image)
    raise ValueError(f"expected 1, 3 or 4 channels, got {channels}")


def encode_jpeg(
    image: np.ndarray,
    max_side: int = DEFAULT_MAX_SIDE_PX,
    quality: int = DEFAULT_JPEG_QUALITY,
) -> EncodedFrame:
    """Resize a BGR/BGRA frame to at most `max_side` on its long side and JPEG-encode it.

    Blocking CPU work (~1-3 ms for a 1080p screen): call it from a worker thread.
    """
    validate_encode_settings(max_side, quality)
    # Resize first (on 4 channels if need be): the colour conversion then touches 4x fewer pixels.
    return encode_resized(resize_to_max_side(image, max_side), quality)


def encode_resized(small: np.ndarray, quality: int = DEFAULT_JPEG_QUALITY) -> EncodedFrame:
    """JPEG-encode an image already at its final size (the output of resize_to_max_side).

    BGRA goes to the encoder as it is: OpenCV's JPEG writer drops the fourth channel row by row
    as it feeds libjpeg (the same JPEG, byte for byte), where a BGR copy first would be one more
    pass over the picture."""
    if small.ndim != 3 or small.shape[2] != 4 or small.dtype != np.uint8:
        small = to_bgr(small)  # grey stays a colour JPEG, as the model has always been sent
    ok, buffer = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("OpenCV could not encode the frame as JPEG")
    return EncodedFrame(data=buffer.tobytes(), width=small.shape[1], height=small.shape[0])


def encode_with(image: np.ndarray, settings: EncodeSettings) -> EncodedFrame:
    return encode_jpeg(image, max_side=settings.max_side, quality=settings.quality)


def decode_jpeg(data: bytes) -> np.ndarray:
    """BGR pixels of a JPEG (for previews and tests)."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError("not a decodable JPEG")
    return image
