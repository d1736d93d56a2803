"""What the user sends, held across connections: microphone audio, typed turns, push-to-talk,
mute, video frames and the answers to the model's function calls.

While there is no connection, microphone audio is kept (up to MIC_BACKLOG_S, oldest dropped)
and typed turns are queued; on the next connection both go out in the order they were made.
When a connection closes, what it never got to send is taken back the same way. Plain code
on the event loop: no I/O of its own, no clock of its own (times are passed in).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from liveview.core.mic_backlog import MicBacklog
from liveview.core.stats import SessionStats
from liveview.protocol import messages as msg
from liveview.transport.client import LiveConnection

MAX_QUEUED_TURNS = 50


class Uplink:
    def __init__(
        self,
        stats: SessionStats,
        *,
        push_to_talk: bool,
        on_turn_sent: Callable[[float], None],
    ) -> None:
        self._stats = stats
        # audioStreamEnd belongs to automatic activity detection: with push-to-talk (detection
        # disabled) activityEnd ends the turn, and the service refuses the marker.
        self._push_to_talk = push_to_talk
        self._on_turn_sent = on_turn_sent  # a turn went out: the reply is now awaited
        self._conn: LiveConnection | None = None
        self._backlog = MicBacklog()
        self._queued: deque[msg.ClientTurns] = deque(maxlen=MAX_QUEUED_TURNS)
        self.muted = False

    @property
    def connected(self) -> bool:
        return self._conn is not None

    # -- connections -------------------------------------------------------------------------

    def attach(self, conn: LiveConnection, now: float) -> None:
        """Use `conn`; what was held while disconnected goes first, in order."""
        self._conn = conn
        for chunk in self._backlog.take_all():
            conn.send(chunk)
        while self._queued:
            conn.send(self._queued.popleft())
            self._on_turn_sent(now)

    def detach(self) -> None:
        """Stop using the connection at once: what arrives while it closes is held."""
        self._conn = None

    def take_back(self, unsent: list[msg.ClientMessage]) -> None:
        """The closed connection's unsent audio and turns go in front of what was held since."""
        audio = [m for m in unsent if isinstance(m, msg.AudioChunk)]
        turns = [m for m in unsent if isinstance(m, msg.ClientTurns)]
        self._backlog.put_back(audio)
        self._queued.extendleft(reversed(turns))

    # -- what the user does ------------------------------------------------------------------

    def send_turn(self, turns: msg.ClientTurns, now: float) -> bool:
        """A typed turn (or seeded context); False when it was queued for the next connection."""
        if self._conn is None:
            self._queued.append(turns)
            return False
        self._conn.send(turns)
        if turns.turn_complete:
            self._on_turn_sent(now)
        return True

    def mic_chunk(self, chunk: msg.AudioChunk) -> None:
        if self.muted:
            return
        if self._conn is None:
            self._backlog.add(chunk)
            self._stats.mic_chunks_dropped = self._backlog.dropped
            return
        self._conn.send(chunk)

    @property
    def video_waiting(self) -> bool:
        """A frame is in the latest-only lane, not yet taken by the sender."""
        return self._conn is not None and self._conn.lanes.video_waiting

    def video_frame(self, jpeg: bytes) -> bool:
        """True when it replaced a frame that had not been sent yet."""
        if self._conn is None:
            return False  # video simply restarts with a fresh frame after a reconnect
        return self._conn.send(msg.VideoFrame(jpeg))

    def set_muted(self, muted: bool) -> None:
        """Muting tells the service the stream paused, so its voice detection does not hang."""
        if muted and not self.muted and self._conn is not None and not self._push_to_talk:
            self._conn.send(msg.AudioStreamEnd())
        self.muted = muted

    def activity(self, start: bool, now: float) -> bool:
        """Push-to-talk pressed (start) or released; False when it could not be sent."""
        if not self._push_to_talk or self._conn is None:
            return False
        self._conn.send(msg.ActivityStart() if start else msg.ActivityEnd())
        if not start:
            self._on_turn_sent(now)
        return True

    def tool_response(self, response: msg.FunctionResponse) -> bool:
        """An answer to a call of this connection; False when the connection is gone (a new one
        does not accept answers to the old calls)."""
        if self._conn is None:
            return False
        self._conn.send(msg.ToolResponse((response,)))
        return True
