"""`liveview bench session`: reconnect gap, lost mic audio, memory over a long session, loop lag.

The local server runs in its own process (so its memory is not counted as ours) and the client is
a real session (core/runtime.SessionRuntime) over loopback. The long session is time-accelerated:
a 10-minute session's worth of 2 fps video and 16 kHz mic audio is pushed through at `--speedup`
times real time, while the server's spoken replies stream down at their own real-time pace.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import os
import struct
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

from liveview.capture.synthetic import SyntheticSource
from liveview.core import events as core
from liveview.core.backend import LocalServerKeeper
from liveview.core.backoff import Backoff
from liveview.core.bus import EventBus
from liveview.core.controller import SessionController
from liveview.core.loop_lag import LoopLagMonitor
from liveview.core.policy import ReconnectPolicy
from liveview.core.runtime import SessionPlan, SessionRuntime
from liveview.core.settings import Backend, SessionSettings
from liveview.core.stats import percentile
from liveview.core.video_host import VideoHost
from liveview.encode.jpeg import encode_jpeg
from liveview.protocol import events as ev
from liveview.protocol import messages as msg
from liveview.protocol.catalogue import LOCAL_MODEL

CHUNK_MS = 20
CHUNK_BYTES = 16_000 * 2 * CHUNK_MS // 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reconnects", type=int, default=20, help="goAway reconnects to time")
    parser.add_argument(
        "--session-minutes", type=float, default=10.0, help="length of the simulated long session"
    )
    parser.add_argument("--fps", type=float, default=2.0, help="video frames per second")
    parser.add_argument(
        "--speedup",
        type=float,
        default=10.0,
        help="how much faster than real time the long session runs",
    )
    parser.add_argument(
        "--realtime-seconds",
        type=float,
        default=20.0,
        help="length of the real-time run that measures loop lag",
    )


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.contextmanager
def _server_process(*args: str) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "liveview.server", "--no-espeak", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("ws://"):
            raise RuntimeError(f"the local server did not start: {url!r}")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@contextlib.asynccontextmanager
async def _session(
    url: str, listener: Callable[[object], None] | None = None
) -> AsyncIterator[SessionController]:
    """A session on the server at `url`, its controller once it exists; stopped on exit."""
    settings = SessionSettings(
        backend=Backend.LOCAL, url=url, model=LOCAL_MODEL, video_enabled=True
    )
    bus = EventBus()
    if listener is not None:
        bus.subscribe(listener)
    runtime = SessionRuntime(
        SessionPlan(settings),
        bus=bus,
        video=VideoHost(),
        local_server=LocalServerKeeper(),
        policy=ReconnectPolicy(Backoff(stable_after_s=0.5)),
    )
    async with asyncio.TaskGroup() as tg:
        task = tg.create_task(runtime.run(), name="session")
        while runtime.controller is None and not task.done():
            await asyncio.sleep(0.01)
        assert runtime.controller is not None, "the session did not start"
        try:
            yield runtime.controller
        finally:
            runtime.stop()


def _chunk(seq: int) -> bytes:
    return struct.pack("<i", seq) + b"\x00" * (CHUNK_BYTES - 4)


async def _reconnect_gaps(url: str, reconnects: int) -> dict[str, Any]:
    """goAway -> the first mic chunk on the socket of the next connection, per reconnect."""
    loop = asyncio.get_running_loop()
    go_away_at: list[float] = []
    gaps: list[float] = []
    sent_seqs: list[int] = []
    state = {"waiting": False}

    def on_event(event: object) -> None:
        if isinstance(event, ev.GoAway):
            go_away_at.append(loop.time())
            state["waiting"] = True
        elif (
            isinstance(event, core.WireMessage)
            and event.kind == msg.AudioChunk.kind
            and state["waiting"]
            and reconnected[0] == len(gaps) + 1
        ):
            gaps.append(loop.time() - go_away_at[-1])
            state["waiting"] = False
        elif isinstance(event, core.Reconnected):
            reconnected[0] += 1

    reconnected = [0]
    async with _session(url, on_event) as controller:
        seq = 0
        start = loop.time()
        while len(gaps) < reconnects:
            controller.submit_mic_chunk(_chunk(seq), loop.time())
            sent_seqs.append(seq)
            seq += 1
            await asyncio.sleep(max(0.0, start + seq * CHUNK_MS / 1000 - loop.time()))
            if loop.time() - start > reconnects * 10:
                break
        await asyncio.sleep(0.3)
    return {
        "reconnects": len(gaps),
        "gap_ms_median": round(percentile(gaps, 50) * 1000, 1),
        "gap_ms_p95": round(percentile(gaps, 95) * 1000, 1),
        "gap_ms_max": round(max(gaps, default=0) * 1000, 1),
        "mic_chunks_sent": len(sent_seqs),
        "mic_chunks_dropped_by_backlog": controller.stats.mic_chunks_dropped,
    }


def _lost_chunks(record: Path, sent: int) -> int:
    import json

    seen = []
    for line in record.read_text().splitlines():
        audio = json.loads(line).get("realtimeInput", {}).get("audio")
        if audio:
            seen.append(struct.unpack("<i", base64.b64decode(audio["data"])[:4])[0])
    return sent - len(set(seen) & set(range(sent)))


def _frames(n: int) -> list[bytes]:
    source = SyntheticSource(1280, 720)
    source.open()
    out = []
    for _ in range(n):
        frame = source.read()
        out.append(encode_jpeg(frame.image).data)
    source.close()
    return out


async def _long_session(url: str, minutes: float, fps: float, speedup: float) -> dict[str, Any]:
    lag = LoopLagMonitor()
    frames = _frames(16)
    loop = asyncio.get_running_loop()
    simulated_s = minutes * 60
    rss: list[tuple[float, float]] = []
    audio_down = [0]

    def count_audio(event: object) -> None:
        if isinstance(event, ev.ModelAudio):
            audio_down[0] += len(event.data)

    async with _session(url, count_audio) as controller, asyncio.TaskGroup() as tg:
        lag_task = tg.create_task(lag.run(), name="lag")
        while not controller.connected:
            await asyncio.sleep(0.01)
        start = loop.time()
        seq = 0
        next_frame_sim = 0.0
        next_turn_sim = 0.0
        while (sim := (loop.time() - start) * speedup) < simulated_s:
            while seq * CHUNK_MS / 1000 < sim:
                controller.submit_mic_chunk(_chunk(seq), loop.time())
                seq += 1
            if sim >= next_frame_sim:
                controller.submit_video_frame(frames[int(next_frame_sim * fps) % len(frames)])
                next_frame_sim += 1 / fps
            if sim >= next_turn_sim:  # a spoken reply now and then keeps audio flowing down
                controller.send_text("what changed?")
                next_turn_sim += 20.0
            if not rss or loop.time() - rss[-1][0] >= 1.0:
                gc.collect()
                rss.append((loop.time(), _rss_mb()))
            await asyncio.sleep(0.005)
        lag_task.cancel()
    values = [m for _, m in rss]
    warm = values[len(values) // 10 :] or values
    return {
        "simulated_minutes": minutes,
        "speedup": speedup,
        "wall_s": round(loop.time() - start, 1),
        "video_fps_simulated": fps,
        "mic_chunks_sent": controller.stats.mic_chunks_sent,
        "reply_audio_bytes_received": audio_down[0],
        "rss_mb_after_warmup": round(warm[0], 1),
        "rss_mb_end": round(values[-1], 1),
        "rss_mb_max": round(max(values), 1),
        "rss_growth_mb_after_warmup": round(max(warm) - warm[0], 1),
        "loop_lag_ms_p99": round(lag.p99_ms(), 2),
        "loop_lag_ms_max": round(lag.max_ms(), 2),
    }


async def _realtime_lag(url: str, seconds: float, fps: float) -> dict[str, Any]:
    """Loop lag at real time: the real video pipeline (test pattern, encode on a thread) at
    `fps`, mic chunks every 20 ms, spoken replies streaming down."""
    from liveview.capture.runner import FrameProducer
    from liveview.core.video_pipeline import VideoPipeline, VideoSettings

    lag = LoopLagMonitor()
    loop = asyncio.get_running_loop()
    async with _session(url) as controller, asyncio.TaskGroup() as tg:
        video = VideoPipeline(
            FrameProducer(SyntheticSource(1920, 1080)),
            VideoSettings(fps=fps, change_detection=False),
            controller.submit_video_frame,
        )
        lag_task = tg.create_task(lag.run(), name="lag")
        video_task = tg.create_task(video.run(), name="video")
        start = loop.time()
        seq = 0
        while loop.time() - start < seconds:
            if seq % 250 == 0:
                controller.send_text("describe the frame")
            controller.submit_mic_chunk(_chunk(seq), loop.time())
            seq += 1
            await asyncio.sleep(max(0.0, start + seq * CHUNK_MS / 1000 - loop.time()))
        video_task.cancel()
        lag_task.cancel()
    return {
        "seconds": seconds,
        "video_fps": fps,
        "frames_sent": video.counters.sent,
        "loop_lag_ms_p99": round(lag.p99_ms(), 2),
        "loop_lag_ms_max": round(lag.max_ms(), 2),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    record = Path(os.environ.get("TMPDIR", "/tmp")) / f"liveview-bench-{os.getpid()}.jsonl"
    with _server_process(
        "--lifetime", "1.5", "--go-away-lead", "1.0", "--record", str(record)
    ) as url:
        gaps = asyncio.run(_reconnect_gaps(url, args.reconnects))
    gaps["mic_chunks_lost"] = _lost_chunks(record, gaps["mic_chunks_sent"])
    record.unlink(missing_ok=True)
    started = time.monotonic()
    with _server_process() as url:
        long = asyncio.run(_long_session(url, args.session_minutes, args.fps, args.speedup))
    long["bench_wall_s"] = round(time.monotonic() - started, 1)
    with _server_process() as url:
        realtime = asyncio.run(_realtime_lag(url, args.realtime_seconds, args.fps))
    return {
        "reconnect": gaps,
        "long_session": long,
        "realtime_load": realtime,
        "targets": {
            "gap_ms_median_max": 300,
            "mic_chunks_lost": 0,
            "rss_growth_mb_max": 10,
        },
    }
