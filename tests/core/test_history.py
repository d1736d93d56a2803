"""The history store on real SQLite files: what is kept, search, migrations, bad databases."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from liveview.core import events as core
from liveview.core.export import session_text
from liveview.core.history import (
    HistoryStore,
    SessionMeta,
    ToolCallRecord,
    TurnRecord,
    TurnRole,
    fts_query,
    title_from,
)
from liveview.core.history_db import (
    Check,
    HistoryCorrupt,
    HistoryLocked,
    HistoryTooNew,
    default_path,
)
from liveview.core.history_limits import DAY_S, prune_expired, prune_to_budget, used_bytes
from liveview.core.history_schema import LATEST_VERSION, MIGRATIONS
from liveview.core.transcript import Transcript
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


def on_disk(db: Path) -> int:
    """The database and its write-ahead log (the -shm index is a fixed 32 kB)."""
    wal = db.with_name(db.name + "-wal")
    return db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def test_the_database_is_in_the_user_data_folder_in_wal_mode(db: Path) -> None:
    assert default_path() == db
    with HistoryStore.open() as store:
        write_session(store, ["hello"])
        mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
        version = store.conn.execute("PRAGMA user_version").fetchone()[0]
    assert db.is_file() and mode == "wal" and version == LATEST_VERSION


def test_a_turn_comes_back_as_it_was_written(db: Path) -> None:
    turn = TurnRecord(
        seq=1,
        at=T0 + 1,
        role=TurnRole.TOOL,
        text='zoom_to_region({"x": 1})',
        tool_calls=(ToolCallRecord("c1", "zoom_to_region", {"x": 1}, "done"),),
        sources=(("Example", "https://example.com/a"),),
        meta={"id": "c1", "name": "zoom_to_region", "answer": "done"},
        latency_ms=412.5,
    )
    cut = model(2, "It is a", interrupted=True, heard_ms=850.0)
    with HistoryStore.open() as store:
        sid = store.insert_session(SessionMeta(T0, "gemini", "gemini-3.8-live", "screen:1", "x"))
        store.put_turn(sid, user(0, "what is this?", spoken=True), frame_jpeg(1))
        store.put_turn(sid, turn)
        store.put_turn(sid, cut)
        store.finish_session(sid, T0 + 9, tokens_used=1234, cost_usd=0.01)
        kept = store.get_session(sid)
    assert kept is not None
    assert kept.meta == SessionMeta(T0, "gemini", "gemini-3.8-live", "screen:1", "x")
    assert (kept.ended_at, kept.tokens_used, kept.cost_usd) == (T0 + 9, 1234, 0.01)
    assert kept.title == "what is this?"
    assert [t.record for t in kept.turns] == [user(0, "what is this?", spoken=True), turn, cut]
    assert [t.has_thumbnail for t in kept.turns] == [True, False, False]


def test_the_same_seq_again_updates_the_turn_and_what_search_finds(db: Path) -> None:
    with HistoryStore.open() as store:
        sid = store.insert_session(SessionMeta(T0))
        store.put_turn(sid, model(0, "a first draft about giraffes"))
        store.put_turn(sid, model(0, "the final answer about elephants", interrupted=True))
        kept = store.get_session(sid)
        assert kept is not None and len(kept.turns) == 1
        assert kept.turns[0].record.interrupted
        assert store.search("giraffes") == []
        assert [h.session_id for h in store.search("elephants")] == [sid]


def test_the_list_is_newest_first_with_title_and_thumbnail(db: Path) -> None:
    with HistoryStore.open() as store:
        old = write_session(store, ["the old one"], started_at=T0)
        new = store.insert_session(SessionMeta(T0 + 100))
        store.put_turn(new, model(0, "model spoke first"))
        store.put_turn(new, user(1, "  and then   the user " + "word " * 40), frame_jpeg(2))
        listed = store.list_sessions(thumbnails=True)
    assert [s.id for s in listed] == [new, old]
    assert listed[0].title.startswith("and then the user word") and listed[0].title.endswith("…")
    assert len(listed[0].title) <= 81 and listed[0].turns == 2
    assert listed[0].thumbnail is not None and listed[0].thumbnail[:2] == b"\xff\xd8"
    assert listed[1].title == "the old one" and listed[1].thumbnail is None


def test_search_ranks_with_bm25_and_marks_the_words_in_a_snippet(db: Path) -> None:
    filler = "nothing much to say here about anything at all " * 8
    with HistoryStore.open() as store:
        weak = write_session(store, [filler + "a kubernetes pod", "ok"], started_at=T0)
        strong = write_session(store, ["kubernetes kubernetes pod crash", "ok"], started_at=T0 + 1)
        write_session(store, ["unrelated talk", "about cats"], started_at=T0 + 2)
        hits = store.search("kubernetes")
    assert [h.session_id for h in hits] == [strong, weak]
    assert hits[0].score < hits[1].score  # bm25: lower is better
    assert hits[0].snippet == "[kubernetes] [kubernetes] pod crash"
    assert "[kubernetes] pod" in hits[1].snippet and hits[1].snippet.startswith("…")


def test_search_finds_word_forms_and_prefixes_and_folds_hits_per_session(db: Path) -> None:
    with HistoryStore.open() as store:
        sid = write_session(store, ["please explain the café menu", "explaining now", "again?"])
        assert [h.session_id for h in store.search("explained")] == [sid]  # porter stemming
        assert [h.session_id for h in store.search("cafe")] == [sid]  # diacritics
        hits = store.search("expl")  # as the user types
        assert len(hits) == 1 and hits[0].hits_in_session == 2


def test_a_word_being_typed_is_a_prefix_only_from_three_letters() -> None:
    assert fts_query("python tr") == '"python" "tr"'
    assert fts_query("python tra") == '"python" "tra"*'
    assert fts_query("python tra", prefix=False) == '"python" "tra"'


def test_a_word_found_everywhere_is_ranked_among_its_newest_matches(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from liveview.core import history_search

    monkeypatch.setattr(history_search, "RANK_WINDOW", 3)
    with HistoryStore.open() as store:
        best_but_old = write_session(store, ["screen screen screen screen"], started_at=T0)
        newer = [
            write_session(store, [f"the screen, and other words {i}"], started_at=T0 + i)
            for i in range(1, 6)
        ]
        found = [h.session_id for h in store.search("screen")]
        assert best_but_old not in found and sorted(found) == newer[-3:]
        assert [h.session_id for h in store.search("screen screen")] != []
    monkeypatch.setattr(history_search, "RANK_WINDOW", 1000)
    with HistoryStore.open() as store:
        assert store.search("screen")[0].session_id == best_but_old


@pytest.mark.parametrize(
    "text", ['"', "AND", "OR NOT", "foo*(", "-x", "NEAR(a b)", "col:val", "'", "^", "***"]
)
def test_search_takes_any_text_without_fts_syntax_errors(db: Path, text: str) -> None:
    with HistoryStore.open() as store:
        write_session(store, ["and or not near col val x foo"])
        store.search(text)  # no exception is the point; the words are matched as words
    assert fts_query(text).count('"') % 2 == 0


def test_nothing_to_search_for_finds_nothing(db: Path) -> None:
    with HistoryStore.open() as store:
        write_session(store, ["something"])
        assert store.search("  ") == [] and store.search("!?") == []


def test_a_session_where_nothing_was_said_is_not_kept(db: Path) -> None:
    with HistoryStore.open() as store:
        sid = store.insert_session(SessionMeta(T0))
        store.finish_session(sid, T0 + 5)
        assert store.list_sessions() == []


def test_delete_takes_the_words_out_of_the_file(db: Path) -> None:
    with HistoryStore.open() as store:
        for i in range(30):
            write_session(store, [f"plain talk {i} " * 20, "reply " * 20], started_at=T0 + i)
        secret = write_session(store, ["my code is zanzibarquux", "zanzibarquux noted"])
        assert store.delete_session(secret) and not store.delete_session(secret)
        assert store.search("zanzibarquux") == [] and len(store.list_sessions()) == 30
    files = [p for p in db.parent.iterdir() if p.name.startswith(db.name)]
    assert not any(b"zanzibarquux" in p.read_bytes() for p in files)


def test_delete_all_leaves_an_empty_small_database(db: Path) -> None:
    with HistoryStore.open() as store:
        for i in range(40):
            write_session(store, ["words " * 200, "more " * 200], started_at=T0 + i)
        before = on_disk(db)
        assert store.delete_all() == 40
        assert store.list_sessions() == [] and store.integrity_problems() == []
    assert on_disk(db) < before / 4


# -- migrations ---------------------------------------------------------------------------------

V1_BY_HAND = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, started_at REAL NOT NULL, ended_at REAL,
  backend TEXT NOT NULL DEFAULT '', model TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '',
  profile TEXT NOT NULL DEFAULT '', tokens_used INTEGER, title TEXT NOT NULL DEFAULT '');
CREATE INDEX sessions_by_start ON sessions (started_at);
CREATE TABLE turns (id INTEGER PRIMARY KEY,
  session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE, seq INTEGER NOT NULL,
  at REAL NOT NULL, role TEXT NOT NULL, input TEXT, text TEXT NOT NULL DEFAULT '',
  interrupted INTEGER NOT NULL DEFAULT 0, heard_ms REAL, tool_calls TEXT, sources TEXT, meta TEXT,
  UNIQUE (session_id, seq));
INSERT INTO sessions (id, started_at, ended_at, model, title) VALUES (7, 1790000000, 1790000060,
  'gemini-3.8-live', 'how do pelicans fly');
INSERT INTO turns (session_id, seq, at, role, input, text) VALUES
  (7, 0, 1790000001, 'user', 'spoken', 'how do pelicans fly'),
  (7, 1, 1790000002, 'model', NULL, 'Pelicans glide on thermals.');
PRAGMA user_version = 1;
"""


def test_a_v1_database_built_by_hand_is_migrated_to_the_latest(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.executescript(V1_BY_HAND)
    conn.close()
    with HistoryStore.open(check=Check.FULL) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert [h.session_id for h in store.search("thermals")] == [7]  # indexed on the way
        kept = store.get_session(7)
        assert kept is not None and [t.record.latency_ms for t in kept.turns] == [None, None]
        store.put_turn(7, model(2, "With a wingspan of three metres.", latency_ms=300.0))
        kept = store.get_session(7)
        assert kept is not None and kept.turns[-1].record.latency_ms == 300.0
        assert [h.session_id for h in store.search("wingspan")] == [7]
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))


def test_a_database_from_a_newer_liveview_is_left_unchanged(db: Path) -> None:
    with HistoryStore.open() as store:
        write_session(store, ["hello"])
        store.conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    before = digest(db)
    with pytest.raises(HistoryTooNew, match="newer liveview"):
        HistoryStore.open()
    assert digest(db) == before


# -- databases that cannot be used -------------------------------------------------------------


def test_a_file_that_is_not_sqlite_is_named_and_left_alone(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_text("my notes, not a database\n" * 100)
    before = digest(db)
    with pytest.raises(HistoryCorrupt) as caught:
        HistoryStore.open(check=Check.QUICK)
    message = caught.value.user_message
    assert str(db) in message and "not a SQLite database" in message and "move" in message
    assert digest(db) == before and sorted(p.name for p in db.parent.iterdir()) == [db.name]


def _damage(db: Path, pages: range) -> None:
    data = bytearray(db.read_bytes())
    for page in pages:
        data[page * 4096 : page * 4096 + 64] = b"\x5a" * 64
    db.write_bytes(bytes(data))


def test_a_damaged_database_fails_its_check_and_is_never_written(db: Path) -> None:
    with HistoryStore.open() as store:
        for i in range(60):
            write_session(store, [f"talk {i} " * 40, "reply " * 40], started_at=T0 + i)
    _damage(db, range(3, 9))
    before = digest(db)
    with pytest.raises(HistoryCorrupt) as caught:
        HistoryStore.open(check=Check.QUICK)
    assert str(db) in caught.value.user_message and ".recover" in caught.value.user_message
    assert digest(db) == before


def test_a_locked_database_is_said_and_nothing_changes(db: Path) -> None:
    with HistoryStore.open() as store:
        write_session(store, ["hello"])
    before = digest(db)
    with held_exclusively(db), pytest.raises(HistoryLocked) as caught:
        HistoryStore.open()
    assert "locked by another program" in caught.value.user_message
    assert str(db) in caught.value.user_message
    assert digest(db) == before
    with HistoryStore.open() as store:  # once it is released, all is there
        assert len(store.list_sessions()) == 1


# -- limits ------------------------------------------------------------------------------------


def test_retention_deletes_what_ended_before_the_cutoff_but_not_a_running_session(
    db: Path,
) -> None:
    now = T0 + 100 * DAY_S
    with HistoryStore.open() as store:
        ancient = write_session(store, ["from long ago"], started_at=T0)
        running = write_session(store, ["still going"], started_at=T0 + 1, ended=False)
        recent = write_session(store, ["from last week"], started_at=now - 6 * DAY_S)
        assert prune_expired(store.conn, now - 30 * DAY_S, keep={running}) == 1
        assert sorted(store.session_ids()) == sorted([running, recent])
        assert prune_expired(store.conn, None, keep=()) == 0  # forever
    assert ancient not in (running, recent)


def test_past_its_budget_the_oldest_sessions_go_and_the_file_shrinks(db: Path) -> None:
    budget = 600_000
    with HistoryStore.open() as store:
        ids = []
        for i in range(80):
            sid = write_session(store, [f"session {i} " + "words " * 150, "ok"], started_at=T0 + i)
            store.put_turn(sid, user(2, "look", at=T0 + i), frame_jpeg(i)[:12_000])
            ids.append(sid)
        assert used_bytes(store.conn) > budget
        removed = prune_to_budget(store.conn, budget, keep={ids[0]})
        kept = store.session_ids()
        assert used_bytes(store.conn) <= budget
        assert removed == 80 - len(kept) and removed > 0
        assert ids[0] in kept and ids[-1] in kept  # the running one stays, the newest stay
        assert kept == [ids[0], *ids[-(len(kept) - 1) :]]  # the oldest others went first
        assert store.integrity_problems() == []
    assert on_disk(db) <= budget * 1.1


# -- export: the window's format ----------------------------------------------------------------


def test_a_kept_session_exports_in_the_windows_format(db: Path) -> None:
    from liveview.core.history_transcript import HistoryRecorder
    from liveview.core.history_writer import HistoryWriter

    live = Transcript()
    writer = HistoryWriter()
    writer.start()
    recorder = HistoryRecorder(live, writer, SessionMeta(T0, "local", "liveview-local"))
    for i, event in enumerate(
        [
            ev.InputTranscription("what is this?", finished=True),
            ev.OutputTranscription("A cat."),
            ev.Grounding((ev.GroundingSource("Cats", "https://example.com/cats"),)),
            ev.TurnComplete(),
            core.UserText("and that?"),
            ev.OutputTranscription("A d"),
            ev.Interrupted(),
            core.ReplyCutOff(40.0),
        ]
    ):
        live.apply(event, T0 + i)
    recorder.finish()
    assert writer.flush()
    writer.close()
    with HistoryStore.open() as store:
        kept = store.get_session(store.session_ids()[0])
    assert kept is not None
    markdown = session_text(kept, "md")
    assert markdown.splitlines()[4:] == live.to_markdown().splitlines()[2:]
    assert "*(cut off by the user before any of it was heard)*" in markdown
    as_json = json.loads(session_text(kept, "json"))
    assert as_json["conversation"] == json.loads(live.to_json())["conversation"]
    assert as_json["session"]["model"] == "liveview-local"


def test_titles_are_cut_at_a_word() -> None:
    assert title_from("short  and\nsweet") == "short and sweet"
    long = title_from("word " * 50, limit=20)
    assert long == "word word word word…"
