"""Fault switches: make the local server misbehave the ways the real service and networks do.

Two ways in:
- one-shot faults queued for the next connection(s) (`drop_next_connection()`, ...), set at
  construction (`LocalLiveServer(faults=FaultSwitches(planned=[...]))`), from the command line
  (`--fault drop@setup`) or from a test at run time;
- immediate faults on the open connections (`drop_now()`, `close_now()`, `stall_now()`,
  `go_away_now()`), delivered to the server's loop whatever thread calls them.

Every method is thread-safe: a test may run the server on its own loop in another thread.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from liveview.errors import ConfigError
from liveview.server import texts


class FaultKind(StrEnum):
    DROP = "drop"  # cut TCP, no close frame (the client sees 1006)
    CLOSE = "close"  # a close frame with `code` and the service's reason for it
    STALL = "stall"  # read on, never answer
    MALFORMED = "malformed"  # a message cut off mid-JSON
    UNKNOWN_FIELDS = "unknown_fields"  # the next message carries fields no SDK knows
    REJECT = "reject"  # refuse the WebSocket upgrade with HTTP status `code`
    GO_AWAY = "go_away"  # goAway {timeLeft}, then close when it runs out (immediate only)


class FaultPoint(StrEnum):
    ACCEPT = "accept"  # as soon as the WebSocket opens (a stall: setupComplete never comes)
    SETUP = "setup"  # right after setupComplete
    TURN = "turn"  # once the next reply has started
    NOW = "now"  # on every open connection, at once (FaultSwitches.*_now())


# What can be planned for upcoming connections (a goAway belongs to a running connection).
PLANNED_KINDS = tuple(k for k in FaultKind if k is not FaultKind.GO_AWAY)
PLANNED_POINTS = tuple(p for p in FaultPoint if p is not FaultPoint.NOW)


@dataclass(frozen=True)
class Fault:
    """What to do, and when in the connection's life."""

    kind: FaultKind
    at: FaultPoint = FaultPoint.SETUP
    code: int = texts.CLOSE_INTERNAL
    reason: str = ""
    time_left_s: float = 0.0  # goAway only

    def __post_init__(self) -> None:
        # Tests and the CLI spell faults as plain strings ("drop", "setup"): hold the enums.
        object.__setattr__(self, "kind", FaultKind(self.kind))
        object.__setattr__(self, "at", FaultPoint(self.at))

    def close_reason(self) -> str:
        return self.reason or texts.DEFAULT_REASONS.get(self.code, texts.INTERNAL_ERROR)


class FaultSwitches:
    def __init__(
        self,
        planned: Iterable[Fault | tuple[Fault, int | None]] = (),
        *,
        read_bytes_per_s: float | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._queue: deque[list[Fault | int | None]] = deque()
        self._read_bytes_per_s = read_bytes_per_s
        self._now_hook: Callable[[Fault], None] | None = None
        for item in planned:
            fault, count = item if isinstance(item, tuple) else (item, 1)
            self.plan(fault, count)

    # --- one-shot faults for upcoming connections -------------------------------------------
    def plan(self, fault: Fault, count: int | None = 1) -> None:
        """Apply `fault` to the next `count` connections (None: every connection from now on)."""
        if fault.kind not in PLANNED_KINDS or fault.at not in PLANNED_POINTS:
            raise ConfigError(f"unknown fault {fault.kind}@{fault.at}")
        if count is not None and count < 1:
            return
        with self._lock:
            self._queue.append([fault, count])

    def drop_next_connection(
        self, at: FaultPoint = FaultPoint.SETUP, count: int | None = 1
    ) -> None:
        """Cut the TCP connection abruptly (no close frame: the client sees 1006)."""
        self.plan(Fault(FaultKind.DROP, at), count)

    def close_next_connection(
        self,
        code: int = texts.CLOSE_INTERNAL,
        reason: str = "",
        at: FaultPoint = FaultPoint.SETUP,
        count: int | None = 1,
    ) -> None:
        """Close with `code` and the service's reason text for it (or `reason`)."""
        self.plan(Fault(FaultKind.CLOSE, at, code, reason), count)

    def internal_error_next(self, at: FaultPoint = FaultPoint.SETUP, count: int | None = 1) -> None:
        self.close_next_connection(texts.CLOSE_INTERNAL, texts.INTERNAL_ERROR, at, count)

    def stall_next_connection(
        self, at: FaultPoint = FaultPoint.SETUP, count: int | None = 1
    ) -> None:
        """Keep reading but never send again (at="accept": setupComplete never comes)."""
        self.plan(Fault(FaultKind.STALL, at), count)

    def send_malformed_next(self, at: FaultPoint = FaultPoint.SETUP, count: int | None = 1) -> None:
        self.plan(Fault(FaultKind.MALFORMED, at), count)

    def send_unknown_fields_next(
        self, at: FaultPoint = FaultPoint.SETUP, count: int | None = 1
    ) -> None:
        self.plan(Fault(FaultKind.UNKNOWN_FIELDS, at), count)

    def reject_next_connection(self, status: int = 429, count: int | None = 1) -> None:
        """Refuse the upgrade with an HTTP error (429 is how the service says "quota")."""
        self.plan(Fault(FaultKind.REJECT, FaultPoint.ACCEPT, status), count)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def take_rejection(self) -> Fault | None:
        """At the upgrade: the head of the queue if it is a "reject" (taken), else None."""
        with self._lock:
            head = self._queue[0][0] if self._queue else None
            if not isinstance(head, Fault) or head.kind is not FaultKind.REJECT:
                return None
        return self.take_for_connection()

    def take_for_connection(self) -> Fault | None:
        """The fault for a connection that just opened (the head of the queue), if any."""
        with self._lock:
            if not self._queue:
                return None
            entry = self._queue[0]
            fault, count = entry
            assert isinstance(fault, Fault)
            if isinstance(count, int):
                entry[1] = count - 1
                if count - 1 <= 0:
                    self._queue.popleft()
            return fault

    # --- slow reading ------------------------------------------------------------------------
    @property
    def read_bytes_per_s(self) -> float | None:
        """Throttle reading of client messages to this many bytes per second (a bad uplink)."""
        with self._lock:
            return self._read_bytes_per_s

    @read_bytes_per_s.setter
    def read_bytes_per_s(self, value: float | None) -> None:
        if value is not None and value <= 0:
            raise ConfigError("read throttle must be a positive number of bytes per second")
        with self._lock:
            self._read_bytes_per_s = value

    # --- immediate faults on open connections -----------------------------------------------
    def set_now_hook(self, hook: Callable[[Fault], None] | None) -> None:
        with self._lock:
            self._now_hook = hook

    def _now(self, fault: Fault) -> None:
        with self._lock:
            hook = self._now_hook
        if hook is None:
            raise ConfigError("the server is not running")
        hook(fault)

    def drop_now(self) -> None:
        self._now(Fault(FaultKind.DROP, FaultPoint.NOW))

    def close_now(self, code: int = texts.CLOSE_INTERNAL, reason: str = "") -> None:
        self._now(Fault(FaultKind.CLOSE, FaultPoint.NOW, code, reason))

    def stall_now(self) -> None:
        self._now(Fault(FaultKind.STALL, FaultPoint.NOW))

    def go_away_now(self, time_left_s: float) -> None:
        """Send goAway {timeLeft} now and cut every open connection when it runs out."""
        self._now(Fault(FaultKind.GO_AWAY, FaultPoint.NOW, time_left_s=time_left_s))

    def send_malformed_now(self) -> None:
        self._now(Fault(FaultKind.MALFORMED, FaultPoint.NOW))

    def send_unknown_fields_now(self) -> None:
        self._now(Fault(FaultKind.UNKNOWN_FIELDS, FaultPoint.NOW))


def parse_fault_spec(spec: str) -> tuple[Fault, int | None]:
    """`KIND[:CODE][@POINT][*COUNT]`, e.g. `drop@turn`, `close:1011@setup*3`, `stall@accept*all`."""
    text, count = spec.strip(), "1"
    if "*" in text:
        text, count = text.split("*", 1)
    at = FaultPoint.SETUP.value
    if "@" in text:
        text, at = text.split("@", 1)
    kind, code = text, str(texts.CLOSE_INTERNAL)
    if ":" in text:
        kind, code = text.split(":", 1)
    kind = kind.replace("-", "_")
    if kind not in PLANNED_KINDS or at not in PLANNED_POINTS or not code.isdigit():
        raise ConfigError(
            f"bad fault {spec!r}: use KIND[:CODE][@POINT][*COUNT] with KIND one of "
            f"{', '.join(PLANNED_KINDS)}, POINT one of {', '.join(PLANNED_POINTS)}, "
            "COUNT a number or 'all'"
        )
    if count != "all" and not count.isdigit():
        raise ConfigError(f"bad fault count in {spec!r}: a number or 'all'")
    if kind == FaultKind.REJECT:  # an HTTP status, and only at the upgrade
        code, at = (code if ":" in text else "429"), FaultPoint.ACCEPT.value
    fault = Fault(FaultKind(kind), FaultPoint(at), int(code))
    return fault, None if count == "all" else int(count)
