"""Reconnect backoff: exponential with full jitter, capped attempts, reset after a stable period."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

BACKOFF_BASE_S = 0.25
BACKOFF_MAX_S = 10.0
MAX_ATTEMPTS = 8
# A connection that stayed up this long proves the network is back: start counting afresh.
STABLE_AFTER_S = 30.0


@dataclass
class Backoff:
    base_s: float = BACKOFF_BASE_S
    max_s: float = BACKOFF_MAX_S
    max_attempts: int = MAX_ATTEMPTS
    stable_after_s: float = STABLE_AFTER_S
    rng: Callable[[], float] = field(default=random.random)
    attempts: int = 0

    def next_delay_s(self) -> float | None:
        """The wait before the next attempt, or None when the cap is reached."""
        if self.attempts >= self.max_attempts:
            return None
        # The first retry is immediate-ish: most drops on a healthy link recover at once.
        ceiling = min(self.max_s, self.base_s * (2**self.attempts))
        self.attempts += 1
        return float(ceiling * self.rng())

    def connection_lasted(self, seconds: float) -> None:
        if seconds >= self.stable_after_s:
            self.attempts = 0
