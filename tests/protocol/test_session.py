from __future__ import annotations

import json

import pytest

from liveview.errors import LocalProtocolError, RemoteProtocolError
from liveview.protocol import events as ev
from liveview.protocol import messages as m
from liveview.protocol.session import LiveSession, SessionState

SETUP = m.Setup(m.SetupConfig(model="x"))


def active_session() -> LiveSession:
    s = LiveSession()
    s.send(SETUP)
    s.receive(b'{"setupComplete": {}}', now=0.0)
    return s


def test_setup_is_first_and_returns_wire_text() -> None:
    s = LiveSession()
    assert s.state is SessionState.IDLE
    wire = s.send(SETUP)
    assert json.loads(wire) == SETUP.to_wire()
    assert s.state is SessionState.SETUP_SENT


@pytest.mark.parametrize(
    "message",
    [
        m.AudioChunk(b"\0\0"),
        m.VideoFrame(b"j"),
        m.ClientTurns.typed("hi"),
        m.ToolResponse(()),
    ],
)
def test_media_before_setup_is_refused(message: m.ClientMessage) -> None:
    s = LiveSession()
    with pytest.raises(LocalProtocolError, match="before setup"):
        s.send(message)


def test_media_before_setup_complete_is_refused() -> None:
    s = LiveSession()
    s.send(SETUP)
    assert not s.can_send(m.VideoFrame)
    with pytest.raises(LocalProtocolError, match="before setupComplete"):
        s.send(m.VideoFrame(b"jpeg"))
    s.receive('{"setupComplete": {}}', now=0.0)
    assert s.can_send(m.VideoFrame)
    s.send(m.VideoFrame(b"jpeg"))
    assert s.client_messages_sent == 2


def test_setup_twice_is_refused() -> None:
    with pytest.raises(LocalProtocolError, match="twice"):
        active_session().send(SETUP)


def test_only_typed_client_messages_are_sent() -> None:
    s = LiveSession()
    with pytest.raises(LocalProtocolError, match="dict is not a Live client message"):
        s.send({"setup": {}})  # type: ignore[arg-type]


def test_closed_session_refuses_both_ways() -> None:
    s = active_session()
    s.close()
    with pytest.raises(LocalProtocolError, match="closed"):
        s.send(m.AudioChunk(b"\0\0"))
    with pytest.raises(RemoteProtocolError, match="after the session closed"):
        s.receive('{"setupComplete": {}}', now=0.0)


def test_server_messages_before_setup_complete_are_protocol_errors() -> None:
    s = LiveSession()
    s.send(SETUP)
    with pytest.raises(RemoteProtocolError, match="before setupComplete"):
        s.receive('{"serverContent": {"turnComplete": true}}', now=0.0)


def test_unexpected_setup_complete() -> None:
    with pytest.raises(RemoteProtocolError, match="without a pending setup"):
        active_session().receive('{"setupComplete": {}}', now=0.0)


def test_keeps_only_the_newest_resumable_handle() -> None:
    s = active_session()
    s.receive('{"sessionResumptionUpdate": {"newHandle": "h1", "resumable": true}}', now=1.0)
    s.receive('{"sessionResumptionUpdate": {"resumable": false}}', now=2.0)
    s.receive('{"sessionResumptionUpdate": {"newHandle": "h2", "resumable": false}}', now=3.0)
    assert s.resumption_handle == "h1"
    s.receive('{"sessionResumptionUpdate": {"newHandle": "h3", "resumable": true}}', now=4.0)
    assert s.resumption_handle == "h3"


def test_go_away_sets_a_deadline_from_the_given_time() -> None:
    s = active_session()
    events = s.receive('{"goAway": {"timeLeft": "50s"}}', now=100.0)
    assert events == [ev.GoAway(50.0)]
    assert s.go_away_deadline == 150.0


def test_model_turn_tracking() -> None:
    s = active_session()
    assert not s.model_turn_active
    s.receive('{"serverContent": {"outputTranscription": {"text": "hi"}}}', now=0.0)
    assert s.model_turn_active
    s.receive('{"serverContent": {"generationComplete": true}}', now=0.0)
    assert s.model_turn_active
    s.receive('{"serverContent": {"turnComplete": true}}', now=0.0)
    assert not s.model_turn_active
    s.receive('{"serverContent": {"modelTurn": {"parts": [{"text": "a"}]}}}', now=0.0)
    s.receive('{"serverContent": {"interrupted": true}}', now=0.0)
    assert not s.model_turn_active


def test_pending_tool_calls_follow_calls_cancellations_and_responses() -> None:
    s = active_session()
    s.receive(
        '{"toolCall": {"functionCalls": [{"id": "a", "name": "f"}, {"id": "b", "name": "g"},'
        ' {"id": "c", "name": "h"}]}}',
        now=0.0,
    )
    assert s.pending_tool_calls == {"a": "f", "b": "g", "c": "h"}
    s.receive('{"toolCallCancellation": {"ids": ["b"]}}', now=0.0)
    s.send(m.ToolResponse((m.FunctionResponse("a", "f", {"ok": True}),)))
    assert s.pending_tool_calls == {"c": "h"}
