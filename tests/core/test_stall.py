"""The stall watchdog's rules, one row each: no sockets, no clock but the numbers given."""

from __future__ import annotations

import pytest

from liveview.core.stall import Stall, StallWatchdog

# (what happens, at what time) -> what check() says then, and the next deadline after it
ROWS = [
    # nothing sent: nothing to watch
    ([], 100.0, None, None),
    # sent at 0: quiet until 10 s, then a notice once, then give up at 45 s
    ([("sent", 0.0)], 5.0, None, 10.0),
    ([("sent", 0.0)], 10.0, Stall.NOTICE, 45.0),
    ([("sent", 0.0), ("check", 10.0)], 20.0, None, 45.0),  # the notice is said once
    ([("sent", 0.0), ("check", 10.0)], 45.0, Stall.GIVE_UP, 45.0),
    ([("sent", 0.0)], 50.0, Stall.GIVE_UP, 10.0),  # woken late: the worse word wins
    # an answer stops the clock; the next turn starts it anew
    ([("sent", 0.0), ("answered", 3.0)], 60.0, None, None),
    ([("sent", 0.0), ("check", 10.0), ("answered", 12.0), ("sent", 30.0)], 35.0, None, 40.0),
    (
        [("sent", 0.0), ("check", 10.0), ("answered", 12.0), ("sent", 30.0)],
        40.0,
        Stall.NOTICE,
        75.0,
    ),
    # a second turn while one is awaited keeps the first one's clock
    ([("sent", 0.0), ("sent", 8.0)], 10.0, Stall.NOTICE, 45.0),
]


@pytest.mark.parametrize(("history", "now", "said", "next_deadline"), ROWS)
def test_the_watchdog_row_by_row(
    history: list[tuple[str, float]], now: float, said: Stall | None, next_deadline: float | None
) -> None:
    watchdog = StallWatchdog(notice_s=10.0, reconnect_s=45.0)
    for what, at in history:
        if what == "sent":
            watchdog.turn_sent(at)
        elif what == "answered":
            watchdog.stop()
        else:
            watchdog.check(at)
    assert watchdog.check(now) is said
    assert watchdog.next_deadline() == next_deadline


def test_a_notice_longer_than_the_limit_never_delays_giving_up() -> None:
    watchdog = StallWatchdog(notice_s=60.0, reconnect_s=45.0)
    watchdog.turn_sent(0.0)
    assert watchdog.next_deadline() == 45.0
    assert watchdog.check(45.0) is Stall.GIVE_UP
