"""Helpers for the history tests: real database files, real processes holding them."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from liveview.core.history import HistoryStore, SessionMeta, TurnInput, TurnRecord, TurnRole
from liveview.encode.jpeg import encode_jpeg

T0 = 1_790_000_000.0  # a fixed wall-clock second, so dates are stable
ROOT = Path(__file__).resolve().parents[2]

_HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA locking_mode = EXCLUSIVE")
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""


def point_xdg_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """XDG_DATA_HOME / XDG_CONFIG_HOME in a temporary folder; returns the history path."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "data" / "liveview" / "history.sqlite3"


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child process that imports this worktree's liveview."""
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def frame_jpeg(seed: int = 0, size: tuple[int, int] = (540, 960)) -> bytes:
    """A real JPEG like a sent frame: a gradient with a block whose place depends on seed."""
    h, w = size
    image = np.zeros((h, w, 3), np.uint8)
    image[:, :, 0] = np.linspace(0, 255, w, dtype=np.uint8)[None, :]
    x = (seed * 97) % (w - 100)
    image[100:200, x : x + 100] = (0, 0, 255)
    return encode_jpeg(image, 1024, 80).data


def user(seq: int, text: str, *, at: float = T0, spoken: bool = False) -> TurnRecord:
    how = TurnInput.SPOKEN if spoken else TurnInput.TYPED
    return TurnRecord(seq=seq, at=at + seq, role=TurnRole.USER, text=text, input=how)


def model(seq: int, text: str, *, at: float = T0, **kwargs: object) -> TurnRecord:
    return TurnRecord(seq=seq, at=at + seq, role=TurnRole.MODEL, text=text, **kwargs)  # type: ignore[arg-type]


def write_session(
    store: HistoryStore,
    texts: list[str],
    *,
    started_at: float = T0,
    ended: bool = True,
    model_name: str = "liveview-local",
) -> int:
    """A session whose turns alternate user, model, user, ... with these texts."""
    sid = store.insert_session(
        SessionMeta(started_at, backend="local", model=model_name, source="test")
    )
    for seq, text in enumerate(texts):
        turn = user(seq, text, at=started_at) if seq % 2 == 0 else model(seq, text, at=started_at)
        store.put_turn(sid, turn)
    if ended:
        store.finish_session(sid, started_at + len(texts) + 1)
    return sid


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def held_exclusively(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the database with an exclusive lock until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.communicate(timeout=10)  # closes its stdin (it lets go) and its stdout
