"""How much history is kept, and for how long: the policy as data, and the pruning it implies.

Two limits, both applied by the writer thread (never on the event loop):
- retention: sessions older than the chosen age are deleted at open and once a day;
- size: past `max_bytes` the oldest sessions are deleted until the database is back under
  `PRUNE_TO_FRACTION` of it. A session still running is never pruned; if one session alone
  outgrows the budget, SQLite's `max_page_count` (a hard cap a little above the budget) stops
  it growing and the writer says so once.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import MappingProxyType

from liveview.errors import ConfigError

DAY_S = 86_400.0
DEFAULT_MAX_BYTES = 256 * 1024 * 1024  # ~30,000 sessions of talk with their thumbnails
PRUNE_TO_FRACTION = 0.9  # prune a little below the budget, so it is not done at every turn
HARD_CAP_FACTOR = 1.25  # max_page_count: the budget plus room for the session in progress
RETENTION_CHECK_INTERVAL_S = DAY_S
ROW_OVERHEAD_BYTES = 64  # per turn, for the estimate of what a session holds (index, row header)


class Retention(Enum):
    FOREVER = "forever"
    DAYS_90 = "90"
    DAYS_30 = "30"
    DAYS_7 = "7"
    OFF = "off"  # nothing new is written; what was kept stays until deleted


RETENTION_DAYS: Mapping[Retention, int | None] = MappingProxyType(
    {
        Retention.FOREVER: None,
        Retention.DAYS_90: 90,
        Retention.DAYS_30: 30,
        Retention.DAYS_7: 7,
        Retention.OFF: None,
    }
)


def parse_retention(text: str) -> Retention:
    """`forever`, `90`, `30`, `7` (`90d` and `90 days` too) or `off`."""
    key = text.strip().lower().removesuffix("days").removesuffix("d").strip()
    for retention in Retention:
        if retention.value == key:
            return retention
    choices = ", ".join(r.value for r in Retention)
    raise ConfigError(f"History retention {text!r} is not one of: {choices} (days).")


@dataclass(frozen=True)
class HistoryPolicy:
    enabled: bool = True  # False: --no-history, nothing is written this run
    retention: Retention = Retention.FOREVER
    max_bytes: int = DEFAULT_MAX_BYTES
    path: Path | None = None  # None: the platform's user data folder

    @property
    def writes(self) -> bool:
        return self.enabled and self.retention is not Retention.OFF

    def cutoff(self, now: float) -> float | None:
        """Sessions that ended before this are past retention (None: keep them all)."""
        days = RETENTION_DAYS[self.retention]
        return None if days is None else now - days * DAY_S


def used_bytes(conn: sqlite3.Connection) -> int:
    """Bytes the database holds (pages in use, free pages not counted)."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int((pages - free) * size)


def set_hard_cap(conn: sqlite3.Connection, max_bytes: int) -> int:
    """Stop the file growing past the budget plus HARD_CAP_FACTOR; returns the cap in pages.
    (SQLite never sets it below the pages already in use.)"""
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = math.ceil(max_bytes * HARD_CAP_FACTOR / page_size)
    return int(conn.execute(f"PRAGMA max_page_count = {int(pages)}").fetchone()[0])


def at_hard_cap(conn: sqlite3.Connection) -> bool:
    cap = conn.execute("PRAGMA max_page_count").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    return bool(pages >= cap - 1)


def _delete(conn: sqlite3.Connection, ids: list[int]) -> int:
    if not ids:
        return 0
    marks = ",".join("?" * len(ids))
    conn.execute(f"DELETE FROM sessions WHERE id IN ({marks})", ids)
    reclaim(conn)
    return len(ids)


def reclaim(conn: sqlite3.Connection) -> None:
    """After a delete: make the space free and the words gone, now rather than some day."""
    # Deleted rows leave tombstones in the FTS index until its segments merge (the words
    # would still be in the file): merge them now.
    conn.execute("INSERT INTO turns_fts (turns_fts) VALUES ('optimize')")
    # Free pages go back to the file system (auto_vacuum INCREMENTAL); the WAL is
    # checkpointed and truncated so the bytes leave the disk now.
    # executescript, not execute: each step of this pragma frees one page, and execute()
    # steps a statement without result columns only once.
    conn.executescript("PRAGMA incremental_vacuum;")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def prune_expired(conn: sqlite3.Connection, cutoff: float | None, keep: Collection[int]) -> int:
    """Delete the sessions that ended (or, never ended, started) before `cutoff`."""
    if cutoff is None:
        return 0
    rows = conn.execute(
        "SELECT id FROM sessions WHERE coalesce(ended_at, started_at) < ?", (cutoff,)
    ).fetchall()
    return _delete(conn, [r[0] for r in rows if r[0] not in keep])


_SESSION_SIZES = f"""
    SELECT s.id,
      coalesce((SELECT sum(length(CAST(t.text AS BLOB)) + length(coalesce(t.tool_calls, ''))
                           + length(coalesce(t.sources, '')) + length(coalesce(t.meta, ''))
                           + {ROW_OVERHEAD_BYTES})
                FROM turns t WHERE t.session_id = s.id), 0)
      + coalesce((SELECT sum(length(th.jpeg)) FROM turns t
                  JOIN thumbnails th ON th.turn_id = t.id WHERE t.session_id = s.id), 0)
    FROM sessions s ORDER BY s.started_at, s.id
"""


def prune_to_budget(conn: sqlite3.Connection, max_bytes: int, keep: Collection[int]) -> int:
    """Past `max_bytes`, delete the oldest sessions holding the excess share of what is stored
    (down to PRUNE_TO_FRACTION of the budget), never those in `keep` nor the newest one.
    Returns how many sessions were deleted."""
    used = used_bytes(conn)
    if used <= max_bytes:
        return 0
    share = (used - max_bytes * PRUNE_TO_FRACTION) / used
    rows = conn.execute(_SESSION_SIZES).fetchall()
    # The newest session stays even when it alone is over the budget (the hard cap bounded
    # it): pruning must not make the conversation that just ended vanish.
    sizes = [(sid, size) for sid, size in rows[:-1] if sid not in keep]
    need = share * sum(size for _, size in sizes)
    chosen: list[int] = []
    freed = 0
    for sid, size in sizes:
        if freed >= need:
            break
        chosen.append(sid)
        freed += size
    return _delete(conn, chosen)
