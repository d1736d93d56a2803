"""The stall watchdog, without I/O: a sent turn starts a clock and anything the server answers
stops it. Quiet for `notice_s`, the user is told once that liveview is still waiting; quiet for
`reconnect_s`, the connection is given up (the reconnect policy then decides). The controller
asks `next_deadline()` to time its wait for the next event, and `check(now)` when it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

STALL_NOTICE_S = 10.0
STALL_RECONNECT_S = 45.0


class Stall(Enum):
    NOTICE = "notice"  # say once that the server is quiet
    GIVE_UP = "give up"  # the connection is dead in all but name


@dataclass
class StallWatchdog:
    notice_s: float = STALL_NOTICE_S
    reconnect_s: float = STALL_RECONNECT_S
    awaiting_since: float | None = None  # a turn was sent; nothing came back yet
    noticed: bool = False

    def turn_sent(self, now: float) -> None:
        """A turn went out; a turn sent while one is awaited keeps the first one's clock."""
        if self.awaiting_since is None:
            self.awaiting_since = now
            self.noticed = False

    def stop(self) -> None:
        """An answer came, or the connection was left: nothing is awaited."""
        self.awaiting_since = None

    def next_deadline(self) -> float | None:
        """When `check` has something to say next (None: nothing is awaited)."""
        since = self.awaiting_since
        if since is None:
            return None
        return since + (self.reconnect_s if self.noticed else min(self.notice_s, self.reconnect_s))

    def check(self, now: float) -> Stall | None:
        since = self.awaiting_since
        if since is None:
            return None
        if now >= since + self.reconnect_s:
            return Stall.GIVE_UP
        if now >= since + self.notice_s and not self.noticed:
            self.noticed = True
            return Stall.NOTICE
        return None
