"""What a sent frame costs the whole process: `liveview headless` streaming an animated screen
to the local server, against an idle session of the same length.

Both sessions are real processes with a real WebSocket connection to a local server that runs
in a process of its own (its frame analysis is the server's cost, not the client's), headless
as it starts by default (playback on, no microphone; --process-no-audio turns playback off in
both). They run side by side, so the load others put on this shared machine weighs on both
alike. Their CPU (user + system, the kernel's per-process accounting that getrusage also reads)
is read from /proc at the same instants, in a steady window that starts once both are connected
(start-up is left out); the whole-run figure from wait4() is reported next to it. The cost of a
frame is (streaming CPU - idle CPU) / frames sent in the window. Linux only.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liveview.bench.screen_content import ANIMATION_FPS, animated_panel

SETTLE_S = 2.0  # after the session is connected, before the window opens
SERVER_START_S = 20.0
_TICKS_PER_S = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--process-seconds", type=float, default=30.0, help="steady window of each session run"
    )
    parser.add_argument("--process-runs", type=int, default=3, help="idle/streaming run pairs")
    parser.add_argument("--process-fps", type=float, default=5.0)
    parser.add_argument(
        "--process-no-audio",
        dest="process_audio",
        action="store_false",
        help="run both sessions with --no-audio (by default playback is on, as in headless)",
    )


@dataclass
class SessionRun:
    """One headless process: CPU in the steady window, per thread, and over its whole life."""

    source: str
    window_s: float
    window_cpu_s: float
    main_thread_cpu_s: float
    other_threads_cpu_s: list[float]
    whole_cpu_s: float
    frames_in_window: int
    frames_total: int
    message_bytes_median: int  # realtimeInput.video messages on the wire (base64 JSON)
    load_before: float
    load_after: float


def cpu_by_thread(pid: int) -> dict[int, float]:
    """utime + stime of every thread of `pid`, in seconds (threads that ended are gone)."""
    times = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = Path(f"/proc/{pid}/task/{tid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()  # the name may hold spaces: cut after it
        times[int(tid)] = (int(fields[11]) + int(fields[12])) / _TICKS_PER_S
    return times


def _events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    events = []
    for line in lines:
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:  # the last line may be half written
            continue
    return events


def _is_frame(event: dict[str, Any]) -> bool:
    kind = str(event.get("kind", ""))
    return event.get("direction") == "out" and kind.startswith("realtimeInput.video")


def _wait_connected(child: subprocess.Popen[bytes], events: Path, timeout_s: float) -> None:
    """Until the server has answered (a WireMessage in): the session is up."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"headless exited early with status {child.returncode}")
        if any(e.get("direction") == "in" for e in _events(events)):
            return
        time.sleep(0.1)
    raise RuntimeError("headless did not connect to the local server")


class _Session:
    """One `liveview headless` child and its events file."""

    def __init__(self, url: str, source: str, args: argparse.Namespace, tmp: Path) -> None:
        self.source = source
        self.events = tmp / f"events-{source.replace(':', '')}-{time.monotonic_ns()}.jsonl"
        audio = [] if args.process_audio else ["--no-audio"]
        command = [
            sys.executable, "-m", "liveview", "headless", "--backend", "local", "--url", url,
            "--source", source, "--fps", f"{args.process_fps:g}", "--max-side",
            str(args.max_side), "--jpeg-quality", str(args.jpeg_quality), "--no-mic", *audio,
            "--events", str(self.events),
            "--duration", f"{args.process_seconds + SETTLE_S + 30:g}",  # outlives the window
        ]  # fmt: skip
        self.child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> float:
        """SIGTERM (as the end of --duration would); the child's whole-life CPU, from wait4."""
        if self.child.poll() is not None:
            return 0.0
        self.child.terminate()
        _, _, usage = os.wait4(self.child.pid, 0)
        self.child.returncode = 0
        return usage.ru_utime + usage.ru_stime

    def result(self, start: dict[int, float], end: dict[int, float], window: tuple[float, float],
               whole_cpu_s: float, load: tuple[float, float]) -> SessionRun:  # fmt: skip
        deltas = {tid: end[tid] - start.get(tid, 0.0) for tid in end}
        pid = self.child.pid
        frames = [e for e in _events(self.events) if _is_frame(e)]
        return SessionRun(
            source=self.source,
            window_s=round(window[1] - window[0], 3),
            window_cpu_s=sum(deltas.values()),
            main_thread_cpu_s=deltas.get(pid, 0.0),
            other_threads_cpu_s=sorted((d for t, d in deltas.items() if t != pid), reverse=True),
            whole_cpu_s=whole_cpu_s,
            frames_in_window=sum(1 for e in frames if window[0] <= float(e["at"]) <= window[1]),
            frames_total=len(frames),
            message_bytes_median=int(statistics.median([e.get("size", 0) for e in frames] or [0])),
            load_before=load[0],
            load_after=load[1],
        )


def run_pair(url: str, monitor: int, args: argparse.Namespace, tmp: Path) -> tuple[SessionRun, ...]:
    """An idle and a streaming session side by side, their CPU read at the same instants: the
    machine's other load (it is shared) weighs on both alike."""
    load_before = os.getloadavg()[0]
    sessions = [_Session(url, "none", args, tmp), _Session(url, f"screen:{monitor}", args, tmp)]
    try:
        for session in sessions:
            _wait_connected(session.child, session.events, SERVER_START_S)
        time.sleep(SETTLE_S)
        started_at = time.monotonic()
        starts = [cpu_by_thread(s.child.pid) for s in sessions]
        time.sleep(args.process_seconds)
        ends = [cpu_by_thread(s.child.pid) for s in sessions]
        window = (started_at, time.monotonic())
        load = (load_before, os.getloadavg()[0])
        whole = [s.stop() for s in sessions]
    finally:
        for session in sessions:
            if session.child.poll() is None:
                session.child.kill()
                session.child.wait()
    return tuple(
        s.result(a, b, window, cpu, load)
        for s, a, b, cpu in zip(sessions, starts, ends, whole, strict=True)
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def local_server() -> Iterator[str]:
    """`liveview serve` in a process of its own; yields its ws:// URL once it accepts."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "liveview", "serve", "--port", str(port), "--no-espeak"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the local server did not start") from None
                time.sleep(0.1)
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _pair_figures(idle: SessionRun, live: SessionRun) -> dict[str, Any]:
    frames = max(1, live.frames_in_window)
    per_s = live.window_s or 1.0
    idle_rate = idle.window_cpu_s / (idle.window_s or 1.0)
    extra_s = live.window_cpu_s - idle_rate * live.window_s  # idle scaled to the same length
    return {
        "ms_per_frame": round(extra_s / frames * 1e3, 2),
        "frames_in_window": live.frames_in_window,
        "message_bytes_median": live.message_bytes_median,
        "window_s": live.window_s,
        "streaming_cpu_ms_per_s": round(live.window_cpu_s / per_s * 1e3, 1),
        "idle_cpu_ms_per_s": round(idle_rate * 1e3, 1),
        "event_loop_thread_ms_per_frame": round(
            (live.main_thread_cpu_s - idle.main_thread_cpu_s * live.window_s / idle.window_s)
            / frames
            * 1e3,
            2,
        ),
        "threads_ms_per_s": [round(d / per_s * 1e3, 1) for d in live.other_threads_cpu_s[:6]],
        "whole_run_ms_per_frame": round(
            (live.whole_cpu_s - idle.whole_cpu_s) / max(1, live.frames_total) * 1e3, 2
        ),
        "load_avg_1min": [round(x, 2) for x in (idle.load_before, live.load_after)],
    }


def process_cost(args: argparse.Namespace) -> dict[str, Any]:
    """Idle and streaming sessions in turns (so a change in the machine's load hits both)."""
    pairs = []
    with tempfile.TemporaryDirectory() as tmp, local_server() as url, animated_panel() as anim:
        drawn_before = anim.drawn
        for _ in range(max(1, args.process_runs)):
            idle, live = run_pair(url, args.monitor, args, Path(tmp))
            pairs.append(_pair_figures(idle, live))
        animation = anim.drawn - drawn_before
    per_frame = [p["ms_per_frame"] for p in pairs]
    return {
        "what": (
            "liveview headless streaming an animated 1080p screen to a local server in its own "
            "process, minus an idle session run alongside: process CPU (user+sys) per frame sent"
        ),
        "fps": args.process_fps,
        "playback": "on" if args.process_audio else "off (--no-audio)",
        "animation": f"a 900x400 panel redrawn at {ANIMATION_FPS:g} Hz ({animation} pictures)",
        "ms_per_frame": {
            "median": round(statistics.median(per_frame), 2),
            "min": min(per_frame),
            "max": max(per_frame),
        },
        "runs": pairs,
    }
