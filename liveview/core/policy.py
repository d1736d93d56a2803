"""What to do when a connection could not be opened or has ended: sans I/O, one table.

Every close and exception maps to one action: Resume (a new connection with the resumption
handle), Fresh (the handle is stale: a new session, said once), Retry (wait, then try again;
the backoff says how long and when to give up) or Fail (say why, name the setting that fixes
it, never retry). The policy holds the backoff state and the two rules that depend on history:
a session that has never connected is not retried when the caller says so (a script wants one
clear failure), and a connection that lasted proves the network is back (the count restarts).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from liveview.core.backoff import Backoff
from liveview.errors import (
    ConfigError,
    ConnectionFailedError,
    FatalServiceError,
    LiveViewError,
    ServiceError,
)
from liveview.transport.errors import StaleHandleError


class Phase(Enum):
    OPENING = "opening"  # the connection or its setup failed
    LIVE = "live"  # an open connection ended


@dataclass(frozen=True)
class Moved:
    """The controller itself left the connection (goAway handled, a stall given up): not an
    error."""

    reason: str


@dataclass(frozen=True)
class Resume:
    reason: str


@dataclass(frozen=True)
class Fresh:
    notice: str


@dataclass(frozen=True)
class Retry:
    after_s: float
    reason: str


@dataclass(frozen=True)
class Fail:
    error: LiveViewError


Action = Resume | Fresh | Retry | Fail
Cause = LiveViewError | Moved
STALE_NOTICE = "The earlier session expired; starting a fresh one."

# (what ended it, in which phase, what to do), first match wins. "retry" asks the backoff.
_TABLE: tuple[tuple[type[LiveViewError] | type[Moved], Phase | None, str], ...] = (
    (Moved, Phase.LIVE, "resume"),
    (StaleHandleError, None, "fresh"),
    (FatalServiceError, None, "fail"),
    (ConfigError, None, "fail"),
    (ServiceError, Phase.OPENING, "retry_if_ever_connected"),
    (ConnectionFailedError, Phase.OPENING, "retry_if_ever_connected"),
    (ServiceError, Phase.LIVE, "retry"),
    (ConnectionFailedError, Phase.LIVE, "retry"),
    (LiveViewError, None, "fail"),
)


class ReconnectPolicy:
    def __init__(
        self,
        backoff: Backoff | None = None,
        *,
        retry_first_connect: bool = True,
    ) -> None:
        self.backoff = backoff or Backoff()
        # Scripted runs want one clear failure when the very first connection cannot be made;
        # the window keeps trying (the network may come back).
        self.retry_first_connect = retry_first_connect
        self.ever_connected = False
        self._connected_at: float | None = None

    def connected(self, at: float) -> None:
        self.ever_connected = True
        self._connected_at = at

    def decide(self, cause: Cause, phase: Phase, at: float) -> Action:
        """The action for a connection that failed to open (OPENING) or ended (LIVE) at `at`."""
        if phase is Phase.LIVE and self._connected_at is not None:
            self.backoff.connection_lasted(at - self._connected_at)
            self._connected_at = None
        rule = next(r for kind, p, r in _TABLE if isinstance(cause, kind) and p in (None, phase))
        if rule == "resume":
            assert isinstance(cause, Moved)
            return Resume(cause.reason)
        assert isinstance(cause, LiveViewError)
        if rule == "fresh":
            return Fresh(STALE_NOTICE)
        if rule == "fail" or (
            rule == "retry_if_ever_connected"
            and not (self.ever_connected or self.retry_first_connect)
        ):
            return Fail(cause)
        delay = self.backoff.next_delay_s()
        if delay is None:
            return Fail(cause)
        return Retry(delay, cause.user_message)
