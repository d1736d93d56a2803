"""`liveview bench startup`: how fast the window appears, and how responsive it stays.

1. Process start to main window shown: `python -m liveview` launched N times; the app writes the
   wall-clock time of its first paint to $LIVEVIEW_STARTUP_REPORT. Median, target <= 1.5 s.
2. Event-loop lag while streaming: the real window, in this process, on its qasync loop, with a
   session on the built-in local server sending 2 fps video (test pattern) and the microphone,
   and receiving spoken replies. p99 of LoopLagMonitor, target <= 16 ms. The window shows the same
   figure live in the protocol inspector (F12).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

STARTUP_TARGET_S = 1.5
LAG_TARGET_MS = 16.0
LAUNCH_TIMEOUT_S = 30.0
TURN_INTERVAL_S = 4.0  # a typed turn this often keeps spoken replies coming down


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--launches", type=int, default=5, help="window launches to time")
    parser.add_argument("--lag-seconds", type=float, default=20.0, help="streaming time measured")
    parser.add_argument("--skip-lag", action="store_true", help="only time the launches")
    parser.add_argument("--skip-startup", action="store_true", help="only measure loop lag")


APP_COMMAND = [sys.executable, "-m", "liveview"]


def seconds_to_window(workdir: Path, index: int, app: Sequence[str] = APP_COMMAND) -> float:
    """Launch `app` (the source tree by default, or a frozen binary) and time process start to
    the main window's first paint, which the app reports through LIVEVIEW_STARTUP_REPORT."""
    report = workdir / f"shown-{index}"
    env = dict(
        os.environ,
        LIVEVIEW_STARTUP_REPORT=str(report),
        LIVEVIEW_SETTINGS_FILE=str(workdir / "liveview.ini"),
        LIVEVIEW_LOG_DIR=str(workdir / "logs"),
    )
    cmd = [*app, "--backend", "local", "--source", "none", "--no-mic"]
    started = time.time()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + LAUNCH_TIMEOUT_S
        while not report.exists() or not report.read_text().strip():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the window did not appear (exit code {proc.poll()})")
            time.sleep(0.005)
        return float(report.read_text()) - started
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def measure_startup(launches: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="liveview-bench-") as tmp:
        seconds_to_window(Path(tmp), -1)  # warm the OS file cache; not counted
        times = [seconds_to_window(Path(tmp), i) for i in range(launches)]
    median = statistics.median(times)
    return {
        "launches": launches,
        "median_s": round(median, 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "target_s": STARTUP_TARGET_S,
        "ok": median <= STARTUP_TARGET_S,
    }


async def _stream_and_measure(seconds: float) -> dict[str, Any]:
    from PySide6.QtCore import QSettings

    from liveview.core.app_model import AppModel
    from liveview.core.prefs import Prefs
    from liveview.ui.main_window import QtMainWindow
    from liveview.ui.prefs_store import QtPrefsStore

    with tempfile.TemporaryDirectory(prefix="liveview-bench-") as tmp:
        store = QtPrefsStore(QSettings(str(Path(tmp) / "bench.ini"), QSettings.Format.IniFormat))
        prefs = Prefs(backend="local", source="test", fps=2.0, mic_enabled=True, echo="off")
        model = AppModel(prefs, store.save, keys=lambda: (None, ""))
        window = QtMainWindow(model, store)
        window.show()
        model.start_background()
        try:
            await window.select_source("test")
            model.start_session()
            while model.controller is None or not model.controller.connected:
                await asyncio.sleep(0.05)
            controller = model.controller
            model.lag.samples_ms.clear()
            started = time.monotonic()
            next_turn = started
            while time.monotonic() - started < seconds:
                if time.monotonic() >= next_turn:
                    controller.send_text("Describe what you see in one sentence.")
                    next_turn += TURN_INTERVAL_S
                await asyncio.sleep(0.1)
            now = time.monotonic()
            stats = controller.stats
            p99_ms = round(model.lag.p99_ms(), 2)
            result: dict[str, Any] = {
                "seconds": seconds,
                "p99_ms": p99_ms,
                "max_ms": round(model.lag.max_ms(), 2),
                "probes": len(model.lag.samples_ms),
                "target_ms": LAG_TARGET_MS,
                "fps_sent": round(stats.fps(now), 2),
                "kbit_up": round(stats.kbit_up(now), 1),
                "kbit_down": round(stats.kbit_down(now), 1),
                "mic_chunks_sent": stats.mic_chunks_sent,
                "audio": {
                    "mic": model.audio_state.mic,
                    "speaker": model.audio_state.speaker,
                },
            }
            result["ok"] = p99_ms <= LAG_TARGET_MS
            return result
        finally:
            window.close()
            await model.aclose()


def measure_lag(seconds: float) -> dict[str, Any]:
    import qasync  # after PySide6
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["liveview-bench"])
    app.setQuitOnLastWindowClosed(False)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(_stream_and_measure(seconds))


def run(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"platform": os.environ.get("QT_QPA_PLATFORM", "xcb")}
    if not args.skip_startup:
        result["startup"] = measure_startup(args.launches)
    if not args.skip_lag:
        result["loop_lag_streaming"] = measure_lag(args.lag_seconds)
    return result
