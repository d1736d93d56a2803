"""The Live session state machine, sans I/O (in the manner of h11.Connection).

    session = LiveSession()
    wire = session.send(build_setup(cfg))        # -> str to put on the socket
    events = session.receive(frame, now=clock()) # frame: str | bytes from the socket

It enforces the order the service demands (setup first and once; nothing else before
setupComplete) and keeps the facts a reconnect needs: the newest resumable handle, the goAway
deadline, and whether the model is mid-turn (the good moment to reconnect is between turns).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from liveview.errors import LocalProtocolError, RemoteProtocolError
from liveview.protocol import events as ev
from liveview.protocol.messages import message_kind, to_json
from liveview.protocol.parser import parse_server_message


class SessionState(Enum):
    IDLE = "idle"  # nothing sent yet
    SETUP_SENT = "setup_sent"  # waiting for setupComplete
    ACTIVE = "active"  # setupComplete received: everything may flow
    CLOSED = "closed"


CLIENT_MESSAGE_TYPES = ("setup", "clientContent", "realtimeInput", "toolResponse")

# Which client message types each state lets through (the table is the whole rule).
_ALLOWED_TO_SEND: dict[SessionState, frozenset[str]] = {
    SessionState.IDLE: frozenset({"setup"}),
    SessionState.SETUP_SENT: frozenset(),
    SessionState.ACTIVE: frozenset({"clientContent", "realtimeInput", "toolResponse"}),
    SessionState.CLOSED: frozenset(),
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
        self.go_away_deadline: float | None = None
        self.model_turn_active = False
        # serverContent.interactionStatus IN_PROGRESS: the model works on in the background
        # (extended thinking), possibly over several turns, until it says IDLE.
        self.interaction_in_progress = False
        self.session_id = ""  # setupComplete.sessionId
        self.pending_tool_calls: dict[str, str] = {}  # id -> function name
        self.client_messages_sent = 0

    def send(self, message: Mapping[str, Any]) -> str:
        """Check one client message against the state, record it, and return its wire text."""
        if len(message) != 1:
            raise LocalProtocolError("a client message has exactly one top-level field")
        (top,) = message.keys()
        if top not in CLIENT_MESSAGE_TYPES:
            raise LocalProtocolError(f"{top!r} is not a Live client message")
        if top not in _ALLOWED_TO_SEND[self.state]:
            raise LocalProtocolError(self._refusal(message_kind(message)))
        if top == "setup":
            self.state = SessionState.SETUP_SENT
        elif top == "toolResponse":
            for response in message[top].get("functionResponses", []):
                self.pending_tool_calls.pop(response.get("id", ""), None)
        self.client_messages_sent += 1
        return to_json(message)

    def can_send(self, kind: str) -> bool:
        return kind in _ALLOWED_TO_SEND[self.state]

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
