"""The conversation history: the store that keeps each session (records: history_records.py).

`HistoryStore` is one SQLite connection (sqlite3 with FTS5, WAL; see history_db for opening
and history_schema for the tables). It is blocking and belongs to one thread: the session's
writes go through `HistoryWriter` (history_writer.py), which owns a store on its own thread;
the CLI and the History pane open their own store to read (on a worker thread in the window).
Size and age limits live in history_limits.py.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from liveview.core.history_db import Check, HistoryCorrupt, classify, connect, default_path
from liveview.core.history_limits import reclaim
from liveview.core.history_records import (
    SearchHit,
    SessionMeta,
    SessionSummary,
    StoredSession,
    StoredTurn,
    ToolCallRecord,
    TurnInput,
    TurnRecord,
    TurnRole,
    title_from,
)
from liveview.core.history_search import SEARCH_LIMIT, SNIPPET_MARKS, fts_query, search


def _json_or_none(value: object) -> str | None:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None


def _turn_row(session_id: int, turn: TurnRecord) -> tuple[object, ...]:
    calls = [
        {"id": c.id, "name": c.name, "args": dict(c.args), "result": c.result}
        for c in turn.tool_calls
    ]
    sources = [{"title": t, "uri": u} for t, u in turn.sources]
    return (
        session_id, turn.seq, turn.at, turn.role.value,
        turn.input.value if turn.input else None, turn.text, int(turn.interrupted),
        turn.heard_ms, _json_or_none(calls), _json_or_none(sources),
        _json_or_none(dict(turn.meta)), turn.latency_ms,
    )  # fmt: skip


_UPSERT_TURN = """
    INSERT INTO turns (session_id, seq, at, role, input, text, interrupted, heard_ms,
                       tool_calls, sources, meta, latency_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (session_id, seq) DO UPDATE SET
        at = excluded.at, role = excluded.role, input = excluded.input, text = excluded.text,
        interrupted = excluded.interrupted, heard_ms = excluded.heard_ms,
        tool_calls = excluded.tool_calls, sources = excluded.sources, meta = excluded.meta,
        latency_ms = excluded.latency_ms
    RETURNING id
"""
_TURN_COLUMNS = (
    "t.id, t.seq, t.at, t.role, t.input, t.text, t.interrupted, t.heard_ms, t.tool_calls, "
    "t.sources, t.meta, t.latency_ms, th.turn_id IS NOT NULL"
)


def _record_from_row(row: Sequence[Any]) -> StoredTurn:
    calls = json.loads(row[8]) if row[8] else []
    sources = json.loads(row[9]) if row[9] else []
    record = TurnRecord(
        seq=row[1], at=row[2], role=TurnRole(row[3]),
        input=TurnInput(row[4]) if row[4] else None, text=row[5], interrupted=bool(row[6]),
        heard_ms=row[7],
        tool_calls=tuple(
            ToolCallRecord(c["id"], c["name"], c.get("args") or {}, c.get("result"))
            for c in calls
        ),
        sources=tuple((s["title"], s["uri"]) for s in sources),
        meta=json.loads(row[10]) if row[10] else {}, latency_ms=row[11],
    )  # fmt: skip
    return StoredTurn(id=row[0], record=record, has_thumbnail=bool(row[12]))


class HistoryStore:
    """One connection to the history database. Blocking, and for one thread only."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | None = None, *, check: Check = Check.NONE) -> HistoryStore:
        """Raises HistoryError (corrupt, locked, too new, unwritable) having changed nothing."""
        path = path or default_path()
        return cls(connect(path, check=check), path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.Error as exc:  # full, locked, damaged: said as a HistoryError
            raise classify(exc, self.path) from exc

    # -- writing (the writer thread; the CLI's delete) -----------------------------------------

    def insert_session(self, meta: SessionMeta) -> int:
        cur = self._write(
            "INSERT INTO sessions (started_at, backend, model, source, profile) "
            "VALUES (?, ?, ?, ?, ?)",
            (meta.started_at, meta.backend, meta.model, meta.source, meta.profile),
        )
        return int(cur.lastrowid or 0)

    def put_turn(self, session_id: int, turn: TurnRecord, thumbnail: bytes | None = None) -> int:
        """Insert or update one turn, its thumbnail and the session's title: one transaction,
        committed before it returns (a crash afterwards keeps it)."""
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            turn_id = int(conn.execute(_UPSERT_TURN, _turn_row(session_id, turn)).fetchone()[0])
            if thumbnail:
                conn.execute(
                    "INSERT OR REPLACE INTO thumbnails (turn_id, jpeg) VALUES (?, ?)",
                    (turn_id, thumbnail),
                )
            if turn.role is TurnRole.USER and turn.text.strip():
                conn.execute(
                    "UPDATE sessions SET title = ? WHERE id = ? AND title = ''",
                    (title_from(turn.text), session_id),
                )
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:  # SQLite may have rolled back itself (a full disk)
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise classify(exc, self.path) from exc
            raise
        return turn_id

    def finish_session(
        self,
        session_id: int,
        ended_at: float,
        *,
        tokens_used: int | None = None,
        cost_usd: float | None = None,
    ) -> None:
        """Record the end; a session in which nothing was said is not kept at all."""
        (turns,) = self.conn.execute(
            "SELECT count(*) FROM turns WHERE session_id = ?", (session_id,)
        ).fetchone()
        if not turns:
            self._write("DELETE FROM sessions WHERE id = ?", (session_id,))
            return
        self._write(
            "UPDATE sessions SET ended_at = ?, tokens_used = coalesce(?, tokens_used), "
            "cost_usd = coalesce(?, cost_usd) WHERE id = ?",
            (ended_at, tokens_used, cost_usd, session_id),
        )

    def delete_session(self, session_id: int) -> bool:
        deleted = self._write("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0
        if deleted:
            reclaim(self.conn)
        return deleted

    def delete_all(self) -> int:
        count = self._write("DELETE FROM sessions").rowcount
        reclaim(self.conn)
        return count

    # -- reading -----------------------------------------------------------------------------

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:  # locked, damaged: said as a HistoryError
            raise classify(exc, self.path) from exc

    def list_sessions(
        self, *, limit: int | None = None, offset: int = 0, thumbnails: bool = False
    ) -> list[SessionSummary]:
        """Newest first. With `thumbnails`, each carries the first user turn's thumbnail."""
        thumb = (
            "(SELECT th.jpeg FROM turns u JOIN thumbnails th ON th.turn_id = u.id "
            "WHERE u.session_id = s.id ORDER BY u.seq LIMIT 1)"
            if thumbnails
            else "NULL"
        )
        rows = self._read(
            f"SELECT s.id, s.started_at, s.ended_at, s.title, s.backend, s.model, "
            f"(SELECT count(*) FROM turns c WHERE c.session_id = s.id), {thumb} "
            "FROM sessions s ORDER BY s.started_at DESC, s.id DESC LIMIT ? OFFSET ?",
            (-1 if limit is None else limit, offset),
        )
        return [SessionSummary(*row) for row in rows]

    def session_ids(self) -> list[int]:
        return [row[0] for row in self._read("SELECT id FROM sessions ORDER BY id")]

    def get_session(self, session_id: int) -> StoredSession | None:
        rows = self._read(
            "SELECT started_at, backend, model, source, profile, ended_at, title, tokens_used, "
            "cost_usd FROM sessions WHERE id = ?",
            (session_id,),
        )
        if not rows:
            return None
        s = rows[0]
        turns = self._read(
            f"SELECT {_TURN_COLUMNS} FROM turns t LEFT JOIN thumbnails th ON th.turn_id = t.id "
            "WHERE t.session_id = ? ORDER BY t.seq",
            (session_id,),
        )
        return StoredSession(
            id=session_id,
            meta=SessionMeta(s[0], s[1], s[2], s[3], s[4]),
            ended_at=s[5],
            title=s[6],
            tokens_used=s[7],
            cost_usd=s[8],
            turns=tuple(_record_from_row(row) for row in turns),
        )

    def thumbnail(self, turn_id: int) -> bytes | None:
        rows = self._read("SELECT jpeg FROM thumbnails WHERE turn_id = ?", (turn_id,))
        return bytes(rows[0][0]) if rows else None

    def search(
        self, text: str, *, limit: int = SEARCH_LIMIT, marks: tuple[str, str] = SNIPPET_MARKS
    ) -> list[SearchHit]:
        """Sessions whose turns hold every word of `text`, best match first (bm25), each with
        a snippet of its best turn, the matched words between `marks` (history_search.py)."""
        try:
            return search(self.conn, text, limit=limit, marks=marks)
        except sqlite3.DatabaseError as exc:
            raise classify(exc, self.path) from exc

    def integrity_problems(self) -> list[str]:
        rows = self._read("PRAGMA integrity_check")
        return [] if [tuple(r) for r in rows] == [("ok",)] else [str(r[0]) for r in rows]


__all__ = [
    "Check",
    "HistoryCorrupt",
    "HistoryStore",
    "SearchHit",
    "SessionMeta",
    "SessionSummary",
    "StoredSession",
    "StoredTurn",
    "ToolCallRecord",
    "TurnInput",
    "TurnRecord",
    "TurnRole",
    "default_path",
    "fts_query",
    "title_from",
]
