"""Per-turn latency and the cost meter, as a session runs them: SessionRuntime against the real
local server (real sockets), whose reply delay and usageMetadata are known."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from liveview.core import events as core
from liveview.core.backend import LocalServerKeeper
from liveview.core.bus import EventBus
from liveview.core.cost import Budget, Modality, Way
from liveview.core.runtime import SessionPlan, SessionRuntime
from liveview.core.settings import Backend, SessionSettings
from liveview.core.transcript import LATENCY_META_KEY, Role
from liveview.core.video_host import VideoHost
from liveview.core.video_pipeline import VideoSettings
from liveview.protocol import messages as msg
from liveview.protocol.catalogue import LOCAL_MODEL, PRICE_3_8, STABLE_MODEL
from liveview.server import LocalLiveServer
from liveview.server.outbound import AUDIO_TOKENS_PER_S, IMAGE_TOKENS
from tests.capture.patterns import make_pattern
from tests.support.still import StillSource
from tests.support.waiting import eventually

STILL = VideoSettings(fps=2.0, keepalive_s=600.0)
QUIET_CHUNK = b"\x00\x00" * 320  # 20 ms at 16 kHz, below the server's voice threshold


class Events:
    def __init__(self, bus: EventBus) -> None:
        self.seen: list[object] = []
        bus.subscribe(self.seen.append)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.seen if isinstance(e, kind)]


@asynccontextmanager
async def session(
    server: LocalLiveServer, *, model: str = LOCAL_MODEL, budget: Budget | None = None,
    video: VideoHost | None = None,
) -> AsyncIterator[tuple[SessionRuntime, Events]]:  # fmt: skip
    settings = SessionSettings(
        backend=Backend.CUSTOM, url=server.url, model=model, audio_replies=False,
        video_enabled=video is not None,
    )  # fmt: skip
    bus = EventBus()
    events = Events(bus)
    plan = SessionPlan(settings, video=STILL, budget=budget or Budget())
    runtime = SessionRuntime(
        plan, bus=bus, video=video or VideoHost(), local_server=LocalServerKeeper()
    )
    task = asyncio.create_task(runtime.run())
    try:
        await eventually(lambda: runtime.live)
        yield runtime, events
    finally:
        runtime.stop()
        await asyncio.gather(task, return_exceptions=True)


async def test_the_latency_of_a_typed_turn_is_the_delay_the_server_took() -> None:
    delay_s = 0.4
    server = LocalLiveServer(use_espeak=False, audio_pacing=0.1, reply_delay_s=delay_s)
    async with server as srv, session(srv) as (runtime, events):
        assert runtime.controller is not None
        for n in range(2):
            runtime.controller.send_text(f"question {n}")
            await eventually(lambda n=n: len(events.of(core.LatencyMeasured)) == n + 1)
            await eventually(lambda n=n: len(events.of(core.CostUpdated)) == n + 1)
    measured = [e.seconds for e in events.of(core.LatencyMeasured)]
    assert all(abs(m - delay_s) <= 0.030 for m in measured), measured
    last = events.of(core.LatencyMeasured)[-1]
    assert last.turns == 2 and min(measured) <= last.median_s <= max(measured)
    # The figure rides on the reply in the conversation (and so into history and exports).
    replies = [e for e in runtime.transcript.entries if e.role is Role.MODEL]
    assert [int(r.meta[LATENCY_META_KEY]) for r in replies] == [round(m * 1000) for m in measured]
    assert runtime.stats.median_reply_latency_s == last.median_s


async def test_the_meter_counts_the_audio_and_frames_sent_as_the_server_bills_them() -> None:
    async with LocalLiveServer(use_espeak=False, audio_pacing=0.1) as srv:
        video = VideoHost()
        await video.use(StillSource(make_pattern(640, 360, seed=5)), "test", STILL)
        try:
            async with session(srv, model=STABLE_MODEL, video=video) as (runtime, events):
                controller = runtime.controller
                assert controller is not None
                await eventually(lambda: frames_received(srv) >= 1)
                for i in range(100):  # two seconds of (quiet) microphone audio
                    controller.submit_mic_chunk(QUIET_CHUNK, captured_at=i * 0.02)
                await eventually(lambda: audio_received_s(srv) >= 2.0)
                controller.send_text("how much was that?")
                await eventually(lambda: events.of(core.CostUpdated))
        finally:
            await video.aclose()
    snapshot = events.of(core.CostUpdated)[-1].snapshot
    frames = frames_received(srv)
    assert snapshot.tokens[Way.IN, Modality.AUDIO] == 2 * AUDIO_TOKENS_PER_S
    assert snapshot.tokens[Way.IN, Modality.IMAGE] == frames * IMAGE_TOKENS[None]
    assert snapshot.tokens[Way.OUT, Modality.AUDIO] > 0  # the spoken reply
    assert snapshot.reports == 1 and snapshot.price == PRICE_3_8
    expected_usd = (
        sum(n for (way, _), n in snapshot.tokens.items() if way is Way.IN) * 0.75
        + sum(n for (way, _), n in snapshot.tokens.items() if way is Way.OUT) * 4.50
    ) / 1_000_000
    assert snapshot.estimated_usd is not None
    assert abs(snapshot.estimated_usd - expected_usd) < 1e-12


async def test_a_budget_warns_at_80_percent_and_pauses_video_at_100() -> None:
    async with LocalLiveServer(use_espeak=False, audio_pacing=0.1) as srv:
        video = VideoHost()
        await video.use(StillSource(make_pattern(640, 360, seed=6)), "test", STILL)
        try:
            # One turn's report is a few hundred tokens (a frame alone is 258): a budget of
            # 300 tokens is crossed by the first reply or the second.
            async with session(srv, budget=Budget(tokens=300), video=video) as (runtime, events):
                assert runtime.controller is not None
                for n in range(4):
                    runtime.controller.send_text(f"turn {n}")
                    await eventually(lambda n=n: len(events.of(core.CostUpdated)) == n + 1)
                assert video.paused  # the budget paused the video; the session goes on
                assert runtime.live
        finally:
            await video.aclose()
    warnings = [n.message for n in events.of(core.Notice) if "budget" in n.message]
    assert len(warnings) == 2  # each level said once, however many turns follow
    assert "80%" in warnings[0] and "300 tokens" in warnings[0]
    assert "reached" in warnings[1] and "Video is paused" in warnings[1]


def frames_received(server: LocalLiveServer) -> int:
    return sum("video" in m.get("realtimeInput", {}) for c in server.received for m in c)


def audio_received_s(server: LocalLiveServer) -> float:
    import base64

    total = 0
    for connection in server.received:
        for message in connection:
            audio = message.get("realtimeInput", {}).get("audio")
            if audio:
                total += len(base64.b64decode(audio["data"]))
    return total / 2 / msg.MIC_SAMPLE_RATE_HZ
