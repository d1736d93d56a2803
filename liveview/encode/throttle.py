"""Pacing and dropping for video: a rate limiter with an injected clock and a latest-only slot.

Video keeps only the newest frame: a slow consumer never builds a queue of stale pictures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from liveview.errors import ConfigError

Clock = Callable[[], float]

DEFAULT_FPS = 1.0  # the Live models consume about one frame per second (PROTOCOL.md)
MAX_FPS = 5.0  # more costs tokens and bandwidth for nothing the model can use
MIN_FPS = 0.05  # one frame every 20 s; below that use snapshots

T = TypeVar("T")


def validate_fps(fps: float) -> float:
    if not MIN_FPS <= fps <= MAX_FPS:
        raise ConfigError(
            f"frame rate {fps:g} fps is out of range: use {MIN_FPS:g}..{MAX_FPS:g} "
            f"(the model consumes about 1 frame per second)."
        )
    return float(fps)


class RateLimiter:
    """At most `fps` events per second, spaced evenly, without bursts to catch up.

    `delay()` says how long to wait before the next event is allowed; `mark()` records that one
    happened now. A late event does not earn a burst later: spacing restarts from the mark.
    """

    def __init__(self, fps: float = DEFAULT_FPS, clock: Clock = time.monotonic) -> None:
        self._interval_s = 1.0 / validate_fps(fps)
        self._clock = clock
        self._last: float | None = None

    @property
    def interval_s(self) -> float:
        return self._interval_s

    def next_allowed_at(self) -> float:
        """Clock time from which the next event is allowed (now when nothing happened yet)."""
        if self._last is None:
            return self._clock()
        return self._last + self._interval_s

    def delay(self) -> float:
        """Seconds to wait before the next event is allowed (0.0 when it is allowed now)."""
        return max(0.0, self.next_allowed_at() - self._clock())

    def ready(self) -> bool:
        return self.delay() <= 0.0

    def mark(self) -> None:
        """Record an event now."""
        self._last = self._clock()

    def reset(self) -> None:
        self._last = None


class LatestSlot(Generic[T]):
    """Holds only the newest item. Putting over an untaken item replaces it and counts a drop.

    Thread-safe: a capture thread puts, the event loop peeks/takes.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._item: T | None = None
        self._fresh = False  # the item has not been taken yet
        self.puts = 0
        self.drops = 0

    def put(self, item: T) -> bool:
        """Store `item`; True when it replaced an item nobody took (that one is dropped)."""
        with self._lock:
            replaced = self._fresh
            if replaced:
                self.drops += 1
            self._item = item
            self._fresh = True
            self.puts += 1
            return replaced

    def take(self, *, keep: bool = False) -> T | None:
        """The newest untaken item, or None. The slot is then empty, unless `keep`: then the
        item stays visible to peek() but counts as taken (a later put is not a drop)."""
        with self._lock:
            if not self._fresh:
                return None
            item = self._item
            self._fresh = False
            if not keep:
                self._item = None
            return item

    @property
    def fresh(self) -> bool:
        """An item is waiting that nobody has taken yet."""
        with self._lock:
            return self._fresh

    def peek(self) -> T | None:
        """The newest item (taken or not), without consuming it."""
        with self._lock:
            return self._item

    def clear(self) -> None:
        with self._lock:
            self._item = None
            self._fresh = False
