"""Sessions that never die, end to end: goAway, drops, 1011s, stale handles, fatal errors.

Real loopback sockets against the local server, its fault switches pulled at run time. The
controller's rules one by one (turn boundaries, deadlines, stalls, queued turns, calls) are in
test_reconnect.py, with a fake service and a fake clock.
"""

from __future__ import annotations

import asyncio
import base64
import struct
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from liveview.capture.runner import FrameProducer
from liveview.capture.synthetic import SyntheticSource
from liveview.core import events as core
from liveview.core.backoff import Backoff
from liveview.core.controller import SessionController
from liveview.core.policy import ReconnectPolicy
from liveview.core.settings import Backend, SessionSettings
from liveview.core.video_pipeline import VideoPipeline, VideoSettings
from liveview.errors import Setting
from liveview.protocol import events as ev
from liveview.protocol.catalogue import LOCAL_MODEL
from liveview.server.app import LocalLiveServer, running_in_thread
from liveview.transport.endpoint import custom_endpoint, local_endpoint
from tests.support.waiting import eventually

CHUNK_SAMPLES = 320  # 20 ms at 16 kHz


def numbered_chunk(seq: int) -> bytes:
    """A quiet 20 ms chunk whose first sample carries its sequence number."""
    return struct.pack("<h", seq % 30_000) + b"\x00\x00" * (CHUNK_SAMPLES - 1)


def received_chunk_numbers(server: LocalLiveServer) -> list[int]:
    numbers = []
    for connection in server.received:
        for message in connection:
            audio = message.get("realtimeInput", {}).get("audio")
            if audio:
                numbers.append(struct.unpack("<h", base64.b64decode(audio["data"])[:2])[0])
    return numbers


def setups(server: LocalLiveServer) -> list[dict[str, Any]]:
    return [conn[0]["setup"] for conn in server.received if conn and "setup" in conn[0]]


class Recorder:
    def __init__(self) -> None:
        self.events: list[object] = []

    def __call__(self, event: object) -> None:
        self.events.append(event)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def states(self) -> list[core.ConnectionState]:
        return [e.state for e in self.of(core.StateChanged)]


@pytest.fixture
def make_server() -> Iterator[Callable[..., LocalLiveServer]]:
    started: list[Any] = []

    def make(**options: Any) -> LocalLiveServer:
        # Spoken replies, read through their transcript, at 4x real time unless a test says.
        options.setdefault("audio_pacing", 0.25)
        ctx = running_in_thread(LocalLiveServer(use_espeak=False, **options))
        started.append(ctx)
        return ctx.__enter__()

    yield make
    for ctx in started:
        ctx.__exit__(None, None, None)


def controller_for(server: LocalLiveServer, **options: Any) -> tuple[SessionController, Recorder]:
    settings = SessionSettings(backend=Backend.LOCAL, model=LOCAL_MODEL, audio_replies=False)
    options.setdefault("policy", ReconnectPolicy(Backoff(stable_after_s=0.3)))
    controller = SessionController(settings, local_endpoint(server.url), **options)
    recorder = Recorder()
    controller.subscribe(recorder)
    return controller, recorder


async def wait_for(predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
    await eventually(predicate, timeout_s)


async def feed_mic(controller: SessionController, count: int) -> None:
    """Real-time paced 20 ms chunks, as the microphone delivers them."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for seq in range(count):
        controller.submit_mic_chunk(numbered_chunk(seq), loop.time())
        await asyncio.sleep(max(0.0, start + (seq + 1) * 0.02 - loop.time()))


async def test_go_away_every_second_never_stops_and_loses_no_mic_audio(make_server) -> None:
    """The service's ~10 min connection life and 20 s goAway lead, compressed 150x: audio and
    video both ways, a new connection about every second."""
    server = make_server(lifetime_s=4.0, go_away_lead_s=3.0)
    controller, rec = controller_for(server)
    video = VideoPipeline(
        FrameProducer(SyntheticSource(640, 360)),
        VideoSettings(fps=4.0, change_detection=False),
        controller.submit_video_frame,
    )
    async with asyncio.TaskGroup() as tg:
        tg.create_task(controller.run())
        await wait_for(lambda: controller.connected)
        video_task = tg.create_task(video.run())
        await feed_mic(controller, 300)  # 6 s of speech-less audio
        controller.send_text("still with me?")
        await wait_for(lambda: len(rec.of(ev.TurnComplete)) >= 1, 30)
        video_task.cancel()
        controller.stop()
    assert core.ConnectionState.ERROR not in rec.states()
    assert len(server.connections) >= 4  # goAway ~1 s into each connection, 6 s of audio
    assert received_chunk_numbers(server) == list(range(300))
    # Video simply restarts on each new connection with a fresh frame.
    with_video = [
        c for c in server.received if any("video" in m.get("realtimeInput", {}) for m in c)
    ]
    assert len(with_video) >= len(server.connections) - 1
    # Every new setup resumes with the newest handle the previous connection gave.
    all_setups = setups(server)
    assert "handle" not in all_setups[0]["sessionResumption"]
    assert all(s["sessionResumption"].get("handle") for s in all_setups[1:])
    # One Reconnected per new connection. The reply's end is a turn boundary: a goAway pending
    # then moves the session at once, so the last connection may still have been opening (the
    # server has its setup, the client no setupComplete yet) when the test stopped.
    reconnected, moves = len(rec.of(core.Reconnected)), len(server.connections) - 1
    # (Or it had its setupComplete and sent what was queued, and stop() came before the
    # Reconnected was said: one fewer either way, never more.)
    assert reconnected == moves or (reconnected == moves - 1 and len(server.connections) >= 4)
    assert all(r.resumed for r in rec.of(core.Reconnected))


async def test_abrupt_drops_and_internal_errors_are_all_recovered(make_server) -> None:
    server = make_server()
    controller, rec = controller_for(server)
    faults: list[Callable[[], None]] = [server.faults.drop_now] * 10
    faults += [lambda: server.faults.close_now(1011, "Internal error occurred.")] * 3
    async with asyncio.TaskGroup() as tg:
        tg.create_task(controller.run())
        for done, fault in enumerate(faults):
            await wait_for(lambda n=done: controller.connected and len(server.connections) > n)
            await asyncio.sleep(0.35)  # a stable spell: the retry counter starts afresh
            fault()
            await wait_for(lambda n=done: len(rec.of(core.Reconnected)) > n)
        controller.send_text("are you back?")
        await wait_for(lambda: len(rec.of(ev.TurnComplete)) >= 1)
        controller.stop()
    assert len(rec.of(core.Reconnected)) == 13
    assert not rec.of(core.SessionFailed)
    assert all(s["sessionResumption"].get("handle") for s in setups(server)[1:])


async def test_a_stale_handle_falls_back_to_a_fresh_session_with_a_notice(make_server) -> None:
    server = make_server()
    controller, rec = controller_for(server)
    async with asyncio.TaskGroup() as tg:
        tg.create_task(controller.run())
        await wait_for(lambda: controller.connected and controller.handle is None)
        await wait_for(
            lambda: bool(controller._conn and controller._conn.session.resumption_handle)
        )
        server.handles.expire_all()
        server.faults.drop_now()
        await wait_for(lambda: any(isinstance(e, core.Reconnected) for e in rec.events))
        controller.stop()
    assert any("expired" in n.message for n in rec.of(core.Notice))
    last = setups(server)[-1]
    assert "handle" not in last["sessionResumption"]
    assert not rec.of(core.SessionFailed)


@pytest.mark.parametrize(
    ("server_options", "model", "setting"),
    [
        ({"api_key": "right"}, LOCAL_MODEL, Setting.API_KEY),
        ({}, "gemini-1.0-pro-retired", Setting.MODEL),
    ],
)
async def test_fatal_errors_are_never_retried(make_server, server_options, model, setting) -> None:
    server = make_server(
        retired_models=frozenset({"models/gemini-1.0-pro-retired"}), **server_options
    )
    settings = SessionSettings(backend=Backend.CUSTOM, model=model, audio_replies=False)
    controller = SessionController(settings, custom_endpoint(server.url, "wrong"))
    rec = Recorder()
    controller.subscribe(rec)
    await asyncio.wait_for(controller.run(), 10)
    assert len(server.connections) == 1
    (failure,) = rec.of(core.SessionFailed)
    assert failure.setting == setting
    assert rec.states()[-1] is core.ConnectionState.ERROR
