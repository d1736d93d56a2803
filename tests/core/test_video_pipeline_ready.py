"""VideoPipeline with a sink that is not always taking frames (no session yet, reconnecting):
nothing is encoded for nobody, the preview goes on, and the first frame taken goes out at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from liveview.capture import CameraKind, CameraSource, Frame, FrameProducer, SyntheticSource
from liveview.core.video_pipeline import VideoPipeline, VideoSettings
from tests.capture.patterns import make_pattern, write_video
from tests.core.test_video_pipeline import Collector, running


class Switch:
    def __init__(self, on: bool) -> None:
        self.on = on
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.on


async def test_nothing_is_encoded_while_the_sink_takes_nothing() -> None:
    sink, ready = Collector(), Switch(on=False)
    producer = FrameProducer(SyntheticSource(1280, 720, fps=20))
    pipeline = VideoPipeline(producer, VideoSettings(fps=5), sink, sink_ready=ready)
    async with running(pipeline):
        while ready.asked < 4:  # four looks at a moving picture
            await asyncio.sleep(0.02)
        assert sink.frames == []
        c = pipeline.counters
        assert c.encoded == c.sent == c.skipped_unchanged == 0
        assert pipeline.latest_preview is not None  # the window still shows what would go
        ready.on = True
        await sink.wait_for(2)
    # Every JPEG made went to the sink: none was made while it took nothing.
    assert pipeline.counters.encoded == pipeline.counters.sent == len(sink.frames) >= 2


async def test_a_still_picture_goes_out_at_once_when_the_sink_takes_frames_again(
    tmp_path: Path,
) -> None:
    still = make_pattern(640, 360, seed=9)
    clip = write_video(tmp_path / "still.avi", [still] * 10, fps=50)
    sink, ready = Collector(), Switch(on=True)
    producer = FrameProducer(CameraSource(clip, CameraKind.FILE))
    settings = VideoSettings(fps=5, keepalive_s=60)  # longer than the test's hang guard
    pipeline = VideoPipeline(producer, settings, sink, sink_ready=ready)
    async with running(pipeline):
        await sink.wait_for(1)
        while pipeline.counters.skipped_unchanged < 2:  # unchanged: not sent again
            await asyncio.sleep(0.02)
        assert len(sink.frames) == 1
        ready.on = False  # e.g. a reconnect: what the model has seen is unknown
        asked = ready.asked
        while ready.asked < asked + 2:
            await asyncio.sleep(0.02)
        ready.on = True
        await sink.wait_for(2)  # not the keep-alive: the picture is new to whoever takes it
    assert len(sink.frames) >= 2


class CountingProducer(FrameProducer):
    """Counts the looks the pipeline takes at the source (each one a grab for a screen)."""

    looks = 0

    async def next_frame(self, after_seq: int = -1, *, fresh: bool = False) -> Frame:
        self.looks += 1
        return await super().next_frame(after_seq, fresh=fresh)


async def test_nothing_is_grabbed_while_nobody_takes_frames_or_reads_the_preview() -> None:
    sink, ready = Collector(), Switch(on=False)
    producer = CountingProducer(SyntheticSource(640, 360, fps=20))
    pipeline = VideoPipeline(producer, VideoSettings(fps=5), sink, sink_ready=ready)
    async with running(pipeline):
        while pipeline.preview_seq < 1:  # the first preview is always made
            await asyncio.sleep(0.02)
        looks, asked = producer.looks, ready.asked
        while ready.asked < asked + 4:  # headless before connecting: no preview reader
            await asyncio.sleep(0.02)
        assert producer.looks == looks
        assert sink.frames == []
        ready.on = True
        await sink.wait_for(1)  # the first frame taken goes out at once
    assert producer.looks > looks
