"""Reading the history for the window's History pane: every call opens the store on a worker
thread (asyncio.to_thread), does its reads and closes it, so the event loop never waits on
SQLite and no connection is shared between threads (sqlite3 connections belong to one).

A database that cannot be used (corrupt, locked, too new) raises HistoryError with the words
to show; opening never writes to such a file (history_db.connect). A file that does not exist
yet is not created by reading: the pane just has nothing to list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from liveview.core.export import session_text, write_atomically
from liveview.core.history import HistoryStore, SearchHit, SessionSummary, StoredSession
from liveview.core.history_db import default_path

LIST_LIMIT = 200  # sessions listed at once (newest first)
# Private-use characters around the matched words of a snippet: text the user said cannot
# contain them by accident, and the pane turns them into bold after escaping the rest.
MATCH_MARKS = ("\ue000", "\ue001")

T = TypeVar("T")


@dataclass(frozen=True)
class ListedSession:
    """A row of the pane: a session, with the snippet of its best turn when searched."""

    id: int
    started_at: float
    title: str
    turns: int
    model: str
    thumbnail: bytes | None
    snippet: str = ""  # with MATCH_MARKS around the matched words


@dataclass(frozen=True)
class SessionView:
    """One session opened: its turns and the thumbnails of those that have one."""

    session: StoredSession
    thumbnails: dict[int, bytes]  # turn id -> JPEG


def _listed(summary: SessionSummary) -> ListedSession:
    return ListedSession(
        summary.id, summary.started_at, summary.title, summary.turns, summary.model,
        summary.thumbnail,
    )  # fmt: skip


class HistoryReader:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()

    def _with_store(self, work: Callable[[HistoryStore], T], empty: T) -> T:
        """Blocking: open, read, close. `empty` when there is no database yet."""
        if not self.path.exists():
            return empty
        with HistoryStore.open(self.path) as store:
            return work(store)

    async def _run(self, work: Callable[[HistoryStore], T], empty: T) -> T:
        return await asyncio.to_thread(self._with_store, work, empty)

    async def list_sessions(self, limit: int = LIST_LIMIT) -> list[ListedSession]:
        def work(store: HistoryStore) -> list[ListedSession]:
            return [_listed(s) for s in store.list_sessions(limit=limit, thumbnails=True)]

        return await self._run(work, [])

    async def search(self, text: str) -> list[ListedSession]:
        """Best match first (bm25), each with a snippet and its session's first thumbnail."""

        def work(store: HistoryStore) -> list[ListedSession]:
            hits: list[SearchHit] = store.search(text, marks=MATCH_MARKS)
            rows = []
            for hit in hits:
                session = store.get_session(hit.session_id)
                if session is None:  # deleted between the two reads
                    continue
                thumb = next((t.id for t in session.turns if t.has_thumbnail), None)
                jpeg = store.thumbnail(thumb) if thumb else None
                count, name = len(session.turns), session.meta.model
                rows.append(
                    ListedSession(
                        hit.session_id, hit.started_at, hit.title, count, name, jpeg, hit.snippet
                    )
                )
            return rows

        return await self._run(work, [])

    async def open_session(self, session_id: int) -> SessionView | None:
        def work(store: HistoryStore) -> SessionView | None:
            session = store.get_session(session_id)
            if session is None:
                return None
            thumbs = {}
            for turn in session.turns:
                jpeg = store.thumbnail(turn.id) if turn.has_thumbnail else None
                if jpeg:
                    thumbs[turn.id] = jpeg
            return SessionView(session, thumbs)

        return await self._run(work, None)

    async def delete(self, session_id: int) -> bool:
        return await self._run(lambda store: store.delete_session(session_id), False)

    async def export(self, session: StoredSession, fmt: str, path: Path) -> Path:
        """The session as Markdown or JSON (core/export), written whole or not at all.
        Raises ExportFailed."""
        text = session_text(session, fmt)
        await asyncio.to_thread(write_atomically, path, text)
        return path
