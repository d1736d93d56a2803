"""Known pictures for capture tests, a PSNR measure, and a real X window that shows a picture."""

from __future__ import annotations

import math
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

needs_display = pytest.mark.skipif(
    not os.environ.get("DISPLAY"),
    reason="no X display: run the tests through `. scripts/test-env.sh` (it starts Xvfb)",
)


def make_pattern(width: int, height: int, seed: int = 0) -> np.ndarray:
    """Colour blocks, a diagonal band and large text: BGR uint8, smooth enough for JPEG."""
    rng = np.random.default_rng(seed)
    image = np.empty((height, width, 3), dtype=np.uint8)
    cols, rows = 8, 4
    for r in range(rows):
        for c in range(cols):
            colour = tuple(int(v) for v in rng.integers(30, 226, size=3))
            image[
                r * height // rows : (r + 1) * height // rows,
                c * width // cols : (c + 1) * width // cols,
            ] = colour
    cv2.line(image, (0, 0), (width - 1, height - 1), (255, 255, 255), thickness=max(4, width // 40))
    cv2.putText(
        image,
        f"liveview {seed}",
        (width // 10, height // 2),
        cv2.FONT_HERSHEY_SIMPLEX,
        width / 300,
        (0, 0, 0),
        max(2, width // 100),
        cv2.LINE_AA,
    )
    return image


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape, (a.shape, b.shape)
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def shrink(image: np.ndarray, width: int, height: int) -> np.ndarray:
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def write_video(path: Path, frames: list[np.ndarray], fps: float) -> Path:
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def numbered_frames(count: int, width: int = 160, height: int = 120) -> list[np.ndarray]:
    """Frame i is a flat grey of level 10 * i: its number survives JPEG compression."""
    return [np.full((height, width, 3), 10 * i, dtype=np.uint8) for i in range(count)]


def frame_number(image: np.ndarray) -> int:
    return round(float(image.mean()) / 10)
