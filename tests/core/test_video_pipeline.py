"""VideoPipeline with real sources (test pattern, video files, the Xvfb screen) and a sink that
collects what would go to the transport's video lane."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import numpy as np
import pytest

from liveview.capture import CameraKind, CameraSource, FrameProducer, ScreenSource, SyntheticSource
from liveview.capture.screen import Region
from liveview.core.video_pipeline import VideoPipeline, VideoSettings
from liveview.encode import decode_jpeg
from liveview.errors import CaptureError, ConfigError, LiveViewError
from tests.capture.patterns import make_pattern, needs_display, psnr, write_video

GUARD_S = 20.0  # a hang guard, not a speed target


class Collector:
    """The sink: keeps every JPEG, says whether it replaced an unsent one."""

    def __init__(self, replaced: Callable[[int], bool] = lambda _: False) -> None:
        self.frames: list[bytes] = []
        self.times: list[float] = []
        self.clock: Callable[[], float] | None = None
        self._replaced = replaced
        self._arrived = asyncio.Event()

    def __call__(self, jpeg: bytes) -> bool:
        self.frames.append(jpeg)
        if self.clock is not None:
            self.times.append(self.clock())
        self._arrived.set()
        return self._replaced(len(self.frames))

    async def wait_for(self, count: int) -> None:
        async def _wait() -> None:
            while len(self.frames) < count:
                self._arrived.clear()
                await self._arrived.wait()

        await asyncio.wait_for(_wait(), GUARD_S)


class SimClock:
    """Injected clock and sleep: each simulated sleep takes `real_s` of real time, up to `end`."""

    def __init__(self, end: float, real_s: float = 0.0) -> None:
        self.now = 0.0
        self.end = end
        self.real_s = real_s

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        if self.now + delay > self.end:
            await asyncio.Event().wait()  # the simulation is over: wait to be cancelled
        self.now += delay
        await asyncio.sleep(self.real_s)


@contextlib.asynccontextmanager
async def running(pipeline: VideoPipeline) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(pipeline.run(), name="video")
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def synthetic(fps: float = 20) -> FrameProducer:
    return FrameProducer(SyntheticSource(1280, 720, fps=fps))


async def test_moving_pattern_is_sent_at_the_frame_rate_size() -> None:
    sink = Collector()
    pipeline = VideoPipeline(synthetic(), VideoSettings(fps=5), sink)
    async with running(pipeline):
        await sink.wait_for(4)
    decoded = [decode_jpeg(jpeg) for jpeg in sink.frames]
    assert all(image.shape == (576, 1024, 3) for image in decoded)
    assert not np.array_equal(decoded[0], decoded[-1])
    c = pipeline.counters
    assert c.sent == c.encoded == len(sink.frames)
    assert c.bytes_sent == sum(len(f) for f in sink.frames)
    assert c.skipped_unchanged == 0 and c.dropped_backpressure == 0
    assert c.captured >= c.sent
    assert pipeline.latest_preview is not None and pipeline.latest_preview.shape == (180, 320, 3)
    assert pipeline.preview_seq >= 1
    assert pipeline.last_sent is not None and pipeline.last_sent.width == 1024


async def test_static_picture_for_60_s_sends_few_frames(tmp_path: Path) -> None:
    """Simulated time (injected clock): a still video at 1 fps for 60 s. The video runs at
    100 fps and each simulated wait takes 10 ms, so most looks see a new (identical) frame."""
    still = make_pattern(640, 360, seed=7)
    clip = write_video(tmp_path / "still.avi", [still] * 10, fps=100)
    clock = SimClock(end=59.99, real_s=0.01)  # the 60 one-second slots from t=0 to t=59
    sink = Collector()
    sink.clock = clock
    producer = FrameProducer(CameraSource(clip, CameraKind.FILE))
    pipeline = VideoPipeline(producer, VideoSettings(fps=1), sink, clock=clock, sleep=clock.sleep)
    async with running(pipeline):
        while clock.now < 59.75:  # the last look; the next sleep would pass the end
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
    # The first frame, then a keep-alive every 15 s: 0, 15, 30, 45.
    assert sink.times == [0.0, 15.0, 30.0, 45.0]
    assert len(sink.frames) / 60 <= 0.10
    assert pipeline.counters.skipped_unchanged >= 100  # ~4 looks a second
    assert psnr(decode_jpeg(sink.frames[0]), still) >= 30


async def test_snapshot_bypasses_the_rate_limit_and_is_sharper() -> None:
    sink = Collector()
    pipeline = VideoPipeline(synthetic(), VideoSettings(fps=0.05), sink)  # one frame per 20 s
    async with running(pipeline):
        await sink.wait_for(1)
        pipeline.request_snapshot()
        await sink.wait_for(2)  # long before the 20 s the limiter would ask for
    first, snapshot = (decode_jpeg(jpeg) for jpeg in sink.frames)
    assert first.shape == (576, 1024, 3)
    assert snapshot.shape == (720, 1280, 3)  # native size: snapshots go up to 2048 px
    assert pipeline.counters.sent == 2


async def test_pause_stops_sending_and_resume_sends_at_once() -> None:
    sink = Collector()
    pipeline = VideoPipeline(synthetic(), VideoSettings(fps=5), sink)
    async with running(pipeline):
        await sink.wait_for(2)
        pipeline.pause()
        assert pipeline.paused
        await asyncio.sleep(0.3)  # let a frame already being encoded land
        during_pause = len(sink.frames)
        await asyncio.sleep(0.6)  # three frame intervals at 5 fps
        assert len(sink.frames) == during_pause
        pipeline.resume()
        await sink.wait_for(during_pause + 1)


async def test_source_that_ends_stops_video_not_the_session(tmp_path: Path) -> None:
    frames = [make_pattern(320, 180, seed=i) for i in range(6)]
    clip = write_video(tmp_path / "short.avi", frames, fps=25)
    errors: list[LiveViewError] = []
    sink = Collector()
    producer = FrameProducer(CameraSource(clip, CameraKind.FILE, loop=False))
    pipeline = VideoPipeline(producer, VideoSettings(fps=5), sink, on_error=errors.append)
    await asyncio.wait_for(pipeline.run(), GUARD_S)  # returns, does not raise
    assert len(errors) == 1 and isinstance(errors[0], CaptureError)
    assert "ended" in errors[0].user_message
    assert pipeline.error is errors[0]
    assert len(sink.frames) >= 1
    assert not producer.running


async def test_source_that_cannot_open_reports_through_on_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.avi"
    bogus.write_text("no video here")
    errors: list[LiveViewError] = []
    producer = FrameProducer(CameraSource(bogus, CameraKind.FILE))
    pipeline = VideoPipeline(producer, VideoSettings(), Collector(), on_error=errors.append)
    await asyncio.wait_for(pipeline.run(), GUARD_S)
    assert len(errors) == 1 and "could not be opened" in str(errors[0])


async def test_replaced_frames_count_as_dropped_for_backpressure() -> None:
    sink = Collector(replaced=lambda n: n > 1)  # the socket never takes anything after frame 1
    pipeline = VideoPipeline(synthetic(), VideoSettings(fps=5), sink)
    async with running(pipeline):
        await sink.wait_for(4)
    c = pipeline.counters
    assert c.dropped_backpressure == c.sent - 1 >= 3


def test_settings_are_validated() -> None:
    VideoSettings(fps=5, max_side=768, jpeg_quality=70, change_threshold=0.01, keepalive_s=30)
    for bad in (
        {"fps": 6},
        {"fps": 0},
        {"max_side": 10},
        {"jpeg_quality": 0},
        {"change_threshold": 1.5},
        {"keepalive_s": 0},
    ):
        with pytest.raises(ConfigError):
            VideoSettings(**bad)  # type: ignore[arg-type]


@pytest.mark.x11
@needs_display
async def test_a_change_on_a_static_screen_is_sent(qtbot) -> None:  # type: ignore[no-untyped-def]
    from tests.capture.qt_window import PatternWindow

    x, y, w, h = 300, 200, 480, 270
    before, after = make_pattern(w, h, seed=11), make_pattern(w, h, seed=12)
    window = PatternWindow(before, x, y)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_image(before)

    sink = Collector()
    producer = FrameProducer(ScreenSource(1, Region(x, y, w, h)))
    pipeline = VideoPipeline(producer, VideoSettings(fps=1), sink)
    async with running(pipeline):
        # Wait until the window's picture is what went out (the first grab may predate paint).
        while psnr(decode_jpeg((await _next(sink)).data), before) < 30:
            pass
        sent_before = len(sink.frames)
        while pipeline.counters.skipped_unchanged < 2:  # static: looked at, not resent
            await asyncio.sleep(0.05)
        assert len(sink.frames) == sent_before
        window.show_image(after)
        while psnr(decode_jpeg((await _next(sink)).data), after) < 30:
            pass
    window.close()


class _Sent:
    def __init__(self, data: bytes) -> None:
        self.data = data


async def _next(sink: Collector) -> _Sent:
    await sink.wait_for(len(sink.frames) + 1)
    return _Sent(sink.frames[-1])
