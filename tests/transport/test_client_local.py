"""LiveConnection against the local Live server, over real loopback sockets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import cv2
import numpy as np
import pytest

from liveview.errors import (
    ConnectionFailedError,
    FatalServiceError,
    LocalProtocolError,
    Setting,
    TransientServiceError,
)
from liveview.protocol import events as ev
from liveview.protocol.messages import (
    ActivityDetection,
    ActivityEnd,
    ActivityStart,
    AudioChunk,
    AudioStreamEnd,
    ClientTurns,
    FunctionDeclaration,
    FunctionResponse,
    RealtimeText,
    Setup,
    SetupConfig,
    ToolResponse,
    VideoFrame,
)
from liveview.protocol.session import SessionState
from liveview.server import LocalLiveServer, texts
from liveview.transport import (
    LiveConnection,
    ProtocolErrorEvent,
    StaleHandleError,
    custom_endpoint,
    gemini_endpoint,
    local_endpoint,
)
from liveview.transport.endpoint import Endpoint
from liveview.transport.wire import WireRecord

KEY = "AIzaSyLOCALKEY-abcdefghijklmnopqrstuvwx"
TEXT_SETUP = Setup(SetupConfig(model="gemini-test", response_modalities=("TEXT",)))
FAST = {"open_timeout_s": 5.0, "setup_timeout_s": 5.0}


def jpeg(value: int = 128) -> bytes:
    """A real 16x16 JPEG, so the server's frame analysis has something to decode."""
    ok, data = cv2.imencode(".jpg", np.full((16, 16, 3), value, np.uint8))
    assert ok
    return bytes(data)


JPEG = jpeg()


@pytest.fixture
async def server() -> AsyncIterator[LocalLiveServer]:
    # The relaxed mode: these tests are about moving messages (TEXT replies are quick), not
    # about the models' rules (tests/server/test_model_rules.py, tests/core).
    async with LocalLiveServer(use_espeak=False, strict=False) as running:
        yield running


def endpoint_of(server: LocalLiveServer) -> Endpoint:
    return local_endpoint(server.url)


async def collect_turn(conn: LiveConnection) -> list[ev.Event]:
    """Events up to and including the next TurnComplete."""
    out: list[ev.Event] = []
    async for event in conn.events():
        out.append(event)
        if isinstance(event, ev.TurnComplete):
            return out
    raise AssertionError(f"the connection ended mid-turn after {out}")


def reply_text(events: list[ev.Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, ev.ModelText))


async def test_text_turn_is_answered(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    async with conn:
        assert conn.session.state is SessionState.ACTIVE
        conn.send(ClientTurns.typed("hello from the transport tests"))
        events = await collect_turn(conn)
    assert isinstance(events[0], ev.SetupComplete)  # nothing from setup is lost
    assert reply_text(events)
    kinds = [type(e) for e in events]
    assert kinds.index(ev.GenerationComplete) < kinds.index(ev.TurnComplete)
    assert conn.closed
    assert conn.session.state is SessionState.CLOSED
    received = server.received[0]
    assert server.connections[0].received_kinds == ["setup", "clientContent"]
    assert received[1]["clientContent"]["turns"][0]["parts"][0]["text"] == (
        "hello from the transport tests"
    )
    stats = conn.stats
    assert stats.messages_up == 2 and stats.messages_down >= len(events) // 4
    assert stats.bytes_up > 0 and stats.bytes_down > 0


async def test_sending_and_receiving_run_concurrently(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    async with conn:
        conn.send(ClientTurns.typed("describe what you see, at length please"))
        seen: list[ev.Event] = []
        sent_while_streaming = 0
        async for event in conn.events():
            seen.append(event)
            if isinstance(event, ev.ModelText) and sent_while_streaming < 3:
                # Up while down: frames and silent audio go out in the middle of the reply.
                conn.send(VideoFrame(JPEG))
                conn.send(AudioChunk(b"\x00\x00" * 320))
                sent_while_streaming += 1
            if isinstance(event, ev.TurnComplete):
                break
        assert sent_while_streaming >= 2, "the reply should stream in several parts"
        # A second turn on the same connection is answered too.
        conn.send(ClientTurns.typed("and again"))
        second = await collect_turn(conn)
    assert reply_text(second)
    kinds = server.connections[0].received_kinds
    assert kinds.count("realtimeInput.video") == sent_while_streaming
    assert kinds.count("realtimeInput.audio") == sent_while_streaming
    assert kinds[-1] == "clientContent"


async def test_many_messages_in_flight_both_ways(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)

    async def pump_audio() -> None:
        for _ in range(50):
            conn.send(AudioChunk(b"\x00\x00" * 320))  # silence: no barge-in
            await asyncio.sleep(0)

    async with conn, asyncio.TaskGroup() as tg:
        conn.send(ClientTurns.typed("count the frames"))
        tg.create_task(pump_audio(), name="test-pump-audio")
        events = await collect_turn(conn)
    assert reply_text(events)
    audio_sent = conn.stats.lanes.sent_audio
    assert audio_sent + conn.stats.lanes.audio_dropped == 50
    received = server.connections[0].received_kinds
    assert received.count("realtimeInput.audio") == audio_sent


async def test_video_lane_keeps_the_newest_frame(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    async with conn:
        # No await between the puts: the sender cannot run, so frames 1-4 are replaced.
        replaced = [conn.send(VideoFrame(jpeg(10 * i))) for i in range(5)]
        assert replaced == [False, True, True, True, True]
        conn.send(ClientTurns.typed("what do you see"))
        await collect_turn(conn)
    frames = [k for k in server.connections[0].received_kinds if k == "realtimeInput.video"]
    assert len(frames) == 1
    assert conn.stats.lanes.video_replaced == 4


async def test_setup_is_sent_first_and_once(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    async with conn:
        with pytest.raises(LocalProtocolError, match="cannot send setup"):
            conn.send(TEXT_SETUP)
        with pytest.raises(LocalProtocolError, match="not a Live client message"):
            conn.send({"realtimeInput": {"text": "a"}})  # type: ignore[arg-type]
    # Once closed, media is refused before it reaches any socket.
    with pytest.raises(ConnectionFailedError, match="closed"):
        conn.send(VideoFrame(JPEG))
    assert server.connections[0].received_kinds == ["setup"]


async def test_open_refuses_anything_but_a_setup_before_connecting(
    server: LocalLiveServer,
) -> None:
    with pytest.raises(LocalProtocolError, match="before setup"):
        await LiveConnection.open(endpoint_of(server), RealtimeText("hi"))  # type: ignore[arg-type]
    assert server.connections == []  # refused by the state machine, not by the server


async def test_server_that_never_sends_setup_complete(server: LocalLiveServer) -> None:
    server.faults.stall_next_connection(at="accept")
    with pytest.raises(ConnectionFailedError) as info:
        await LiveConnection.open(endpoint_of(server), TEXT_SETUP, setup_timeout_s=0.3)
    message = str(info.value)
    assert "accepted the connection but never finished setup" in message
    assert "0.3 s" in message


async def test_garbage_is_surfaced_and_the_session_goes_on(server: LocalLiveServer) -> None:
    server.faults.send_malformed_next(at="setup")
    wire: list[WireRecord] = []
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, on_wire=wire.append, **FAST)
    async with conn:
        errors: list[ProtocolErrorEvent] = []
        async for event in conn.events():
            if isinstance(event, ProtocolErrorEvent):
                errors.append(event)
                conn.send(ClientTurns.typed("are you still there"))
            if isinstance(event, ev.TurnComplete):
                break
    assert len(errors) == 1
    assert errors[0].message == "server sent a message that is not JSON"
    assert conn.stats.protocol_errors == 1
    assert ("in", "malformed") in {(r.direction.value, r.kind) for r in wire}


async def test_garbage_before_setup_complete_is_kept_for_events(server: LocalLiveServer) -> None:
    server.faults.send_malformed_next(at="accept")
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    async with conn:
        conn.send(ClientTurns.typed("hi"))
        events = await collect_turn(conn)
    assert isinstance(events[0], ProtocolErrorEvent)
    assert any(isinstance(e, ev.SetupComplete) for e in events)


@pytest.mark.parametrize(
    ("code", "reason", "cls", "setting"),
    [
        (1007, texts.BAD_API_KEY, FatalServiceError, Setting.API_KEY),
        (1007, texts.INVALID_ARGUMENT, FatalServiceError, None),
        (1008, texts.LEAKED_API_KEY, FatalServiceError, Setting.API_KEY),
        (1008, texts.model_not_found("models/x", "v1beta"), FatalServiceError, Setting.MODEL),
        (1008, texts.SESSION_NOT_FOUND, StaleHandleError, None),
        (1011, texts.INTERNAL_ERROR, TransientServiceError, None),
        (1011, texts.UNAVAILABLE, TransientServiceError, None),
        (1011, texts.QUOTA_EXCEEDED, FatalServiceError, None),
    ],
)
@pytest.mark.parametrize("at", ["accept", "setup"])
async def test_close_codes_map_to_errors(
    server: LocalLiveServer,
    code: int,
    reason: str,
    cls: type[Exception],
    setting: Setting | None,
    at: str,
) -> None:
    server.faults.close_next_connection(code, reason, at=at)  # type: ignore[arg-type]
    # An audio setup on a model the client does not know, and nothing optional in it: no
    # field of it can be blamed for a refusal (tests/protocol/test_setup_rules.py does that).
    plain = Setup(SetupConfig(model="gemini-test"))
    with pytest.raises(cls) as info:
        # "accept": the close arrives during setup, so open() raises; "setup": events() does.
        conn = await LiveConnection.open(endpoint_of(server), plain, **FAST)
        try:
            async for _ in conn.events():
                pass
        finally:
            await conn.close()
    error = info.value
    assert type(error) is cls
    assert getattr(error, "code", None) == code
    assert getattr(error, "reason", None) == reason
    assert getattr(error, "setting", None) == setting
    assert str(error)  # a message for the user, not the raw reason only


async def test_bad_key_is_fatal_and_names_the_setting() -> None:
    async with LocalLiveServer(use_espeak=False, strict=False, api_key="the-right-key") as server:
        endpoint = custom_endpoint(server.url, api_key="the-wrong-key")
        with pytest.raises(FatalServiceError) as info:
            await LiveConnection.open(endpoint, TEXT_SETUP, **FAST)
        assert info.value.setting is Setting.API_KEY
        assert "the-wrong-key" not in str(info.value)
        # And the right key, in the documented header, is accepted.
        conn = await LiveConnection.open(
            custom_endpoint(server.url, api_key="the-right-key"), TEXT_SETUP, **FAST
        )
        await conn.close()


async def test_retired_model_is_fatal_and_names_the_model_setting(
    server: LocalLiveServer,
) -> None:
    setup = Setup(SetupConfig(model="gemini-2.0-flash-exp"))
    with pytest.raises(FatalServiceError) as info:
        await LiveConnection.open(endpoint_of(server), setup, **FAST)
    assert info.value.setting is Setting.MODEL
    assert "Settings > Model" in str(info.value)


async def test_stale_resumption_handle(server: LocalLiveServer) -> None:
    setup = Setup(SetupConfig(model="m", resumption_handle="no-such-handle"))
    with pytest.raises(StaleHandleError, match="fresh"):
        await LiveConnection.open(endpoint_of(server), setup, **FAST)


async def test_resumption_handle_is_kept_and_resumes(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    async with conn:
        conn.send(ClientTurns.typed("remember me"))
        await collect_turn(conn)
        handle = conn.session.resumption_handle
    assert handle
    setup = Setup(
        SetupConfig(model="gemini-test", response_modalities=("TEXT",), resumption_handle=handle)
    )
    again = await LiveConnection.open(endpoint_of(server), setup, **FAST)
    await again.close()
    assert server.connections[1].resumed


async def test_dropped_connection_is_a_connection_failure(server: LocalLiveServer) -> None:
    server.faults.drop_next_connection(at="setup")
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    with pytest.raises(ConnectionFailedError, match="without a close frame"):
        async for _ in conn.events():
            pass
    assert conn.closed
    with pytest.raises(ConnectionFailedError):
        conn.send(ClientTurns.typed("too late"))
    await conn.close()
    await conn.close()  # idempotent, and quiet on a dead link


async def test_typed_turn_queued_behind_a_dead_link_is_returned(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    # Queue without yielding, then close before the sender ran: nothing reached the socket.
    conn.send(ClientTurns.typed("first"))
    conn.send(AudioChunk(b"\x01\x00" * 320))
    await conn.close()
    unsent = conn.unsent_messages()
    assert [m.kind for m in unsent] == ["clientContent", "realtimeInput.audio"]
    assert conn.unsent_messages() == unsent, "asking again gives the same answer"


async def test_go_away_sets_the_deadline_on_the_injected_clock(server: LocalLiveServer) -> None:
    now = [1000.0]
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, clock=lambda: now[0], **FAST)
    async with conn:
        server.faults.go_away_now(30.0)
        async for event in conn.events():
            if isinstance(event, ev.GoAway):
                break
        assert conn.session.go_away_deadline == pytest.approx(1030.0)


async def test_close_cancels_the_sender_task(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    names = {t.get_name() for t in asyncio.all_tasks()}
    assert any(n.startswith("liveview-send") for n in names)
    await conn.close()
    names = {t.get_name() for t in asyncio.all_tasks() if not t.done()}
    assert not any(n.startswith("liveview-send") for n in names)


async def test_close_while_events_are_awaited_ends_iteration(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    got: list[ev.Event] = []

    async def consume() -> None:
        async for event in conn.events():
            got.append(event)

    async with asyncio.TaskGroup() as tg:
        task = tg.create_task(consume(), name="test-consume")
        while not got:
            await asyncio.sleep(0.01)
        await conn.close()
    assert task.done() and task.exception() is None


async def test_a_failing_wire_hook_does_not_break_the_session(server: LocalLiveServer) -> None:
    def broken(*_: Any) -> None:
        raise ValueError("inspector bug")

    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, on_wire=broken, **FAST)
    async with conn:
        conn.send(ClientTurns.typed("still fine?"))
        assert reply_text(await collect_turn(conn))


async def test_key_never_reaches_logs_or_the_inspector(
    server: LocalLiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    host = server.url.removeprefix("ws://")
    endpoint = gemini_endpoint(KEY, host=host, scheme="ws")
    wire: list[WireRecord] = []
    conn = await LiveConnection.open(endpoint, TEXT_SETUP, on_wire=wire.append, **FAST)
    async with conn:
        conn.send(ClientTurns.typed("hello"))
        conn.send(VideoFrame(JPEG))
        await collect_turn(conn)
    assert server.connections[0].path.endswith("v1beta.GenerativeService.BidiGenerateContent")
    # The client's records only: the server side (websockets.server) logs what it received.
    client_logs = "\n".join(
        r.getMessage()
        for r in caplog.records
        if not r.name.startswith(("liveview.server", "websockets.server"))
    )
    assert "x-goog-api-key: <redacted>" in client_logs  # websockets did log the header
    assert KEY not in client_logs
    assert KEY not in repr(conn.endpoint) and KEY not in repr(conn.stats)
    assert wire and all(KEY not in r.summary for r in wire)
    kinds = {(r.direction.value, r.kind) for r in wire}
    assert ("out", "setup") in kinds and ("in", "setupComplete") in kinds
    assert ("out", "realtimeInput.video") in kinds
    video = next(r.summary for r in wire if r.kind == "realtimeInput.video")
    assert video.startswith("image/jpeg ")


async def test_every_convenience_sender_reaches_the_server_in_order(
    server: LocalLiveServer,
) -> None:
    setup = Setup(
        SetupConfig(
            model="gemini-test",
            response_modalities=("TEXT",),
            activity_detection=ActivityDetection(disabled=True),  # push-to-talk
        )
    )
    conn = await LiveConnection.open(endpoint_of(server), setup, **FAST)
    conn.send(ActivityStart())
    conn.send(AudioChunk(b"\x00\x00" * 320))
    conn.send(AudioChunk(b"\x00\x00" * 480, 24_000))
    conn.send(ActivityEnd())
    await conn.close(drain_timeout_s=5)
    assert conn.unsent_messages() == []
    kinds = server.connections[0].received_kinds
    assert kinds == [
        "setup",
        "realtimeInput.activityStart",
        "realtimeInput.audio",
        "realtimeInput.audio",
        "realtimeInput.activityEnd",
    ]
    assert server.received[0][3]["realtimeInput"]["audio"]["mimeType"] == "audio/pcm;rate=24000"


async def test_realtime_text_and_audio_stream_end_senders(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    conn.send(AudioStreamEnd())
    conn.send(RealtimeText("typed into the realtime stream"))
    await conn.close(drain_timeout_s=5)
    kinds = server.connections[0].received_kinds
    # The control lane (realtime text) goes before the audio lane's marker.
    assert kinds == ["setup", "realtimeInput.text", "realtimeInput.audioStreamEnd"]


async def test_a_message_over_max_size_closes_with_a_clear_error(server: LocalLiveServer) -> None:
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, max_size=200, **FAST)
    conn.send(ClientTurns.typed("describe the frame in detail"))
    with pytest.raises(ConnectionFailedError, match="larger than the client accepts"):
        async for _ in conn.events():
            pass
    await conn.close()


async def test_two_concurrent_consumers_are_refused(server: LocalLiveServer) -> None:
    server.faults.stall_next_connection(at="setup")  # after setupComplete + first handle
    conn = await LiveConnection.open(endpoint_of(server), TEXT_SETUP, **FAST)
    async with conn:
        first = conn.events()
        assert isinstance(await anext(first), ev.SetupComplete)
        assert isinstance(await anext(first), ev.SessionResumptionUpdate)
        waiting = asyncio.create_task(anext(first), name="test-first-consumer")
        while not conn._receiving:  # until it waits in recv() (the server stays silent)
            await asyncio.sleep(0.01)
        second = conn.events()
        with pytest.raises(RuntimeError, match="another task"):
            await anext(second)
        waiting.cancel()
        await asyncio.wait([waiting])
        await first.aclose()
        with pytest.raises(RuntimeError, match="once the connection closed"):
            conn.unsent_messages()


async def test_tool_call_round_trip(server: LocalLiveServer) -> None:
    setup = Setup(
        SetupConfig(
            model="gemini-test",
            response_modalities=("TEXT",),
            function_declarations=(FunctionDeclaration("take_snapshot", "Save the frame"),),
        )
    )
    conn = await LiveConnection.open(endpoint_of(server), setup, **FAST)
    async with conn:
        conn.send(ClientTurns.typed("snapshot please"))
        events: list[ev.Event] = []
        async for event in conn.events():
            events.append(event)
            if isinstance(event, ev.ToolCall):
                (call,) = event.calls
                assert conn.session.pending_tool_calls == {call.id: "take_snapshot"}
                response = FunctionResponse(call.id, call.name, {"saved": "/tmp/x.jpg"})
                conn.send(ToolResponse((response,)))
            if isinstance(event, ev.TurnComplete):
                break
    assert any(isinstance(e, ev.ToolCall) for e in events)
    assert conn.session.pending_tool_calls == {}
    (exchange,) = server.connections[0].tool_exchanges
    assert exchange.response == {"saved": "/tmp/x.jpg"}
    assert exchange.problems == []
