"""Sessions kept and continued, as a user runs them: headless sessions in real processes against
the local server, a real SQLite file under a temporary XDG_DATA_HOME, and `liveview history` in
new processes reading what they kept."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from liveview.core.history import HistoryStore
from liveview.server.app import LocalLiveServer, running_in_thread
from liveview.server.settings import AUDIO_PACING_ENV
from tests.support.history import child_env


def run(*args: str, data: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = child_env(XDG_DATA_HOME=str(data / "data"), XDG_CONFIG_HOME=str(data / "config"))
    env[AUDIO_PACING_ENV] = "0.1"  # the embedded server: only the transcripts are read
    return subprocess.run(
        [sys.executable, "-m", "liveview", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def history_file(data: Path) -> Path:
    return data / "data" / "liveview" / "history.sqlite3"


@pytest.fixture
def server() -> Iterator[LocalLiveServer]:
    with running_in_thread(LocalLiveServer(use_espeak=False, audio_pacing=0.1)) as srv:
        yield srv


def client_contents(connection: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["clientContent"] for m in connection if "clientContent" in m]


def test_a_headless_session_is_kept_and_found_by_list_search_and_show(tmp_path: Path) -> None:
    asked = run("headless", "--no-audio", "--text", "where is the purple giraffe", data=tmp_path)
    assert asked.returncode == 0, asked.stderr

    listed = run("history", "list", data=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 1 and "where is the purple giraffe" in lines[0]
    session_id = lines[0].split()[0]

    found = run("history", "search", "giraffe", data=tmp_path)
    assert found.returncode == 0, found.stderr
    assert session_id in found.stdout and "giraffe" in found.stdout.lower()

    shown = run("history", "show", session_id, data=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "where is the purple giraffe" in shown.stdout
    reply = asked.stdout.strip().splitlines()[0]
    assert reply[:30] in shown.stdout  # the model's answer is kept with it

    with HistoryStore.open(history_file(tmp_path)) as store:
        kept = store.get_session(int(session_id))
    assert kept is not None and kept.ended_at is not None
    assert kept.meta.backend and kept.meta.model == "liveview-local"


def test_no_history_keeps_nothing(tmp_path: Path) -> None:
    asked = run("headless", "--no-history", "--no-audio", "--text", "hello", data=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert not history_file(tmp_path).exists()


def test_continue_seeds_the_earlier_turns_with_their_roles_before_the_new_question(
    server: LocalLiveServer, tmp_path: Path
) -> None:
    first = run("headless", "--url", server.url, "--text", "my cat is called Tom", data=tmp_path)
    assert first.returncode == 0, first.stderr
    session_id = run("history", "list", data=tmp_path).stdout.split()[0]

    again = run(
        "headless", "--url", server.url, "--continue", session_id,
        "--text", "what is my cat called?", data=tmp_path,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr

    later = server.received[-1]
    assert later[0]["setup"]["historyConfig"] == {"initialHistoryInClientContent": True}
    seed, question = client_contents(later)[:2]
    assert seed["turnComplete"] is False
    roles = [turn["role"] for turn in seed["turns"]]
    assert roles[:2] == ["user", "model"]
    assert seed["turns"][0]["parts"][0]["text"] == "my cat is called Tom"
    assert question == {
        "turns": [{"role": "user", "parts": [{"text": "what is my cat called?"}]}],
        "turnComplete": True,
    }
    # The continued session is a session of its own in the history.
    assert len(run("history", "list", data=tmp_path).stdout.strip().splitlines()) == 2


def test_continue_with_an_unknown_id_exits_2_and_says_how_to_find_one(tmp_path: Path) -> None:
    result = run("headless", "--continue", "999", "--text", "hi", data=tmp_path)
    assert result.returncode == 2
    assert "no session 999" in result.stderr and "liveview history list" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_profile_sets_the_instruction_and_an_option_given_wins(
    server: LocalLiveServer, tmp_path: Path
) -> None:
    result = run(
        "headless", "--url", server.url, "--profile", "pair programmer", "--voice", "Puck",
        "--text", "hi", data=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    setup = server.received[-1][0]["setup"]
    instruction = json.dumps(setup["systemInstruction"])
    assert "program" in instruction.lower()
    voice = setup["generationConfig"]["speechConfig"]["voiceConfig"]["prebuiltVoiceConfig"]
    assert voice["voiceName"] == "Puck"
    with HistoryStore.open(history_file(tmp_path)) as store:
        kept = store.get_session(store.list_sessions()[0].id)
    assert kept is not None and kept.meta.profile == "Pair programmer"


def test_an_unknown_profile_exits_2_naming_the_profiles(tmp_path: Path) -> None:
    result = run("headless", "--profile", "nope", "--text", "hi", data=tmp_path)
    assert result.returncode == 2
    assert "No profile named 'nope'" in result.stderr and "Pair programmer" in result.stderr
