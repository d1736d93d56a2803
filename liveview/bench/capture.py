"""`liveview bench capture`: what a screen frame costs, against the naive path, on a real screen.

Needs an X display (Xvfb 1920x1080 is fine) and ImageMagick's `display` to put realistic content
(windows of text, a photo-like area) on the root window. Sections (`--sections`, all by default):
- per_frame: grab / convert+resize / encode / total ms (median, p95) and JPEG bytes, >= 100 frames;
- naive: mss grabs through mss -> PNG -> PIL -> JPEG (with PIL's thumbnail() resize, as in
  common examples, and without a resize), and how many times slower that is;
- static: a static screen for 60 s at 1 fps through the real VideoPipeline (simulated time by
  default: an injected clock; frames still come from the real screen): fraction of frames sent;
- change_delay: real time, 1 fps: from a change becoming visible on screen (seen by a separate
  2 ms poller) to the pipeline handing the frame to its sink;
- loop_lag: p99 lateness of a 20 ms asyncio sleep while the pipeline captures and encodes at 5 fps;
- process: CPU the whole `liveview headless` process pays per frame sent, streaming an animated
  screen to a local server, minus an idle session (see capture_process);
- states: what the pipeline costs at 1 fps, paused, and with no session taking frames
  (see pipeline_states).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext, suppress
from pathlib import Path
from typing import Any

import mss
import mss.tools
import numpy as np

from liveview.bench import capture_process, frame_path, pipeline_states
from liveview.bench.screen_content import CHANGE_BOX, desktop_content, private_display
from liveview.capture.runner import FrameProducer
from liveview.capture.screen import ScreenSource, list_monitors, open_mss
from liveview.core.loop_lag import LoopLagMonitor
from liveview.core.video_pipeline import VideoPipeline, VideoSettings
from liveview.encode.throttle import LatestSlot

SECTIONS = ("per_frame", "naive", "static", "change_delay", "loop_lag", "process", "states")
POLL_INTERVAL_S = 0.002


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--frames", type=int, default=120, help="frames timed (>= 100)")
    parser.add_argument("--naive-frames", type=int, default=20, help="of those, through PNG")
    parser.add_argument("--max-side", type=int, default=1024)
    parser.add_argument("--jpeg-quality", type=int, default=80)
    parser.add_argument("--static-seconds", type=float, default=60.0)
    parser.add_argument(
        "--real-time", action="store_true", help="run the static test in real time, not simulated"
    )
    parser.add_argument("--changes", type=int, default=6, help="changes timed for change_delay")
    parser.add_argument("--lag-seconds", type=float, default=10.0)
    parser.add_argument("--monitor", type=int, default=1)
    parser.add_argument(
        "--own-display",
        action="store_true",
        help="start a private Xvfb 1920x1080x24 for the run (nothing else draws on it)",
    )
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated, of {', '.join(SECTIONS)} (naive needs per_frame)",
    )
    capture_process.add_arguments(parser)


def run(args: argparse.Namespace) -> dict[str, Any]:
    with private_display() if args.own_display else nullcontext():
        return _run(args)


def _run(args: argparse.Namespace) -> dict[str, Any]:
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    if unknown := sections - set(SECTIONS):
        raise SystemExit(f"liveview bench capture: unknown sections {sorted(unknown)}")
    monitor = next(m for m in list_monitors() if m.index == args.monitor)
    result: dict[str, Any] = {
        "display": os.environ.get("DISPLAY", "") + (" (private Xvfb)" if args.own_display else ""),
        "screen": f"{monitor.width}x{monitor.height}",
        "settings": {"max_side": args.max_side, "jpeg_quality": args.jpeg_quality},
        "load_avg_1_5_15min_at_start": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory() as tmp, desktop_content(Path(tmp), monitor) as show:
        result["content"] = show("a")
        if "per_frame" in sections:
            shots = _per_frame(args, result)
            if "naive" in sections:
                _naive(args, result, shots)
        if "static" in sections:
            result["static"] = asyncio.run(_static(args))
        if "change_delay" in sections:
            result["change_delay"] = asyncio.run(_change_delay(args, show))
        if "loop_lag" in sections:
            result["loop_lag"] = asyncio.run(_loop_lag(args))
        if "process" in sections:
            result["process"] = capture_process.process_cost(args)
        if "states" in sections:
            result["states"] = pipeline_states.pipeline_states(args)
    result["load_avg_1_5_15min_at_end"] = [round(x, 2) for x in os.getloadavg()]
    result["targets"] = _targets(result)
    return result


# --- per-frame cost, ours and naive ---------------------------------------------------------


def _per_frame(args: argparse.Namespace, result: dict[str, Any]) -> list[Any]:
    """The path as the pipeline runs it (frame_path), then grabs through mss for the naive
    comparison (the PNG path starts from an mss screenshot)."""
    result["per_frame"] = frame_path.per_frame(args)
    kept = []
    with open_mss() as sct:
        box = sct.monitors[args.monitor]
        for _ in range(args.naive_frames):
            started = time.perf_counter()
            shot = sct.grab(box)
            kept.append((shot, (time.perf_counter() - started) * 1e3))
    return kept


def _naive(args: argparse.Namespace, result: dict[str, Any], shots: list[Any]) -> None:
    try:
        from PIL import Image
    except ImportError:
        result["naive"] = {"skipped": "Pillow is not installed (pip install pillow)"}
        return

    def naive(shot: Any, resize: bool) -> tuple[float, int]:
        t0 = time.perf_counter()
        png = mss.tools.to_png(shot.rgb, shot.size)
        assert png is not None
        img = Image.open(io.BytesIO(png))
        if resize:
            img.thumbnail((args.max_side, args.max_side))  # what common examples do
        out = io.BytesIO()
        img.convert("RGB").save(out, format="JPEG", quality=args.jpeg_quality)
        return (time.perf_counter() - t0) * 1e3, out.tell()

    ours = result["per_frame"]["total_ms"]["median"]
    naive_result: dict[str, Any] = {
        "frames": len(shots),
        "grabs": "mss.grab(), timed and added to each",
    }
    for name, resize in (("png_pil_resize", True), ("png_pil_no_resize", False)):
        runs = [naive(shot, resize) for shot, _ in shots]
        totals = [grab + ms for (_, grab), (ms, _) in zip(shots, runs, strict=True)]
        stats = frame_path.stats(totals)
        naive_result[name] = {
            "total_ms": stats,
            "jpeg_bytes_median": int(statistics.median(size for _, size in runs)),
            "slower_than_ours_x": round(stats["median"] / ours, 1),
        }
    result["naive"] = naive_result


# --- pipeline runs --------------------------------------------------------------------------


class _SimClock:
    """Simulated time for the static run: each wait takes a little real time (so the real screen
    keeps delivering frames) and advances the clock by the full wait."""

    def __init__(self, real_s: float) -> None:
        self.now = 0.0
        self.real_s = real_s

    def __call__(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.now += delay
        await asyncio.sleep(self.real_s)


def _recorder(times: list[float], clock: Callable[[], float]) -> Callable[[bytes], bool]:
    """A sink that notes when each frame arrived (and never reports a replaced frame)."""

    def sink(_jpeg: bytes) -> bool:
        times.append(clock())
        return False

    return sink


async def _run_for(pipeline: VideoPipeline, until: Callable[[], bool]) -> None:
    task = asyncio.create_task(pipeline.run(), name="bench video")
    try:
        while not until():
            if task.done():
                raise RuntimeError(f"the video pipeline stopped: {pipeline.error}")
            await asyncio.sleep(0.005)
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


async def _static(args: argparse.Namespace) -> dict[str, Any]:
    sent: list[float] = []
    settings = VideoSettings(fps=1.0)
    duration = args.static_seconds
    if args.real_time:
        start = time.monotonic()
        pipeline = VideoPipeline(
            FrameProducer(ScreenSource(args.monitor)), settings, _recorder(sent, time.monotonic)
        )
        await _run_for(pipeline, lambda: time.monotonic() - start >= duration)
        timing = "real time"
    else:
        sim = _SimClock(real_s=0.01)
        pipeline = VideoPipeline(
            FrameProducer(ScreenSource(args.monitor)),
            settings,
            _recorder(sent, sim),
            clock=sim,
            sleep=sim.sleep,
        )
        await _run_for(pipeline, lambda: sim.now >= duration - 0.01)
        timing = "simulated: injected clock, 10 ms of real time per wait, real screen frames"
    slots = int(duration * settings.fps)
    return {
        "seconds": duration,
        "fps": settings.fps,
        "time": timing,
        "frame_slots": slots,
        "frames_sent": pipeline.counters.sent,
        "fraction_sent": round(pipeline.counters.sent / slots, 4),
        "skipped_unchanged": pipeline.counters.skipped_unchanged,
        "keepalive_s": settings.keepalive_s,
        "sent_at_s": [round(t, 2) for t in sent],
    }


async def _change_delay(args: argparse.Namespace, show: Callable[[str], str]) -> dict[str, Any]:
    """Real time at 1 fps: alternate the picture, time change-visible -> frame in the sink."""
    sink_times: list[float] = []
    pipeline = VideoPipeline(
        FrameProducer(ScreenSource(args.monitor)),
        VideoSettings(fps=1.0),
        _recorder(sink_times, time.monotonic),
    )
    delays_ms: list[float] = []
    task = asyncio.create_task(pipeline.run(), name="bench video")
    try:
        while not sink_times:
            await asyncio.sleep(0.01)
        rng = random.Random(3)
        for i in range(args.changes):
            await asyncio.sleep(rng.uniform(1.2, 2.4))  # random phase against the 1 s ticks
            sent_before = len(sink_times)
            visible_at = await asyncio.to_thread(
                _change_and_time, show, "b" if i % 2 == 0 else "a", args.monitor
            )
            while len(sink_times) == sent_before or sink_times[-1] < visible_at:
                await asyncio.sleep(0.002)
            first_after = next(t for t in sink_times[sent_before:] if t >= visible_at)
            delays_ms.append(round((first_after - visible_at) * 1e3, 1))
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
    return {
        "fps": 1.0,
        "frame_interval_ms": 1000.0,
        "delays_ms": delays_ms,
        "median_ms": round(statistics.median(delays_ms), 1),
        "max_ms": max(delays_ms),
        "measured_from": "the change first seen by a separate 2 ms screen poller",
    }


def _change_and_time(show: Callable[[str], str], variant: str, monitor: int) -> float:
    """Show `variant` and return the monotonic time the change became visible on screen."""
    box = {"left": CHANGE_BOX.x + 100, "top": CHANGE_BOX.y + 100, "width": 200, "height": 60}
    with open_mss() as sct:
        before = np.asarray(sct.grab(box)).copy()
        thread = threading.Thread(target=show, args=(variant,), name="bench: change screen")
        thread.start()
        try:
            while True:
                now = time.monotonic()
                if not np.array_equal(np.asarray(sct.grab(box)), before):
                    return now
                time.sleep(POLL_INTERVAL_S)
        finally:
            thread.join()


async def _loop_lag(args: argparse.Namespace) -> dict[str, Any]:
    """Every frame encoded (change detection off) at 5 fps: the worst case for the loop."""
    lane: LatestSlot[bytes] = LatestSlot()
    pipeline = VideoPipeline(
        FrameProducer(ScreenSource(args.monitor)),
        VideoSettings(fps=5.0, change_detection=False),
        lane.put,
    )
    monitor = LoopLagMonitor(interval_s=0.02)
    lag_task = asyncio.create_task(monitor.run(), name="loop lag")
    start = time.monotonic()
    try:
        await _run_for(pipeline, lambda: time.monotonic() - start >= args.lag_seconds)
    finally:
        lag_task.cancel()
        with suppress(asyncio.CancelledError):
            await lag_task
    return {
        "fps": 5.0,
        "seconds": args.lag_seconds,
        "frames_sent": pipeline.counters.sent,
        "probe_interval_ms": 20,
        "samples": len(monitor.samples_ms),
        "p99_ms": round(monitor.p99_ms(), 2),
        "max_ms": round(monitor.max_ms(), 2),
    }


def _targets(result: dict[str, Any]) -> dict[str, Any]:
    """Each target that its section measured (a section not run has no verdict)."""
    checks: dict[str, Any] = {}
    if "per_frame" in result:
        total = result["per_frame"]["total_ms"]["median"]
        checks["frame_path_median_le_2_5ms"] = total <= 2.5
    if "naive" in result:
        naive = result["naive"].get("png_pil_resize", {})
        checks["naive_ratio_ge_20x"] = naive.get("slower_than_ours_x", 0) >= 20
    if "static" in result:
        checks["static_fraction_le_10pct"] = result["static"]["fraction_sent"] <= 0.10
    if "change_delay" in result:
        checks["change_within_one_interval"] = result["change_delay"]["max_ms"] <= 1000.0
    if "loop_lag" in result:
        checks["loop_lag_p99_le_10ms"] = result["loop_lag"]["p99_ms"] <= 10.0
    if "process" in result:
        checks["process_ms_per_frame_le_5ms"] = result["process"]["ms_per_frame"]["median"] <= 5.0
    return checks
