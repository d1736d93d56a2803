"""The history writer thread and the Transcript recorder, on real database files."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

from liveview.core import events as core
from liveview.core.history import HistoryStore, SessionMeta, TurnRole
from liveview.core.history_db import Check
from liveview.core.history_limits import DAY_S, HistoryPolicy, Retention
from liveview.core.history_transcript import HistoryRecorder
from liveview.core.history_writer import (
    HistoryOff,
    HistoryProblem,
    HistoryWriter,
    ProblemKind,
    open_history,
)
from liveview.core.transcript import Transcript
from liveview.encode.jpeg import decode_jpeg
from liveview.protocol import events as ev
from tests.support.history import (
    T0,
    digest,
    frame_jpeg,
    held_exclusively,
    model,
    point_xdg_at,
    user,
    write_session,
)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return point_xdg_at(tmp_path, monkeypatch)


class Problems:
    def __init__(self) -> None:
        self.seen: list[HistoryProblem] = []
        self.threads: set[str] = set()

    def __call__(self, problem: HistoryProblem) -> None:
        self.seen.append(problem)
        self.threads.add(threading.current_thread().name)

    @property
    def kinds(self) -> list[ProblemKind]:
        return [p.kind for p in self.seen]


def started(policy: HistoryPolicy | None = None, **kwargs: object) -> HistoryWriter:
    writer = HistoryWriter(policy or HistoryPolicy(), **kwargs)  # type: ignore[arg-type]
    writer.start()
    return writer


def kept_sessions(path: Path | None = None) -> list[tuple[str, list[str]]]:
    with HistoryStore.open(path) as store:
        out = []
        for summary in reversed(store.list_sessions()):
            session = store.get_session(summary.id)
            assert session is not None
            out.append((session.title, [t.record.text for t in session.turns]))
        return out


def test_a_session_is_written_turn_by_turn_with_thumbnails(db: Path) -> None:
    problems = Problems()
    writer = started(on_problem=problems)
    key = writer.begin_session(SessionMeta(T0, "local", "liveview-local", "test"))
    writer.add_turn(
        key, replace(user(0, "what is on screen?", spoken=True), frame_jpeg=frame_jpeg(3))
    )
    writer.add_turn(key, model(1, "A blue square."))
    assert writer.flush()
    assert kept_sessions() == [("what is on screen?", ["what is on screen?", "A blue square."])]
    assert writer.session_ids == {key: 1}  # the database id of the session running
    writer.end_session(key, tokens_used=99)
    assert writer.flush() and writer.session_ids == {}
    writer.close()
    with HistoryStore.open() as store:
        session = store.get_session(store.session_ids()[0])
        assert session is not None and session.tokens_used == 99 and session.ended_at
        thumb = store.thumbnail(session.turns[0].id)
    assert thumb is not None and max(decode_jpeg(thumb).shape[:2]) == 160
    assert problems.seen == [] and writer.stats().turns_written == 2


def test_add_turn_only_enqueues_and_a_full_queue_drops_and_says_so_once(db: Path) -> None:
    problems = Problems()
    writer = HistoryWriter(on_problem=problems, queue_size=4)  # not started: nothing drains
    key = writer.begin_session(SessionMeta(T0))
    for seq in range(10):
        writer.add_turn(key, model(seq, f"turn {seq}"))
    writer.start()
    assert writer.flush()  # drained: there is room again
    writer.add_turn(key, model(10, "after"))
    assert writer.flush()
    writer.close()
    assert writer.stats().dropped == 7  # 1 begin + 3 turns fit; 7 did not
    assert problems.kinds == [ProblemKind.BEHIND]
    assert problems.threads == {"history-writer"}  # said on the writer thread, not the caller's
    assert kept_sessions()[0][1] == ["turn 0", "turn 1", "turn 2", "after"]


def test_a_session_outgrowing_the_size_cap_is_said_once_and_goes_on(db: Path) -> None:
    problems = Problems()
    writer = started(HistoryPolicy(max_bytes=160_000), on_problem=problems)
    key = writer.begin_session(SessionMeta(T0))
    for seq in range(120):  # one running session is never pruned: the hard cap stops it
        writer.add_turn(key, model(seq, f"turn {seq} " + "talk " * 400))
    writer.end_session(key)
    assert writer.flush()
    writer.close()
    assert problems.kinds == [ProblemKind.SIZE_CAP]
    assert "outgrown the space set aside" in problems.seen[0].message
    stats = writer.stats()
    assert 0 < stats.turns_written < 120 and stats.dropped == 120 - stats.turns_written
    with HistoryStore.open() as store:
        assert store.integrity_problems() == []
        session = store.get_session(store.session_ids()[0])
        assert session is not None
        assert [t.record.seq for t in session.turns] == list(range(stats.turns_written))


def test_the_oldest_sessions_are_pruned_past_the_budget_while_writing(db: Path) -> None:
    writer = started(HistoryPolicy(max_bytes=400_000))
    for i in range(40):
        key = writer.begin_session(SessionMeta(T0 + i))
        writer.add_turn(key, user(0, f"session number {i}"))
        writer.add_turn(key, model(1, "words " * 1500))
        writer.end_session(key)
    assert writer.flush()
    writer.close()
    titles = [title for title, _ in kept_sessions()]
    assert 0 < len(titles) < 40 and titles[-1] == "session number 39"
    assert titles == [f"session number {i}" for i in range(40 - len(titles), 40)]


def test_retention_is_applied_at_open_and_again_a_day_later(db: Path) -> None:
    now = [T0 + 10 * DAY_S]
    with HistoryStore.open() as store:
        write_session(store, ["ten days old"], started_at=T0)
        write_session(store, ["six days old"], started_at=now[0] - 6 * DAY_S)
    writer = started(HistoryPolicy(retention=Retention.DAYS_7), clock=lambda: now[0])
    assert writer.flush()
    assert [t for t, _ in kept_sessions()] == ["six days old"]
    now[0] += 2 * DAY_S
    key = writer.begin_session(SessionMeta(now[0]))
    writer.add_turn(key, user(0, "today"))
    writer.end_session(key)
    assert writer.flush()
    writer.close()
    assert [t for t, _ in kept_sessions()] == ["today"]


def test_a_corrupt_database_turns_history_off_and_is_left_as_it_was(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 50)
    before = digest(db)
    problems = Problems()
    writer = started(on_problem=problems)
    key = writer.begin_session(SessionMeta(T0))
    writer.add_turn(key, user(0, "hello"))
    writer.end_session(key)
    assert writer.flush()
    writer.close()
    assert problems.kinds == [ProblemKind.UNUSABLE]
    assert "History is off" in problems.seen[0].message and str(db) in problems.seen[0].message
    assert digest(db) == before and sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_a_locked_database_turns_history_off_for_the_run(db: Path) -> None:
    with HistoryStore.open() as store:
        write_session(store, ["kept earlier"])
    problems = Problems()
    with held_exclusively(db):
        writer = started(on_problem=problems)
        key = writer.begin_session(SessionMeta(T0))
        writer.add_turn(key, user(0, "not kept"))
        assert writer.flush()
    writer.close()
    assert problems.kinds == [ProblemKind.UNUSABLE]
    assert "locked by another program" in problems.seen[0].message
    assert kept_sessions() == [("kept earlier", ["kept earlier"])]


def test_no_history_writes_nothing_at_all(db: Path) -> None:
    for policy in (HistoryPolicy(enabled=False), HistoryPolicy(retention=Retention.OFF)):
        sink = open_history(policy)
        assert isinstance(sink, HistoryOff)
        recorder = HistoryRecorder(Transcript(), sink, SessionMeta(T0))
        recorder.finish()
        sink.close()
    assert not db.parent.exists()


# -- the recorder --------------------------------------------------------------------------------


def play(transcript: Transcript, events: list[object], start: int = 0) -> None:
    for i, event in enumerate(events):
        transcript.apply(event, T0 + start + i)


def test_the_recorder_keeps_finished_turns_and_their_later_changes(db: Path) -> None:
    transcript = Transcript()
    play(transcript, [core.UserText("from an earlier session"), ev.TurnComplete()])
    writer = started(check=Check.NONE)
    frames = iter([frame_jpeg(1), frame_jpeg(2)])
    recorder = HistoryRecorder(
        transcript, writer, SessionMeta(T0, "local"), frame=lambda: next(frames)
    )
    play(
        transcript,
        [
            ev.InputTranscription("look at ", finished=False),
            ev.InputTranscription("this", finished=True),
            ev.OutputTranscription("It is a graph"),
            ev.Interrupted(),
            ev.ToolCall((ev.FunctionCall("c1", "take_snapshot", {"sharp": True}),)),
            core.ReplyCutOff(1500.0),  # changes the reply after it was kept
            core.UserText("and now?"),
            ev.OutputTranscription("Still a gr"),  # in progress when the session ends
        ],
        start=10,
    )
    transcript.record_tool_answer("c1", "snapshot sent")
    assert writer.flush()
    with HistoryStore.open() as store:
        session = store.get_session(store.session_ids()[0])
        assert session is not None
        assert [t.record.text for t in session.turns] == ["look at this", "It is a graph",
                                                          "take_snapshot({\"sharp\": true})",
                                                          "and now?"]  # fmt: skip
    recorder.finish(tokens_used=50)
    play(transcript, [ev.OutputTranscription("ph, later")], start=30)  # after the end
    assert writer.flush()
    writer.close()
    with HistoryStore.open() as store:
        session = store.get_session(store.session_ids()[0])
    assert session is not None and session.tokens_used == 50
    turns = [t.record for t in session.turns]
    assert [t.role for t in turns] == [TurnRole.USER, TurnRole.MODEL, TurnRole.TOOL,
                                       TurnRole.USER, TurnRole.MODEL]  # fmt: skip
    assert turns[-1].text == "Still a gr"
    assert turns[1].interrupted and turns[1].heard_ms == 1500.0
    assert turns[2].tool_calls[0].args == {"sharp": True}
    assert turns[2].tool_calls[0].result == "snapshot sent"
    assert [t.has_thumbnail for t in session.turns] == [True, False, False, True, False]
