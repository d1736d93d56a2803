"""The reconnect policy, a row at a time: every way a connection ends, and what follows."""

from __future__ import annotations

import pytest

from liveview.core.backoff import Backoff
from liveview.core.policy import Fail, Fresh, Moved, Phase, ReconnectPolicy, Resume, Retry
from liveview.errors import (
    ConfigError,
    ConnectionFailedError,
    FatalServiceError,
    LiveViewError,
    Setting,
    TransientServiceError,
    UnsupportedSettingError,
)
from liveview.transport.errors import SendBacklogError, StaleHandleError


def policy(**options: object) -> ReconnectPolicy:
    backoff = Backoff(rng=lambda: 1.0, max_attempts=3)  # the full ceiling, no jitter
    return ReconnectPolicy(backoff, **options)  # type: ignore[arg-type]


RULES = [
    # (what ended it, phase, ever connected, the action)
    (Moved("goAway"), Phase.LIVE, True, Resume),
    (StaleHandleError("session not found", code=1008), Phase.OPENING, True, Fresh),
    (StaleHandleError("session not found", code=1008), Phase.LIVE, True, Fresh),
    (FatalServiceError("bad key", setting=Setting.API_KEY), Phase.OPENING, False, Fail),
    (FatalServiceError("quota"), Phase.LIVE, True, Fail),
    (ConfigError("no url"), Phase.OPENING, False, Fail),
    (UnsupportedSettingError("code"), Phase.OPENING, True, Fail),
    (TransientServiceError("1011", code=1011), Phase.OPENING, True, Retry),
    (TransientServiceError("1011", code=1011), Phase.LIVE, True, Retry),
    (ConnectionFailedError("unreachable"), Phase.OPENING, True, Retry),
    (ConnectionFailedError("dropped"), Phase.LIVE, True, Retry),
    (SendBacklogError("stalled"), Phase.LIVE, True, Retry),
    (LiveViewError("something else"), Phase.LIVE, True, Fail),
]


@pytest.mark.parametrize(("cause", "phase", "ever", "action"), RULES)
def test_each_row_of_the_table(cause: object, phase: Phase, ever: bool, action: type) -> None:
    p = policy()
    if ever:
        p.connected(at=0.0)
    assert isinstance(p.decide(cause, phase, at=1.0), action)  # type: ignore[arg-type]


def test_a_script_fails_at_once_when_it_never_connected() -> None:
    p = policy(retry_first_connect=False)
    first = p.decide(ConnectionFailedError("unreachable"), Phase.OPENING, at=0.0)
    assert isinstance(first, Fail) and first.error.user_message == "unreachable"
    p.connected(at=1.0)  # once connected, a drop is retried
    assert isinstance(p.decide(ConnectionFailedError("drop"), Phase.LIVE, at=2.0), Retry)


def test_retries_back_off_and_give_up() -> None:
    p = policy()
    p.connected(at=0.0)
    delays = []
    for _ in range(3):
        action = p.decide(ConnectionFailedError("drop"), Phase.OPENING, at=0.0)
        assert isinstance(action, Retry)
        delays.append(action.after_s)
    assert delays == [0.25, 0.5, 1.0]  # doubling ceilings (full jitter at rng=1.0)
    last = p.decide(ConnectionFailedError("drop"), Phase.OPENING, at=0.0)
    assert isinstance(last, Fail) and last.error.user_message == "drop"


def test_a_connection_that_lasted_restarts_the_count() -> None:
    p = policy()
    p.backoff.stable_after_s = 30.0
    p.connected(at=0.0)
    for _ in range(3):
        p.decide(ConnectionFailedError("drop"), Phase.OPENING, at=0.0)
    p.connected(at=100.0)
    action = p.decide(ConnectionFailedError("drop"), Phase.LIVE, at=140.0)  # up for 40 s
    assert isinstance(action, Retry) and action.after_s == 0.25


def test_a_short_connection_does_not_restart_the_count() -> None:
    p = policy()
    p.connected(at=0.0)
    for _ in range(3):
        p.decide(ConnectionFailedError("drop"), Phase.OPENING, at=0.0)
    p.connected(at=100.0)
    assert isinstance(p.decide(ConnectionFailedError("drop"), Phase.LIVE, at=101.0), Fail)
