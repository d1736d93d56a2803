"""History across real processes: a writer killed mid-session, a disk that fills up, two
writers at once."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from liveview.core.history import HistoryStore
from liveview.core.history_db import Check
from tests.support.history import child_env

# A session that writes turns through the real writer thread and says on stdout, after each
# flush (everything queued so far is committed), which turn is kept. It never ends by itself.
_WRITE_FOREVER = """
import sys, time
from pathlib import Path
from liveview.core.history import SessionMeta, TurnRecord, TurnRole
from liveview.core.history_limits import HistoryPolicy
from liveview.core.history_writer import HistoryWriter
writer = HistoryWriter(HistoryPolicy(path=Path(sys.argv[1])))
writer.start()
key = writer.begin_session(SessionMeta(time.time(), "local", "liveview-local", "test"))
seq = 0
while True:
    for _ in range(3):  # a few turns queued at once, as a live session does
        role = TurnRole.USER if seq % 2 == 0 else TurnRole.MODEL
        writer.add_turn(key, TurnRecord(seq, time.time(), role, f"turn {seq} " + "word " * 60))
        seq += 1
    if not writer.flush():
        sys.exit("flush timed out")
    print(seq - 1, flush=True)
"""

# Writes one long session into a database on a small disk, then copies the database (and its
# write-ahead log) out and prints what the writer reported.
_FILL_THE_DISK = """
import json, shutil, sys, time
from pathlib import Path
from liveview.core.history import SessionMeta, TurnRecord, TurnRole
from liveview.core.history_limits import HistoryPolicy
from liveview.core.history_writer import HistoryWriter
path, out = Path(sys.argv[1]), Path(sys.argv[2])
problems = []
writer = HistoryWriter(HistoryPolicy(path=path), on_problem=problems.append)
writer.start()
key = writer.begin_session(SessionMeta(time.time()))
for seq in range(400):
    writer.add_turn(key, TurnRecord(seq, time.time(), TurnRole.MODEL, f"turn {seq} " + "talk " * 200))
writer.end_session(key)
assert writer.flush(30)
writer.close()
for suffix in ("", "-wal"):  # a checkpoint may not fit on a full disk: the WAL holds the rest
    if Path(f"{path}{suffix}").exists():
        shutil.copy(f"{path}{suffix}", f"{out}{suffix}")
print(json.dumps({"written": writer.stats().turns_written,
                  "problems": [[p.kind.value, p.message] for p in problems]}))
"""


def _turn_numbers(path: Path) -> list[int]:
    with HistoryStore.open(path, check=Check.FULL) as store:
        assert store.integrity_problems() == []
        (sid,) = store.session_ids()
        session = store.get_session(sid)
        assert session is not None
        return [t.record.seq for t in session.turns]


def test_a_writer_killed_mid_session_keeps_every_finished_turn(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    child = subprocess.Popen(
        [sys.executable, "-c", _WRITE_FOREVER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    assert child.stdout is not None
    acknowledged = -1
    while acknowledged < 60:
        line = child.stdout.readline()
        assert line, child.communicate()[1]
        acknowledged = int(line)
    child.send_signal(signal.SIGKILL)  # while it goes on writing: no chance to clean up
    child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL
    kept = _turn_numbers(path)
    assert kept == list(range(len(kept)))  # no holes
    assert len(kept) > acknowledged  # every acknowledged turn is there
    with HistoryStore.open(path) as store:  # and the database takes new sessions again
        assert store.list_sessions()[0].ended_at is None  # it never ended


def _report(stdout: str) -> dict[str, object]:
    result: dict[str, object] = json.loads(stdout.strip().splitlines()[-1])
    return result


def _can_mount_in_a_namespace() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_in_a_namespace(), reason="needs unshare -rm (user namespaces)")
def test_a_full_disk_is_said_once_and_the_session_goes_on(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    out = tmp_path / "copy.sqlite3"
    # A real 384 kB file system (tmpfs in a private mount namespace): writes fail with ENOSPC.
    script = f'mount -t tmpfs -o size=384k tmpfs "{disk}" && exec "$0" -c "$1" "$2" "$3"'
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, sys.executable, _FILL_THE_DISK,
         str(disk / "history.sqlite3"), str(out)],
        capture_output=True, text=True, timeout=120, env=child_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = _report(result.stdout)
    assert [kind for kind, _ in report["problems"]] == ["disk_full"]  # type: ignore[attr-defined]
    assert "is full" in report["problems"][0][1]  # type: ignore[index]
    kept = _turn_numbers(out)
    assert kept == list(range(len(kept))) and 0 < len(kept) == report["written"] < 400


def _limit_file_size() -> None:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, not kills
    resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))


def test_a_file_size_limit_is_said_once_and_the_database_stays_sound(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", _FILL_THE_DISK, str(path), str(tmp_path / "copy.sqlite3")],
        capture_output=True,
        text=True,
        timeout=120,
        env=child_env(),
        preexec_fn=_limit_file_size,
    )
    assert result.returncode == 0, result.stderr
    report = _report(result.stdout)
    assert len(report["problems"]) == 1, report  # type: ignore[arg-type]
    kept = _turn_numbers(path)
    assert kept == list(range(len(kept))) and 0 < len(kept) == report["written"] < 400


_ONE_SESSION = """
import sys, time
from pathlib import Path
from liveview.core.history import SessionMeta, TurnRecord, TurnRole
from liveview.core.history_limits import HistoryPolicy
from liveview.core.history_writer import HistoryWriter
problems = []
writer = HistoryWriter(HistoryPolicy(path=Path(sys.argv[1])), on_problem=problems.append)
writer.start()
key = writer.begin_session(SessionMeta(time.time(), source=sys.argv[2]))
for seq in range(300):
    writer.add_turn(key, TurnRecord(seq, time.time(), TurnRole.MODEL, f"{sys.argv[2]} {seq}"))
writer.end_session(key)
assert writer.flush(30)
writer.close()
assert not problems, problems
"""


def test_two_writers_in_two_processes_both_keep_everything(tmp_path: Path) -> None:
    """The window and a headless run at the same time, on the same history."""
    path = tmp_path / "history.sqlite3"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _ONE_SESSION, str(path), name],
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for name in ("window", "headless")
    ]
    for child in children:
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    with HistoryStore.open(path) as store:
        sessions = [store.get_session(sid) for sid in store.session_ids()]
    assert sorted((s.meta.source, len(s.turns)) for s in sessions if s) == [
        ("headless", 300),
        ("window", 300),
    ]
    assert os.path.getsize(path) > 0
