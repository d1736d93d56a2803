"""A real launch: `python -m liveview` as a process on the Xvfb display, typed into with real key
events (xdotool), talking to a real local server process that records what it receives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

pytestmark = pytest.mark.x11

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output"
TYPED = "hello from real keys"
START_TIMEOUT_S = 30.0


def _wait_for(condition: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s: {what}")
        time.sleep(0.1)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    record = tmp_path / "record.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "liveview.server", "--record", str(record), "--no-espeak"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("ws://"), url
        yield url, record
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


def _xdotool(*args: str) -> str:
    done = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=20)
    return done.stdout.strip()


def _record_texts(record: Path) -> list[str]:
    if not record.exists():
        return []
    texts = []
    for line in record.read_text(encoding="utf-8").splitlines():
        message = json.loads(line)
        for turn in message.get("clientContent", {}).get("turns", []):
            texts += [part.get("text", "") for part in turn.get("parts", [])]
    return texts


@pytest.mark.skipif(
    not shutil.which("xdotool") or not shutil.which("import"),
    reason="needs xdotool and imagemagick",
)
def test_real_launch_shows_the_window_and_real_keys_reach_the_server(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    url, record = server
    shown = tmp_path / "shown"
    env = dict(
        os.environ,
        LIVEVIEW_SETTINGS_FILE=str(tmp_path / "liveview.ini"),
        LIVEVIEW_STARTUP_REPORT=str(shown),
    )
    log = tmp_path / "app-stderr.txt"
    with log.open("w") as stderr_file:
        app = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "liveview",
                "--url",
                url,
                "--source",
                "test",
                "--no-audio",
                "--no-mic",
            ],
            cwd=REPO,
            env=env,
            stderr=stderr_file,
        )
    try:
        _wait_for(shown.exists, START_TIMEOUT_S, "the window to be shown")
        windows: list[str] = []

        def window_found() -> bool:
            windows[:] = _xdotool(
                "search", "--onlyvisible", "--pid", str(app.pid), "--name", "^liveview$"
            ).split()
            return bool(windows)

        _wait_for(window_found, 10, "the liveview window on the display")
        window = windows[0]
        _xdotool("windowraise", window)
        _xdotool("windowfocus", "--sync", window)
        _xdotool("key", "--clearmodifiers", "ctrl+l")
        _xdotool("type", "--delay", "15", TYPED)
        _xdotool("key", "Return")
        _wait_for(
            lambda: TYPED in _record_texts(record), 30, "the typed text in the server's record"
        )
        time.sleep(2.5)  # let the reply stream in before the screenshot
        OUTPUT.mkdir(exist_ok=True)
        shot = OUTPUT / "launch-screen.png"
        subprocess.run(["import", "-window", "root", str(shot)], check=True, timeout=30)
        image = cv2.imread(str(shot))
        assert image is not None and image.shape[:2] == (1080, 1920)
        assert float(image[:800, :1280].std()) > 20  # a drawn window, not an empty screen
        _xdotool("windowfocus", "--sync", window)
        _xdotool("key", "--clearmodifiers", "ctrl+q")
        assert app.wait(20) == 0
    finally:
        if app.poll() is None:
            app.terminate()
            app.wait(10)
    stderr = log.read_text()
    assert "Traceback" not in stderr, stderr
