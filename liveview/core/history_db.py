"""Opening the history database safely, and saying clearly why it cannot be used.

A file that is not SQLite, one that fails its integrity check, one another program holds
locked, or one written by a newer liveview is never written to, moved or replaced: the error
names the path and what the user can do, and the session goes on without history.

Where: the platform's user data folder (`platformdirs`), on Linux
`$XDG_DATA_HOME/liveview/history.sqlite3`.
"""

from __future__ import annotations

import sqlite3
from enum import Enum
from pathlib import Path

import platformdirs

from liveview.core.history_schema import LATEST_VERSION, SchemaTooNew, migrate
from liveview.errors import LocalError

DB_NAME = "history.sqlite3"
SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file
BUSY_TIMEOUT_S = 2.0  # how long to wait for another writer (WAL writes take milliseconds)
# The WAL is truncated back to this after a checkpoint, so a busy session cannot leave a large
# -wal file behind next to a small database.
JOURNAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024

# Primary SQLite result codes (sqlite_errorcode & 0xFF) and what they mean here.
_BUSY, _LOCKED, _CORRUPT, _FULL, _NOTADB = 5, 6, 11, 13, 26


class Check(Enum):
    """How hard to look at a database before trusting it."""

    NONE = "none"  # readers: a damaged page still fails the query that reads it
    QUICK = "quick_check"  # the writer, once at open (off the event loop)
    FULL = "integrity_check"


def default_path() -> Path:
    return platformdirs.user_data_path("liveview", appauthor=False) / DB_NAME


class HistoryError(LocalError):
    """The history database cannot be used; `path` is the file concerned."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class HistoryCorrupt(HistoryError):
    """Not a SQLite file, or its integrity check fails: kept as it is, never written."""


class HistoryLocked(HistoryError):
    """Another program holds the database locked."""


class HistoryTooNew(HistoryError):
    """Written by a newer liveview: not changed."""


class HistoryFull(HistoryError):
    """The disk (or the history's own size cap) is full."""


class HistoryUnwritable(HistoryError):
    """The folder or file may not be written (permissions, read-only disk, I/O error)."""


def corrupt_message(path: Path, detail: str) -> str:
    return (
        f"The history database {path} is damaged ({detail}). liveview has not changed it and "
        "will not write to it, so no history is kept until it is dealt with. To start a new "
        f"history, move {path.name} (with any {path.name}-wal and {path.name}-shm beside it) "
        f"out of {path.parent}; to rescue what it holds, try `sqlite3 {path} .recover`."
    )


def locked_message(path: Path) -> str:
    return (
        f"The history database {path} is locked by another program (another liveview, or a "
        "tool that has the file open). Nothing was changed. Close that program and try again."
    )


def classify(exc: sqlite3.Error, path: Path) -> HistoryError:
    """The HistoryError a user can act on for a sqlite3 error on `path`."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    if code in (_BUSY, _LOCKED):
        return HistoryLocked(locked_message(path), path)
    if code in (_CORRUPT, _NOTADB):
        return HistoryCorrupt(corrupt_message(path, str(exc)), path)
    if code == _FULL:
        return HistoryFull(
            f"The disk holding the history database {path} is full ({exc}). The session goes "
            "on; what it says is not kept until space is freed.",
            path,
        )
    return HistoryUnwritable(
        f"The history database {path} could not be used ({exc}). Check that the folder "
        f"{path.parent} exists and may be written.",
        path,
    )


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        message = f"The history database {path} cannot be read ({exc.strerror})."
        raise HistoryUnwritable(message, path) from exc
    if head and head != SQLITE_HEADER:
        raise HistoryCorrupt(corrupt_message(path, "it is not a SQLite database"), path)


def _check_integrity(conn: sqlite3.Connection, check: Check, path: Path) -> None:
    if check is Check.NONE:
        return
    rows = conn.execute(f"PRAGMA {check.value}").fetchall()
    if [tuple(r) for r in rows] != [("ok",)]:
        detail = "; ".join(str(r[0]) for r in rows[:3])
        raise HistoryCorrupt(corrupt_message(path, f"integrity check: {detail}"), path)


def _configure(conn: sqlite3.Connection, *, new: bool) -> None:
    conn.execute("PRAGMA foreign_keys = ON")  # turns and thumbnails go with their session
    if new:
        # Must precede the first table: lets deletes and pruning give the space back.
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    # WAL: readers (the CLI, the History pane) never block the writer, and each committed
    # turn survives the process being killed. NORMAL sync is durable against a crash of the
    # process (not of the OS), at a fraction of the fsyncs.
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT_BYTES}")
    # A deleted conversation is overwritten with zeros, not just unlinked: its words must not
    # stay readable in the file (FAST left them in freed pages of the full-text index).
    conn.execute("PRAGMA secure_delete = ON")


def connect(
    path: Path, *, check: Check = Check.NONE, busy_timeout_s: float = BUSY_TIMEOUT_S
) -> sqlite3.Connection:
    """Open (creating it when absent) and migrate the database at `path`. Blocking: call it
    off the event loop. Raises HistoryError, having changed nothing on a bad database."""
    _check_header(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HistoryUnwritable(
            f"The folder {path.parent} for the history cannot be made ({exc.strerror}).", path
        ) from exc
    new = not path.exists() or path.stat().st_size == 0
    try:
        conn = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None)
    except sqlite3.Error as exc:
        raise classify(exc, path) from exc
    try:
        _check_integrity(conn, check, path)  # reads only: before anything is written
        _configure(conn, new=new)
        migrate(conn)
    except SchemaTooNew as exc:
        conn.close()
        raise HistoryTooNew(
            f"The history database {path} was written by a newer liveview (schema "
            f"{exc.version}; this one knows up to {LATEST_VERSION}). It was not changed. "
            "Update liveview, or move the file aside to start a new history.",
            path,
        ) from exc
    except sqlite3.Error as exc:
        conn.close()
        raise classify(exc, path) from exc
    except HistoryError:
        conn.close()
        raise
    return conn
