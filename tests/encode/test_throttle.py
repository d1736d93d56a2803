from __future__ import annotations

import threading

import pytest

from liveview.encode import LatestSlot, RateLimiter
from liveview.errors import ConfigError


class FakeClock:
    """An injected clock: tests move time by hand."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_spaces_events_without_bursts() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, clock)
    assert limiter.interval_s == 0.5
    assert limiter.ready() and limiter.delay() == 0.0
    limiter.mark()
    assert not limiter.ready()
    assert limiter.delay() == pytest.approx(0.5)
    clock.now += 0.3
    assert limiter.delay() == pytest.approx(0.2)
    clock.now += 0.2
    assert limiter.ready()
    # Late by 10 s: one event now, and the next one a full interval later (no catch-up burst).
    clock.now += 10.0
    assert limiter.ready()
    limiter.mark()
    assert limiter.delay() == pytest.approx(0.5)
    assert limiter.next_allowed_at() == pytest.approx(clock.now + 0.5)
    limiter.reset()
    assert limiter.ready()


def test_rate_limiter_default_and_bounds() -> None:
    assert RateLimiter(clock=FakeClock()).interval_s == 1.0
    RateLimiter(5.0)
    for fps in (0.0, -1.0, 5.5, 30.0):
        with pytest.raises(ConfigError, match="fps"):
            RateLimiter(fps)


def test_latest_slot_keeps_only_the_newest_and_counts_drops() -> None:
    slot: LatestSlot[int] = LatestSlot()
    assert slot.take() is None and slot.peek() is None
    assert slot.put(1) is False
    assert slot.put(2) is True  # 1 was never taken: dropped
    assert slot.put(3) is True
    assert slot.drops == 2 and slot.puts == 3
    assert slot.take() == 3
    assert slot.take() is None
    assert slot.put(4) is False  # the slot was empty
    assert slot.take(keep=True) == 4
    assert slot.peek() == 4  # still visible, but taken
    assert slot.put(5) is False
    slot.clear()
    assert slot.peek() is None and slot.take() is None


def test_latest_slot_across_threads_loses_nothing_it_counts() -> None:
    slot: LatestSlot[int] = LatestSlot()
    taken: list[int] = []
    done = threading.Event()

    def consumer() -> None:
        while not done.is_set() or slot.peek() is not None:
            item = slot.take()
            if item is not None:
                taken.append(item)
            elif done.is_set():
                break

    thread = threading.Thread(target=consumer)
    thread.start()
    for i in range(20000):
        slot.put(i)
    done.set()
    thread.join()
    taken.extend(x for x in [slot.take()] if x is not None)
    assert taken == sorted(taken)  # never an older item after a newer one
    assert len(taken) + slot.drops == 20000
    assert taken[-1] == 19999
