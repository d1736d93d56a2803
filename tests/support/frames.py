"""The JPEG frames a local server connection received, decoded, and what tests ask of them:
the first frame from now on that satisfies a predicate, and whether a rectangle is masked."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np

from liveview.capture.masks import MASK_COLOUR_BGR
from liveview.desktop.geometry import Region

Image = np.ndarray
FRAME_TIMEOUT_S = 15.0


def frames_after(connection: Any, index: int) -> list[tuple[int, Image]]:
    found = []
    for i, message in enumerate(connection.received[index + 1 :], start=index + 1):
        video = message.get("realtimeInput", {}).get("video")
        if video:
            data = np.frombuffer(base64.b64decode(video["data"]), np.uint8)
            found.append((i, cv2.imdecode(data, cv2.IMREAD_COLOR)))
    return found


async def frame_where(
    connection: Any, predicate: Callable[[Image], bool], *, since: int | None = None
) -> Image:
    """The first frame received from now on (or from message `since` on) for which
    `predicate` holds."""
    seen = (len(connection.received) if since is None else since) - 1
    loop = asyncio.get_running_loop()
    deadline = loop.time() + FRAME_TIMEOUT_S
    while loop.time() < deadline:
        for index, image in frames_after(connection, seen):
            seen = index
            if predicate(image):
                return image
        await asyncio.sleep(0.05)
    raise AssertionError("no such frame reached the server")


def crop(image: Image, rect: Region) -> Image:
    return image[rect.y : rect.bottom, rect.x : rect.right]


def flat(image: Image, rect: Region) -> bool:
    """The rectangle is the mask's flat colour (JPEG noise allowed)."""
    part = crop(image, rect).astype(np.int16)
    close = np.abs(part - np.array(MASK_COLOUR_BGR, np.int16)).max(axis=2) <= 12
    return bool(close.mean() > 0.995)
