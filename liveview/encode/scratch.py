"""Kept buffers for the per-frame pixel work (the resized frame, its grey copy, the integral image).

Each frame made a few MB of fresh arrays (a 960x540 BGRA resize is 2 MB, the integral image of
its grey copy 2 MB more). Arrays that size come from the operating system and go back to it
when freed, so every frame paid ~1,200 page faults and the kernel zeroing those pages: about
3 ms of CPU per frame sent here, more than the resize and the thumbnail together. Written
into the same buffers frame after frame, they cost nothing past the first.

A Scratch belongs to one worker at a time (the video pipeline's frames are examined one after
another): what a function writes into it is valid until the next call that uses the same
Scratch, so nothing made in it may be kept (copy what must outlive the frame).
"""

from __future__ import annotations

import numpy as np


class Scratch:
    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: type = np.uint8) -> np.ndarray:
        """The buffer `name` of `shape` and `dtype` (contents undefined); a new one when the
        shape or type changed (a new source size)."""
        buffer = self._buffers.get(name)
        if buffer is None or buffer.shape != shape or buffer.dtype != dtype:
            buffer = self._buffers[name] = np.empty(shape, dtype)
        return buffer

    def holds(self, array: np.ndarray) -> bool:
        """Whether `array` lies in one of the kept buffers (so it must be copied to be kept)."""
        return any(np.shares_memory(array, b) for b in self._buffers.values())
