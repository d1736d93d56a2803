"""The Live session state machine, sans I/O (in the manner of h11.Connection).

    session = LiveSession()
    wire = session.send(Setup(cfg))               # -> str to put on the socket
    events = session.receive(frame, now=clock()) # frame: str | bytes from the socket

It enforces the order the service demands (setup first and once; nothing else before
setupComplete) and keeps the facts a reconnect needs: the newest resumable handle, the goAway
deadline, and whether the model is mid-turn (the good moment to reconnect is between turns).
"""

from __future__ import annotations

from enum import Enum

from liveview.errors import LocalProtocolError, RemoteProtocolError
from liveview.protocol import events as ev
from liveview.protocol import messages as msg
from liveview.protocol.parser import parse_server_message


class SessionState(Enum):
    IDLE = "idle"  # nothing sent yet
    SETUP_SENT = "setup_sent"  # waiting for setupComplete
    ACTIVE = "active"  # setupComplete received: everything may flow
    CLOSED = "closed"


_AFTER_SETUP: tuple[type[msg.ClientMessage], ...] = (
    msg.AudioChunk, msg.VideoFrame, msg.RealtimeText, msg.ActivityStart, msg.ActivityEnd,
    msg.AudioStreamEnd, msg.ClientTurns, msg.ToolResponse,
)  # fmt: skip

# Which client message types each state lets through (the table is the whole rule).
_ALLOWED_TO_SEND: dict[SessionState, tuple[type[msg.ClientMessage], ...]] = {
    SessionState.IDLE: (msg.Setup,),
    SessionState.SETUP_SENT: (),
    SessionState.ACTIVE: _AFTER_SETUP,
    SessionState.CLOSED: (),
}

# Events that mean the model is producing a turn; turnComplete / interrupted end it.
_TURN_EVENTS = (
    ev.ModelText,
    ev.ModelAudio,
    ev.ModelInlineData,
    ev.OutputTranscription,
    ev.ExecutableCode,
    ev.CodeExecutionResult,
    ev.ToolCall,
)


class LiveSession:
    def __init__(self) -> None:
        self.state = SessionState.IDLE
        self.resumption_handle: str | None = None
        self.go_away_deadline: float | None = None  # when the connection will be cut
        self.go_away_time_left_s: float | None = None  # the goAway's timeLeft, as given
        self.model_turn_active = False
        # serverContent.interactionStatus IN_PROGRESS: the model works on in the background
        # (extended thinking), possibly over several turns, until it says IDLE.
        self.interaction_in_progress = False
        self.session_id = ""  # setupComplete.sessionId
        self.pending_tool_calls: dict[str, str] = {}  # id -> function name
        self.client_messages_sent = 0

    def send(self, message: msg.ClientMessage) -> str:
        """Check one client message against the state, record it, and return its wire text."""
        if not isinstance(message, msg.ClientMessage):
            raise LocalProtocolError(f"{type(message).__name__} is not a Live client message")
        if not self.can_send(type(message)):
            raise LocalProtocolError(self._refusal(message.kind))
        if isinstance(message, msg.Setup):
            self.state = SessionState.SETUP_SENT
        elif isinstance(message, msg.ToolResponse):
            for response in message.responses:
                self.pending_tool_calls.pop(response.id, None)
        self.client_messages_sent += 1
        return msg.to_json(message)

    def can_send(self, message_type: type[msg.ClientMessage]) -> bool:
        return issubclass(message_type, _ALLOWED_TO_SEND[self.state])

    def _refusal(self, kind: str) -> str:
        if self.state is SessionState.SETUP_SENT:
            return f"cannot send {kind} before setupComplete"
        if self.state is SessionState.IDLE:
            return f"cannot send {kind} before setup"
        if self.state is SessionState.CLOSED:
            return f"cannot send {kind}: the session is closed"
        return f"cannot send {kind} twice: setup is sent once per connection"

    def receive(self, data: str | bytes, now: float) -> list[ev.Event]:
        """Parse one server frame; update the state; return its events in order."""
        if self.state is SessionState.CLOSED:
            raise RemoteProtocolError("server sent a message after the session closed")
        events = parse_server_message(data)
        for event in events:
            self._apply(event, now)
        return events

    def _apply(self, event: ev.Event, now: float) -> None:
        if isinstance(event, ev.SetupComplete):
            if self.state is not SessionState.SETUP_SENT:
                raise RemoteProtocolError("server sent setupComplete without a pending setup")
            self.state = SessionState.ACTIVE
            self.session_id = event.session_id
        elif self.state is SessionState.SETUP_SENT:
            raise RemoteProtocolError("server sent a message before setupComplete")
        elif isinstance(event, ev.SessionResumptionUpdate):
            # newHandle is empty mid-turn; only a resumable handle is worth keeping.
            if event.resumable and event.new_handle:
                self.resumption_handle = event.new_handle
        elif isinstance(event, ev.GoAway):
            self.go_away_deadline = now + event.time_left_s
            self.go_away_time_left_s = event.time_left_s
        elif isinstance(event, ev.InteractionStatus):
            self.interaction_in_progress = not event.idle
        elif isinstance(event, (ev.TurnComplete, ev.Interrupted)):
            self.model_turn_active = False
        elif isinstance(event, _TURN_EVENTS):
            self.model_turn_active = True
        if isinstance(event, ev.ToolCall):
            self.pending_tool_calls.update({c.id: c.name for c in event.calls})
        elif isinstance(event, ev.ToolCallCancellation):
            for call_id in event.ids:
                self.pending_tool_calls.pop(call_id, None)

    @property
    def model_idle(self) -> bool:
        """Between turns, no background reasoning, no call waiting for an answer: the moment
        to move to a new connection after a goAway."""
        return not (
            self.model_turn_active or self.interaction_in_progress or self.pending_tool_calls
        )

    def close(self) -> None:
        self.state = SessionState.CLOSED
