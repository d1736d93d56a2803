"""A small JPEG of a sent frame, for the history list and transcript: a pure function.

Decoding at a reduced scale (libjpeg scales by 1/2, 1/4, 1/8 while decoding) makes a 1024 px
frame into a 160 px thumbnail for a fraction of a full decode. Blocking CPU work: the history
writer runs it on its own thread.
"""

from __future__ import annotations

import cv2
import numpy as np

from liveview.encode.jpeg import encode_jpeg

THUMBNAIL_MAX_SIDE_PX = 160
THUMBNAIL_QUALITY = 70
# The reduced decodes OpenCV offers, largest reduction first.
_REDUCED = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4),
            (2, cv2.IMREAD_REDUCED_COLOR_2))  # fmt: skip


def _decode_near(data: bytes, width: int, max_side: int) -> np.ndarray | None:
    buffer = np.frombuffer(data, dtype=np.uint8)
    flag = cv2.IMREAD_COLOR
    for factor, reduced in _REDUCED:
        if width // factor >= max_side:
            flag = reduced
            break
    image: np.ndarray | None = cv2.imdecode(buffer, flag)
    return image


def _jpeg_width(data: bytes) -> int:
    """Width from the JPEG's SOF header (0 when not found): picks the decode reduction."""
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return 0
        marker = data[i + 1]
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return int.from_bytes(data[i + 7 : i + 9], "big")
        i += 2 + length
    return 0


def make_thumbnail(jpeg: bytes, max_side: int = THUMBNAIL_MAX_SIDE_PX) -> bytes:
    """A JPEG at most `max_side` px on its long side. Raises ValueError for a non-JPEG."""
    image = _decode_near(jpeg, _jpeg_width(jpeg), max_side)
    if image is None:
        raise ValueError("not a decodable JPEG")
    return encode_jpeg(image, max_side, THUMBNAIL_QUALITY).data
