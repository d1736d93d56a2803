"""`liveview history` as a user runs it: sessions kept by one process, read by new ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from liveview.core.history import HistoryStore
from tests.support.history import child_env, digest, held_exclusively, point_xdg_at

# A process that holds two live sessions the way the app does: protocol events into a
# Transcript, the recorder handing finished turns to the writer thread.
_TWO_SESSIONS = """
import time
from liveview.core import events as core
from liveview.core.history import SessionMeta
from liveview.core.history_transcript import HistoryRecorder
from liveview.core.history_writer import HistoryWriter
from liveview.core.transcript import Transcript
from liveview.protocol import events as ev
writer = HistoryWriter()
writer.start()
talks = [
    [ev.InputTranscription("what is this graph about?", finished=True),
     ev.OutputTranscription("It shows quarterly revenue rising."), ev.TurnComplete(),
     core.UserText("and the red line?"), ev.OutputTranscription("The forecast."),
     ev.TurnComplete()],
    [core.UserText("explain this python traceback"),
     ev.OutputTranscription("The KeyError means the dictionary has no 'user' key."),
     ev.TurnComplete()],
]
for n, events in enumerate(talks):
    start = time.time() - 3600 * (2 - n)
    transcript = Transcript()
    recorder = HistoryRecorder(transcript, writer, SessionMeta(start, "local", "liveview-local", "test"))
    for i, event in enumerate(events):
        transcript.apply(event, start + i)
    recorder.finish(tokens_used=100 * (n + 1))
assert writer.flush()
writer.close()
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    point_xdg_at(tmp_path, monkeypatch)
    return child_env(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "c"))


def history(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "liveview", "history", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def kept(env: dict[str, str], tmp_path: Path) -> Path:
    done = subprocess.run(
        [sys.executable, "-c", _TWO_SESSIONS], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    return tmp_path / "data" / "liveview" / "history.sqlite3"


def test_sessions_kept_by_one_process_are_listed_by_another(
    env: dict[str, str], kept: Path
) -> None:
    result = history(env, "list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "2" and lines[0].endswith("explain this python traceback")
    assert lines[1].split()[0] == "1" and lines[1].endswith("what is this graph about?")
    assert "4 turns" in lines[1] and "liveview-local" in lines[1]
    as_json = json.loads(history(env, "list", "--json").stdout)
    assert [row["id"] for row in as_json] == [2, 1]


def test_search_in_a_new_process_finds_the_words_with_a_snippet(
    env: dict[str, str], kept: Path
) -> None:
    result = history(env, "search", "revenue")
    assert result.returncode == 0
    first, snippet = result.stdout.splitlines()
    assert first.split()[0] == "1" and "what is this graph about?" in first
    assert snippet.strip() == "model: It shows quarterly [revenue] rising."
    hits = json.loads(history(env, "search", "traceback", "--json").stdout)
    assert [h["id"] for h in hits] == [2]
    nothing = history(env, "search", "zebra")
    assert nothing.returncode == 0 and nothing.stdout == "" and "zebra" in nothing.stderr


def test_show_prints_the_conversation_in_the_export_format(env: dict[str, str], kept: Path) -> None:
    result = history(env, "show", "1")
    assert result.returncode == 0
    out = result.stdout
    assert out.startswith("# liveview conversation")
    assert (
        out.index("what is this graph about?")
        < out.index("quarterly revenue")
        < out.index("The forecast.")
    )
    assert "**You (spoken)**" in out and "**You**" in out
    data = json.loads(history(env, "show", "1", "--json").stdout)
    assert data["session"]["tokens_used"] == 100
    assert [row["role"] for row in data["conversation"]] == [
        "user_speech",
        "model",
        "user_text",
        "model",
    ]


def test_export_writes_markdown_or_json_files(
    env: dict[str, str], kept: Path, tmp_path: Path
) -> None:
    md, js = tmp_path / "out" / "chat.md", tmp_path / "out" / "chat.json"
    md.parent.mkdir()
    assert history(env, "export", "2", "-o", str(md)).returncode == 0
    assert "KeyError" in md.read_text() and md.read_text().startswith("# liveview")
    assert history(env, "export", "2", "--format", "json", "-o", str(js)).returncode == 0
    assert json.loads(js.read_text())["session"]["title"] == "explain this python traceback"
    failed = history(env, "export", "2", "-o", str(tmp_path / "missing" / "x.md"))
    assert failed.returncode == 1 and "does not exist" in failed.stderr


def test_an_unknown_id_is_exit_2(env: dict[str, str], kept: Path) -> None:
    for args in (("show", "99"), ("export", "99"), ("delete", "99")):
        result = history(env, *args)
        assert result.returncode == 2, args
        assert "no session 99" in result.stderr
    assert len(history(env, "list").stdout.splitlines()) == 2  # nothing was deleted


def test_delete_one_then_all(env: dict[str, str], kept: Path) -> None:
    assert history(env, "delete", "1").returncode == 0
    assert [line.split()[0] for line in history(env, "list").stdout.splitlines()] == ["2"]
    assert history(env, "search", "revenue").stdout == ""
    result = history(env, "delete", "--all")
    assert result.returncode == 0 and "Deleted 1 conversation." in result.stdout
    assert history(env, "list").stdout == ""


def test_nothing_kept_yet_is_said_and_no_database_is_made(
    env: dict[str, str], tmp_path: Path
) -> None:
    result = history(env, "list")
    assert result.returncode == 0 and "No conversations kept yet" in result.stderr
    assert history(env, "show", "1").returncode == 2
    assert not (tmp_path / "data").exists()


def test_a_corrupt_database_is_exit_3_and_left_as_it_was(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "data" / "liveview" / "history.sqlite3"
    path.parent.mkdir(parents=True)
    path.write_bytes(os.urandom(8192))
    before = digest(path)
    for args in (("list",), ("search", "x"), ("delete", "--all")):
        result = history(env, *args)
        assert result.returncode == 3, args
        assert str(path) in result.stderr and "damaged" in result.stderr
    assert digest(path) == before


def test_a_locked_database_is_exit_3(env: dict[str, str], kept: Path) -> None:
    with held_exclusively(kept):
        result = history(env, "list")
    assert result.returncode == 3 and "locked by another program" in result.stderr
    with HistoryStore.open(kept) as store:
        assert len(store.list_sessions()) == 2
