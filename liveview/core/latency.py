"""The time from the end of the user's turn to the first sound (or text) of the reply.

The end of a turn is the last chunk the level meter heard as speech, the release of
push-to-talk, or a typed turn being sent; the first reply audio (or transcript) stops the clock.
Times come from the caller's clock.
"""

from __future__ import annotations


class ReplyLatency:
    def __init__(self) -> None:
        self._user_done_at: float | None = None
        self._waiting = False
        self.last_s: float | None = None

    def user_done(self, at: float) -> None:
        """The user finished a turn (or is still speaking: the newest moment counts)."""
        self._user_done_at = at
        self._waiting = True

    def reply_started(self, at: float) -> float | None:
        """The first part of a reply arrived: the latency, once per turn."""
        if not self._waiting or self._user_done_at is None:
            return None
        self._waiting = False
        self.last_s = at - self._user_done_at
        return self.last_s
