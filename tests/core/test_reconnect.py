"""The controller across connections, driven through `open_connection=` with a fake service on
looptime's loop (its clock jumps ahead when nothing is due): no sockets, no sleeps. The
real-socket runs of the same stories are in test_session_resilience.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from liveview.core import events as core
from liveview.core.backoff import Backoff
from liveview.core.controller import SessionController
from liveview.core.policy import ReconnectPolicy
from liveview.core.settings import Backend, SessionSettings
from liveview.errors import ConnectionFailedError, FatalServiceError, Setting
from liveview.protocol import events as ev
from liveview.protocol import messages as msg
from liveview.transport.endpoint import local_endpoint
from liveview.transport.errors import StaleHandleError
from tests.support.fake_clock import on_fake_clock
from tests.support.fake_service import FakeService

ENDPOINT = local_endpoint("ws://127.0.0.1:9")
REPLY = {"serverContent": {"outputTranscription": {"text": "a reply"}}}
TURN_DONE = {"serverContent": {"turnComplete": True}}


def handle(value: str) -> dict[str, Any]:
    return {"sessionResumptionUpdate": {"newHandle": value, "resumable": True}}


class Seen(list[object]):
    def of(self, kind: type) -> list[Any]:
        return [e for e in self if isinstance(e, kind)]


@asynccontextmanager
async def session(
    service: FakeService, settings: SessionSettings | None = None, **options: Any
) -> AsyncIterator[tuple[SessionController, Seen]]:
    settings = settings or SessionSettings(
        backend=Backend.LOCAL, model="liveview-local", audio_replies=False
    )
    options.setdefault("policy", ReconnectPolicy(Backoff(rng=lambda: 1.0)))
    controller = SessionController(settings, ENDPOINT, open_connection=service.open, **options)
    seen = Seen()
    controller.subscribe(seen.append)
    task = asyncio.create_task(controller.run())
    await until(lambda: controller.connected or task.done())
    try:
        yield controller, seen
    finally:
        controller.stop()
        await task


async def until(predicate: Any, timeout_s: float = 600.0) -> None:
    """On looptime's loop a long timeout costs nothing: only the fake clock moves. Each look
    costs a loop cycle of real time, so look every 50 fake ms (finer than any figure here)."""
    async with asyncio.timeout(timeout_s):
        while not predicate():
            await asyncio.sleep(0.05)


@on_fake_clock
async def test_go_away_mid_reply_moves_at_the_turn_boundary_with_the_handle() -> None:
    service = FakeService()
    async with session(service) as (controller, seen):
        first = service.last
        first.receive(handle("h1"), REPLY, {"goAway": {"timeLeft": "50s"}})
        await asyncio.sleep(5)
        assert len(service.connections) == 1, "no move mid-reply"
        first.receive(TURN_DONE, handle("h2"))
        await until(lambda: len(service.connections) == 2 and controller.connected)
        assert service.handles_sent() == [None, "h2"]
        assert seen.of(core.Reconnected)[0].resumed
    assert first.closed


@on_fake_clock
async def test_go_away_deadline_moves_before_the_cut_even_mid_reply() -> None:
    service = FakeService()
    async with session(service) as (controller, seen):
        service.last.receive(handle("h1"), REPLY, {"goAway": {"timeLeft": "20s"}})
        start = asyncio.get_running_loop().time()
        await until(lambda: len(service.connections) == 2 and controller.connected)
        moved_after = asyncio.get_running_loop().time() - start
        # timeLeft 20 s, a margin of min(2 s, a quarter of it): moved at 18 s, before the cut.
        assert 17.9 <= moved_after <= 18.5
        assert seen.of(core.Reconnected)[0].reason == "the connection's time ran out"


@on_fake_clock
async def test_a_pending_call_holds_the_move_until_it_is_answered() -> None:
    service = FakeService()
    answered = asyncio.Event()

    async def handler(call: ev.FunctionCall) -> dict[str, Any]:
        await answered.wait()
        return {"output": "done"}

    async with session(service, tool_handler=handler) as (_controller, _seen):
        call = {"toolCall": {"functionCalls": [{"id": "c1", "name": "take_snapshot"}]}}
        service.last.receive(handle("h1"), call, TURN_DONE, {"goAway": {"timeLeft": "60s"}})
        await asyncio.sleep(10)
        assert len(service.connections) == 1, "a call waits for its answer"
        answered.set()
        await until(lambda: service.connections[0].sent_of(msg.ToolResponse))
        service.connections[0].receive(handle("h2"))
        await until(lambda: len(service.connections) == 2)


@on_fake_clock
async def test_a_drop_retries_with_backoff_and_loses_no_audio_or_turns() -> None:
    service = FakeService()
    async with session(service) as (controller, seen):
        dead = service.last
        dead.receive(handle("h1"))
        await asyncio.sleep(0)
        dead.holding = True  # the link died: accepted, never sent
        controller.submit_mic_chunk(b"\x01\x00" * 320, 1.0)
        controller.send_text("first")
        dead.cut(ConnectionFailedError("dropped"))
        await until(lambda: not controller.connected)
        controller.submit_mic_chunk(b"\x02\x00" * 320, 2.0)  # while disconnected: kept
        controller.send_text("second")
        await until(lambda: controller.connected)
        fresh = service.last
        audio = [c.pcm[:2] for c in fresh.sent_of(msg.AudioChunk)]
        turns = [t.texts[0] for t in fresh.sent_of(msg.ClientTurns)]
        assert audio == [b"\x01\x00", b"\x02\x00"], "in the order of capture"
        assert turns == ["first", "second"]
        assert service.handles_sent() == [None, "h1"]
        state_after_drop = [e.state for e in seen.of(core.StateChanged)][-2]
        assert state_after_drop is core.ConnectionState.RECONNECTING


@on_fake_clock
async def test_a_stale_handle_starts_a_fresh_session_with_a_notice() -> None:
    service = FakeService()
    async with session(service) as (controller, seen):
        service.last.receive(handle("h1"))
        await asyncio.sleep(0)
        service.refuse(StaleHandleError("gone", code=1008))
        service.last.cut(ConnectionFailedError("dropped"))
        await until(lambda: len(service.connections) == 2 and controller.connected)
        assert service.handles_sent() == [None, None]
        assert any("expired" in n.message for n in seen.of(core.Notice))
        assert service.attempts == 3  # the resume, refused; then the fresh session


@on_fake_clock
async def test_a_fatal_refusal_is_said_once_and_never_retried() -> None:
    service = FakeService()
    service.refuse(FatalServiceError("The API key was rejected.", setting=Setting.API_KEY))
    async with session(service) as (controller, seen):
        await until(lambda: controller.state is core.ConnectionState.ERROR)
        await asyncio.sleep(60)
    assert service.attempts == 1
    (failed,) = seen.of(core.SessionFailed)
    assert failed.setting is Setting.API_KEY


@on_fake_clock
async def test_retries_give_up_after_the_backoff_cap() -> None:
    service = FakeService()
    service.refuse(*[ConnectionFailedError("unreachable")] * 20)
    policy = ReconnectPolicy(Backoff(max_attempts=3, rng=lambda: 1.0))
    async with session(service, policy=policy) as (controller, seen):
        await until(lambda: controller.state is core.ConnectionState.ERROR)
    assert service.attempts == 4  # the first, then 3 retries
    assert "unreachable" in seen.of(core.SessionFailed)[0].error.user_message


@on_fake_clock
async def test_a_stalled_reply_is_noticed_then_left() -> None:
    service = FakeService()
    async with session(service, stall_notice_s=10.0, stall_reconnect_s=45.0) as (controller, seen):
        loop = asyncio.get_running_loop()
        start = loop.time()
        controller.send_text("hello?")
        await until(lambda: seen.of(core.Notice))
        assert 9.9 <= loop.time() - start <= 10.5
        assert "10 s" in seen.of(core.Notice)[0].message
        await until(lambda: len(service.connections) == 2 and controller.connected)
        assert 44.9 <= loop.time() - start <= 46.0
        assert "stopped answering" in seen.of(core.Reconnected)[0].reason


@on_fake_clock
async def test_an_answer_before_the_stall_notice_keeps_it_quiet() -> None:
    service = FakeService()
    async with session(service) as (controller, seen):
        controller.send_text("hello?")
        await asyncio.sleep(5)
        service.last.receive(REPLY, TURN_DONE)
        await asyncio.sleep(120)
        assert seen.of(core.Notice) == [] and len(service.connections) == 1


@on_fake_clock
async def test_a_cancelled_call_is_not_answered_and_calls_end_with_their_connection() -> None:
    service = FakeService()
    started: list[str] = []
    cancelled: list[str] = []

    async def handler(call: ev.FunctionCall) -> dict[str, Any]:
        started.append(call.id)
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append(call.id)
            raise
        return {}

    async with session(service, tool_handler=handler) as (controller, _seen):
        calls = [{"id": i, "name": "take_snapshot"} for i in ("c1", "c2")]
        service.last.receive({"toolCall": {"functionCalls": calls}})
        await until(lambda: len(started) == 2)
        service.last.receive({"toolCallCancellation": {"ids": ["c1"]}})
        await until(lambda: cancelled == ["c1"])
        service.last.cut(ConnectionFailedError("dropped"))
        await until(lambda: cancelled == ["c1", "c2"])  # owned by the connection, awaited
        await until(lambda: controller.connected)
    assert all(not c.sent_of(msg.ToolResponse) for c in service.connections)


@on_fake_clock
async def test_a_non_blocking_answer_carries_its_scheduling() -> None:
    service = FakeService()

    async def handler(call: ev.FunctionCall) -> dict[str, Any]:
        return {"output": "paused"}

    settings = SessionSettings(backend=Backend.LOCAL, model="liveview-local", functions=True)
    async with session(service, settings, tool_handler=handler) as (_controller, seen):
        call = {"toolCall": {"functionCalls": [{"id": "p1", "name": "pause_video"}]}}
        service.last.receive(call)
        await until(lambda: service.last.sent_of(msg.ToolResponse))
        (response,) = service.last.sent_of(msg.ToolResponse)[0].responses
        assert (response.id, response.scheduling) == ("p1", "SILENT")
        assert seen.of(core.ToolAnswered)[0].result == {"output": "paused"}
