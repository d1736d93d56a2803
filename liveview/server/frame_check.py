"""Received frames checked before anything decodes them: empty, not a JPEG, or too large.

A JPEG's header says its size; a few hundred bytes may claim 60000x60000 pixels (10 GB once
decoded). The size is read from the header first, and a frame past MAX_FRAME_SIDE_PX is refused
with a clear reason instead of being decoded. Pure functions; decoding blocks (call it on a thread).
"""

from __future__ import annotations

import struct

import cv2
import numpy as np

MAX_FRAME_SIDE_PX = 8192  # refused above this (the client's own limit is 4096, EncodeSettings)
MAX_FRAME_PIXELS = 40_000_000  # about 120 MB decoded; an 8K frame is 33 MP
# Start-of-frame markers (baseline, extended, progressive, lossless, arithmetic variants).
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
                          0xCE, 0xCF})  # fmt: skip
_REDUCED = ((1, cv2.IMREAD_COLOR), (2, cv2.IMREAD_REDUCED_COLOR_2),
            (4, cv2.IMREAD_REDUCED_COLOR_4), (8, cv2.IMREAD_REDUCED_COLOR_8))  # fmt: skip


class BadFrame(ValueError):
    """A frame that cannot be read; the message says why, for the person using the app."""


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG header, or None when the bytes are not a JPEG."""
    if len(data) < 4 or data[:2] != b"\xff\xd8":
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length field
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _SOF_MARKERS:
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        if length < 2:
            return None
        pos += 2 + length
    return None


def check_frame(data: bytes) -> tuple[int, int]:
    """The frame's size, or BadFrame saying why it is not readable (nothing is decoded)."""
    if not data:
        raise BadFrame("the frame was empty (0 bytes)")
    size = jpeg_size(data)
    if size is None:
        raise BadFrame(f"the frame is not a JPEG image ({len(data)} bytes that do not decode)")
    width, height = size
    if width < 1 or height < 1:
        raise BadFrame(f"the frame's header gives an empty size ({width}x{height})")
    if max(width, height) > MAX_FRAME_SIDE_PX or width * height > MAX_FRAME_PIXELS:
        raise BadFrame(
            f"the frame is {width}x{height} pixels, larger than the {MAX_FRAME_SIDE_PX} px "
            f"limit, so it was not decoded"
        )
    return width, height


def decode_checked(data: bytes, max_side: int | None = None) -> tuple[np.ndarray, int]:
    """Blocking: BGR pixels and the reduction factor (1, 2, 4 or 8) used so that the long side
    is at most `max_side` (None: full size). BadFrame when it cannot be read."""
    width, height = check_frame(data)
    factor, flag = _REDUCED[0]
    if max_side is not None:
        for factor, flag in _REDUCED:  # noqa: B007 -- the first that fits is used below
            if max(width, height) / factor <= max_side:
                break
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flag)
    if image is None:
        raise BadFrame(f"the frame's JPEG data is damaged ({len(data)} bytes, {width}x{height})")
    return image, factor
