"""Full-text search over the kept turns (FTS5): ranked with bm25, folded to one hit per session,
with a snippet of the best turn.

Measured on 10,000 sessions (140,000 turns; `liveview bench history`): bm25 has to be computed
for every matching turn before the best are known, ~5 µs each. A word found in 20,000 turns
cost ~50 ms, "the" (133,000 turns) ~550 ms. So a word found in more than RANK_WINDOW turns is
ranked among its newest RANK_WINDOW matches only (a cheap rowid-ordered scan finds where they
start): for a word that is everywhere, the newest conversations are the likely ones and bm25
tells little apart anyway. `ORDER BY rank` lets FTS5 sort, so snippet() is computed only for
the rows kept. A one- or two-letter prefix ("t*") expands to thousands of words (seconds): the
word being typed is matched as a prefix only from PREFIX_MIN_CHARS letters on.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from liveview.core.history_records import SearchHit, TurnRole

SEARCH_LIMIT = 20
# Turns ranked per session wanted, so that a session with many matching turns does not crowd
# the others out when hits are folded to one per session.
SEARCH_OVERFETCH = 4
RANK_WINDOW = 2_000  # a word in more turns than this is ranked among its newest matches
PREFIX_MIN_CHARS = 3
SNIPPET_TOKENS = 12  # words of context around the match (FTS5 snippet(), at most 64)
SNIPPET_MARKS = ("[", "]")


_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str, *, prefix: bool = True) -> str:
    """What the user typed as an FTS5 query: every word must match (quoted, so no word is read
    as FTS syntax), the last one as a prefix (search as you type) once it is long enough.
    '' when there is no word."""
    words = _WORD.findall(text)
    if not words:
        return ""
    terms = [f'"{w}"' for w in words]
    if prefix and len(words[-1]) >= PREFIX_MIN_CHARS:
        terms[-1] += "*"
    return " ".join(terms)


_RANKED = """
    SELECT h.rowid, h.score, h.snip, t.session_id, t.role, s.started_at, s.title
    FROM (SELECT rowid, rank AS score, snippet(turns_fts, 0, ?, ?, '…', ?) AS snip
          FROM turns_fts WHERE turns_fts MATCH ? {newest} ORDER BY rank LIMIT ?) AS h
    JOIN turns t ON t.id = h.rowid JOIN sessions s ON s.id = t.session_id
    ORDER BY h.score
"""


def _window_start(conn: sqlite3.Connection, query: str) -> int | None:
    """The rowid from which the newest RANK_WINDOW matches start (None: fewer match)."""
    row = conn.execute(
        "SELECT rowid FROM turns_fts WHERE turns_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
        (query, RANK_WINDOW - 1),
    ).fetchone()
    return None if row is None else int(row[0])


def _fold(rows: Sequence[Sequence[Any]], limit: int) -> list[SearchHit]:
    """One hit per session (its best turn), best sessions first."""
    best: dict[int, SearchHit] = {}
    counts: dict[int, int] = {}
    for turn_id, score, snip, session_id, role, started_at, title in rows:
        counts[session_id] = counts.get(session_id, 0) + 1
        if session_id not in best:
            best[session_id] = SearchHit(
                session_id, turn_id, started_at, title, TurnRole(role), snip, score, 0
            )
    return [replace(h, hits_in_session=counts[h.session_id]) for h in best.values()][:limit]


def search(
    conn: sqlite3.Connection,
    text: str,
    *,
    limit: int = SEARCH_LIMIT,
    marks: tuple[str, str] = SNIPPET_MARKS,
) -> list[SearchHit]:
    """Sessions whose turns hold every word of `text`, best first. Raises sqlite3 errors."""
    query = fts_query(text)
    if not query or limit <= 0:
        return []
    start = _window_start(conn, query)
    rows = conn.execute(
        _RANKED.format(newest="" if start is None else "AND rowid >= ?"),
        (*marks, SNIPPET_TOKENS, query, *(() if start is None else (start,)),
         limit * SEARCH_OVERFETCH),
    ).fetchall()  # fmt: skip
    return _fold(rows, limit)
