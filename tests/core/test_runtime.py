"""SessionRuntime, the one session the window and headless mode both run, on the real local
server: the video that was already showing reaches every new connection."""

from __future__ import annotations

import asyncio
from typing import Any

from liveview.core.backend import LocalServerKeeper
from liveview.core.bus import EventBus
from liveview.core.runtime import SessionPlan, SessionRuntime
from liveview.core.settings import Backend, SessionSettings
from liveview.core.video_host import VideoHost
from liveview.core.video_pipeline import VideoSettings
from liveview.protocol.catalogue import LOCAL_MODEL
from liveview.server import LocalLiveServer
from tests.capture.patterns import make_pattern
from tests.support.still import StillSource
from tests.support.waiting import eventually

# Nothing changes on a still picture, and the keep-alive is far away: only a fresh start per
# connection can get a frame to it.
STILL = VideoSettings(fps=2.0, keepalive_s=600.0)


def frames_received(connection: Any) -> int:
    return sum("video" in m.get("realtimeInput", {}) for m in connection.received)


async def test_a_still_picture_reaches_the_first_and_every_new_connection() -> None:
    async with LocalLiveServer(use_espeak=False) as server:
        settings = SessionSettings(
            backend=Backend.LOCAL, url=server.url, model=LOCAL_MODEL, audio_replies=False,
            video_enabled=True,
        )  # fmt: skip
        video = VideoHost()
        await video.use(StillSource(make_pattern(640, 360, seed=3)), "test", STILL)
        # The preview runs for a while before the session starts, as in the window.
        await eventually(lambda: video.pipeline is not None and video.pipeline.counters.captured)
        runtime = SessionRuntime(
            SessionPlan(settings, video=STILL),
            bus=EventBus(),
            video=video,
            local_server=LocalServerKeeper(),
        )
        session = asyncio.create_task(runtime.run())
        try:
            await eventually(lambda: server.connections and frames_received(server.connections[0]))
            server.faults.drop_now()
            await eventually(lambda: len(server.connections) == 2 and runtime.live)
            await eventually(lambda: frames_received(server.connections[1]) >= 1)
            # And the picture really is still: later looks send nothing more.
            counters = video.pipeline.counters if video.pipeline is not None else None
            assert counters is not None
            looked = counters.captured
            await eventually(lambda: counters.captured >= looked + 2)
            assert counters.skipped_unchanged >= 1 and frames_received(server.connections[1]) == 1
        finally:
            runtime.stop()
            await asyncio.gather(session, return_exceptions=True)
            await video.aclose()


async def test_nothing_is_encoded_for_a_session_that_is_not_connected() -> None:
    """The runtime sets the target before the first connection is up: until target_ready says
    so, the host's pipeline makes no JPEG (the uplink would drop it)."""
    video, sent, connected = VideoHost(), [], [False]
    video.target = lambda jpeg: bool(sent.append(jpeg))
    video.target_ready = lambda: connected[0]
    await video.use(StillSource(make_pattern(640, 360, seed=4)), "test", STILL)
    try:
        pipeline = video.pipeline
        assert pipeline is not None
        await eventually(lambda: pipeline.counters.captured >= 1)  # the preview still comes
        await asyncio.sleep(1.2)  # looks at 2 fps with nobody taking frames
        assert pipeline.counters.encoded == 0 and sent == []
        connected[0] = True
        await eventually(lambda: len(sent) == 1)  # the still picture goes out at once
        assert pipeline.counters.encoded == pipeline.counters.sent == 1
    finally:
        await video.aclose()
