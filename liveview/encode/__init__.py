"""Pure video encoding: resize + JPEG, change detection, a rate limiter and a latest-only slot.

No I/O and no clock of its own (clocks are injected), so all of it runs in tests as is.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2

from liveview.encode.change import (
    DEFAULT_CHANGE_THRESHOLD,
    DEFAULT_KEEPALIVE_S,
    ChangeDetector,
    changed_fraction,
    thumbnail,
)
from liveview.encode.jpeg import (
    DEFAULT_JPEG_QUALITY,
    DEFAULT_MAX_SIDE_PX,
    SNAPSHOT_SETTINGS,
    EncodedFrame,
    EncodeSettings,
    decode_jpeg,
    encode_jpeg,
    encode_resized,
    encode_with,
    plan_resize,
    preview_of,
    reduce_by,
    resize_to_max_side,
    to_bgr,
)
from liveview.encode.throttle import DEFAULT_FPS, MAX_FPS, Clock, LatestSlot, RateLimiter

# One thread for OpenCV's own loops. liveview already runs every pixel operation on a worker
# thread, one frame at a time; OpenCV splitting a ~1 ms resize or colour conversion over both
# cores of this machine saved wall time nobody waits for and cost ~0.7 ms more CPU per frame
# sent (waking and joining its pool), measured in `liveview bench capture`'s process section.
cv2.setNumThreads(1)


@dataclass
class VideoCounters:
    """Running totals of the video path (updated on the event loop only)."""

    captured: int = 0  # frames taken from the source and looked at
    encoded: int = 0  # JPEGs made
    sent: int = 0  # JPEGs handed to the transport's video lane
    skipped_unchanged: int = 0  # looked at, not sent: same picture as the last one sent
    dropped_backpressure: int = 0  # sent frames replaced in the lane before the socket took them
    bytes_sent: int = 0  # JPEG bytes handed to the lane


__all__ = [
    "DEFAULT_CHANGE_THRESHOLD",
    "DEFAULT_FPS",
    "DEFAULT_JPEG_QUALITY",
    "DEFAULT_KEEPALIVE_S",
    "DEFAULT_MAX_SIDE_PX",
    "MAX_FPS",
    "SNAPSHOT_SETTINGS",
    "ChangeDetector",
    "Clock",
    "EncodeSettings",
    "EncodedFrame",
    "LatestSlot",
    "RateLimiter",
    "VideoCounters",
    "changed_fraction",
    "decode_jpeg",
    "encode_jpeg",
    "encode_resized",
    "encode_with",
    "plan_resize",
    "preview_of",
    "reduce_by",
    "resize_to_max_side",
    "thumbnail",
    "to_bgr",
]
