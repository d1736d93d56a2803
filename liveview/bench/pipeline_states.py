"""What the video pipeline costs when it sends little or nothing, on an animated screen: at the
default 1 fps, while paused, and while no session takes frames (the window before Start).

The real VideoPipeline and screen source run in this process against a sink that drops the
JPEGs; the CPU of this process's threads (from /proc, the animated panel's drawing thread left
out) is compared with the same span with the pipeline stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from liveview.bench.capture_process import cpu_by_thread
from liveview.bench.screen_content import animated_panel
from liveview.capture.runner import FrameProducer
from liveview.capture.screen import ScreenSource
from liveview.core.video_pipeline import VideoPipeline, VideoSettings

SPAN_S = 10.0


_LEAVE_OUT: set[int] = set()  # the animation's drawing thread


def _cpu_s() -> float:
    return sum(s for tid, s in cpu_by_thread(os.getpid()).items() if tid not in _LEAVE_OUT)


async def _ms_per_s(span_s: float) -> float:
    started = _cpu_s()
    await asyncio.sleep(span_s)
    return (_cpu_s() - started) / span_s * 1e3


async def _with_pipeline(
    monitor: int, ready: Callable[[], bool], during: Callable[[VideoPipeline], Awaitable[Any]]
) -> Any:
    sent: list[int] = []

    def sink(jpeg: bytes) -> bool:
        sent.append(len(jpeg))
        return False

    pipeline = VideoPipeline(
        FrameProducer(ScreenSource(monitor)), VideoSettings(fps=1.0), sink, sink_ready=ready
    )
    task = asyncio.create_task(pipeline.run(), name="bench video")
    try:
        await asyncio.sleep(2.0)  # started, first frames out
        return await during(pipeline)
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def _states(monitor: int, span_s: float) -> dict[str, Any]:
    baseline = await _ms_per_s(span_s)

    async def running(pipeline: VideoPipeline) -> tuple[float, int]:
        before = pipeline.counters.sent
        return await _ms_per_s(span_s), pipeline.counters.sent - before

    async def paused(pipeline: VideoPipeline) -> float:
        pipeline.pause()
        await asyncio.sleep(1.0)
        return await _ms_per_s(span_s)

    streaming, frames = await _with_pipeline(monitor, lambda: True, running)
    held = await _with_pipeline(monitor, lambda: True, paused)
    no_session = await _with_pipeline(monitor, lambda: False, running)
    return {
        "what": "process CPU ms per second above the same span with no pipeline, 1 fps",
        "baseline_ms_per_s": round(baseline, 1),
        "streaming_1fps_ms_per_s": round(streaming - baseline, 1),
        "frames_sent_in_span": frames,
        "paused_ms_per_s": round(held - baseline, 1),
        "no_session_ms_per_s": round(no_session[0] - baseline, 1),
        "span_s": span_s,
    }


def pipeline_states(args: argparse.Namespace) -> dict[str, Any]:
    with animated_panel() as animation:
        while animation.native_id is None:
            time.sleep(0.01)
        _LEAVE_OUT.add(animation.native_id)
        return asyncio.run(_states(args.monitor, SPAN_S))
