"""Fakes for the pure audio tests: a clock the test moves, and PCM whose order shows."""

from __future__ import annotations

import numpy as np

RATE = 24000


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance_ms(self, ms: float) -> None:
        self.now += ms / 1000.0


def ramp(ms: int, start: int = 1) -> bytes:
    """Distinct non-zero samples so that order and gaps are visible."""
    n = ms * RATE // 1000
    return (np.arange(start, start + n) % 30000 + 1).astype("<i2").tobytes()
