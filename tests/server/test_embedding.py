"""Embedding: the server on its own loop in a thread, and `python -m liveview.server`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from liveview.server import LocalLiveServer, running_in_thread
from liveview.server.settings import AUDIO_PACING_ENV, ServerSettings, embedded_settings
from tests.support.peer import client_text, closed_with, open_peer, reply_text

REPO = Path(__file__).resolve().parents[2]


async def test_server_in_a_thread_with_faults_from_another_thread() -> None:
    with running_in_thread(LocalLiveServer(audio_pacing=0.1)) as server:  # speech at 10x
        assert server.url.startswith("ws://127.0.0.1:")
        peer = await open_peer(server.url)
        await peer.send(client_text("from another loop"))
        assert '"from another loop"' in reply_text(await peer.turn())
        server.faults.close_now(1011)  # called from this thread, applied on the server's loop
        assert await closed_with(peer) == (1011, "Internal error occurred.")


async def test_module_entry_point_prints_its_url_first(tmp_path: Path) -> None:
    record = tmp_path / "rec.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "liveview.server", "--port", "0", "--record", str(record),
         "--fault", "close:1011@setup"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        url = (await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 30)).strip()
        assert url.startswith("ws://127.0.0.1:")
        peer = await open_peer(url)
        assert await closed_with(peer) == (1011, "Internal error occurred.")  # the planned fault
        peer = await open_peer(url)
        await peer.send(client_text("over a real process"))
        assert '"over a real process"' in reply_text(await peer.turn())
        await peer.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = await asyncio.to_thread(proc.communicate, timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert len(record.read_text().splitlines()) == 3


def test_bad_options_exit_with_a_message() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "liveview.server", "--fault", "explode"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    assert "bad fault 'explode'" in done.stderr and "Traceback" not in done.stderr


def test_the_embedded_servers_pacing_comes_from_the_environment() -> None:
    assert embedded_settings({}) == ServerSettings()
    assert embedded_settings({AUDIO_PACING_ENV: "0.1"}).audio_pacing == 0.1
    assert embedded_settings({AUDIO_PACING_ENV: "0"}).audio_pacing == 0.0
    for bad in ("fast", "-1", "nan", "inf"):  # said in the log, and real time
        assert embedded_settings({AUDIO_PACING_ENV: bad}) == ServerSettings(), bad
