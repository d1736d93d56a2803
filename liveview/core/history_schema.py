"""The history database's schema: an ordered list of migration steps (data), and the one function
that brings a database up to the newest step.

`PRAGMA user_version` holds the number of the last step applied. Each step runs in its own
`BEGIN IMMEDIATE` transaction together with the version bump, so a step is applied whole or not
at all, and two processes opening a new database at once cannot both apply it (the second one
re-reads the version once it holds the write lock). Steps are never edited once shipped: a
change is a new step at the end.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int  # user_version once this step is applied
    what: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "sessions and their turns",
        (
            """CREATE TABLE sessions (
                id INTEGER PRIMARY KEY,
                started_at REAL NOT NULL,          -- unix seconds (wall clock)
                ended_at REAL,                     -- NULL: still running, or the process died
                backend TEXT NOT NULL DEFAULT '',
                model TEXT NOT NULL DEFAULT '',
                source TEXT NOT NULL DEFAULT '',
                profile TEXT NOT NULL DEFAULT '',
                tokens_used INTEGER,
                title TEXT NOT NULL DEFAULT ''     -- the first words the user said or typed
            )""",
            "CREATE INDEX sessions_by_start ON sessions (started_at)",
            """CREATE TABLE turns (
                id INTEGER PRIMARY KEY,
                session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,              -- position in the conversation
                at REAL NOT NULL,
                role TEXT NOT NULL,                -- user model tool code code_result notice
                input TEXT,                        -- spoken | typed (user turns)
                text TEXT NOT NULL DEFAULT '',
                interrupted INTEGER NOT NULL DEFAULT 0,  -- cut off by the user (barge-in)
                heard_ms REAL,
                tool_calls TEXT,                   -- JSON [{id, name, args, result}]
                sources TEXT,                      -- JSON [{title, uri}] (grounding)
                meta TEXT,                         -- JSON {str: str}, the transcript entry's meta
                UNIQUE (session_id, seq)
            )""",
        ),
    ),
    Migration(
        2,
        "full-text index of what was said (FTS5, external content)",
        (
            # porter: "explaining" finds "explain"; remove_diacritics: "cafe" finds "café".
            """CREATE VIRTUAL TABLE turns_fts USING fts5 (
                text, content='turns', content_rowid='id',
                tokenize='porter unicode61 remove_diacritics 2'
            )""",
            """CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
                INSERT INTO turns_fts (rowid, text) VALUES (new.id, new.text);
            END""",
            """CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
                INSERT INTO turns_fts (turns_fts, rowid, text) VALUES ('delete', old.id, old.text);
            END""",
            """CREATE TRIGGER turns_fts_update AFTER UPDATE OF text ON turns BEGIN
                INSERT INTO turns_fts (turns_fts, rowid, text) VALUES ('delete', old.id, old.text);
                INSERT INTO turns_fts (rowid, text) VALUES (new.id, new.text);
            END""",
            "INSERT INTO turns_fts (turns_fts) VALUES ('rebuild')",  # index the turns already kept
        ),
    ),
    Migration(
        3,
        "thumbnails of the frame at each user turn; room for latency and cost figures",
        (
            "ALTER TABLE turns ADD COLUMN latency_ms REAL",
            "ALTER TABLE sessions ADD COLUMN cost_usd REAL",
            """CREATE TABLE thumbnails (
                turn_id INTEGER PRIMARY KEY REFERENCES turns (id) ON DELETE CASCADE,
                jpeg BLOB NOT NULL
            )""",
        ),
    ),
)
LATEST_VERSION = MIGRATIONS[-1].version


class SchemaTooNew(Exception):
    """The database was written by a newer liveview (its user_version is past LATEST_VERSION)."""

    def __init__(self, version: int) -> None:
        super().__init__(f"schema version {version}")
        self.version = version


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Apply every step past the database's version; return the version it is at now.

    `conn` must be in autocommit mode (isolation_level=None): each step opens its own
    transaction. Raises SchemaTooNew without changing anything, or sqlite3.Error (rolled back).
    """
    latest = migrations[-1].version
    for step in migrations:
        if schema_version(conn) >= step.version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)  # another process may have applied it meanwhile
            if current < step.version:
                for statement in step.statements:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {int(step.version)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    version = schema_version(conn)
    if version > latest:
        raise SchemaTooNew(version)
    return version
