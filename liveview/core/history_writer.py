"""The one writer of the history: a thread that owns the database and a bounded queue.

The session calls `begin_session`, `add_turn` and `end_session` from the event loop; each only
puts an item on the queue (microseconds, never blocking). The thread opens the database (with
a quick integrity check), makes thumbnails, commits each turn as one transaction, and applies
retention and the size budget. Whatever goes wrong there (a damaged or locked database, a full
disk, a queue that overflowed) is reported once per kind through `on_problem`, called on the
writer thread (marshal it to the loop with `loop.call_soon_threadsafe`); the session goes on.

`HistoryOff` has the same methods and keeps nothing: `--no-history`, or retention "off".
"""

from __future__ import annotations

import itertools
import logging
import queue
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

from liveview.core import history_limits as limits
from liveview.core.history import HistoryStore, SessionMeta, TurnRecord
from liveview.core.history_db import (
    Check,
    HistoryCorrupt,
    HistoryError,
    HistoryFull,
    HistoryLocked,
    HistoryTooNew,
    classify,
    default_path,
)
from liveview.encode.small_jpeg import make_thumbnail

log = logging.getLogger(__name__)

QUEUE_SIZE = 1024  # items; a turn is a few kB (plus its frame), so at most a few MB wait
WAKE_INTERVAL_S = 60.0  # the thread wakes this often when idle, to check daily retention
COMMIT_TIMES_KEPT = 10_000  # the newest commit durations, for the benchmark
CLOSE_TIMEOUT_S = 10.0
BEHIND_MESSAGE = (
    "History is falling behind: some turns of this session were not kept (the disk is too "
    "slow or failing). The session goes on."
)

SessionKey = int
DEFAULT_POLICY = limits.HistoryPolicy()


class ProblemKind(Enum):
    UNUSABLE = "unusable"  # corrupt, locked, too new, unwritable at open: nothing is written
    DISK_FULL = "disk_full"
    SIZE_CAP = "size_cap"  # one session outgrew the whole budget
    WRITE_FAILED = "write_failed"  # locked for longer than the busy timeout, I/O error
    BEHIND = "behind"  # the queue was full: turns were dropped


@dataclass(frozen=True)
class HistoryProblem:
    kind: ProblemKind
    message: str  # for the user: what happened, what to do
    path: Path


@dataclass(frozen=True)
class WriterStats:
    turns_written: int
    dropped: int  # items dropped: queue full, or the database unusable
    commit_ms: tuple[float, ...]  # the writer thread's own time per committed turn


class HistorySink(Protocol):
    """What a session runtime needs from the history: HistoryWriter or HistoryOff."""

    def begin_session(self, meta: SessionMeta) -> SessionKey: ...
    def add_turn(self, key: SessionKey, turn: TurnRecord) -> None: ...
    def end_session(
        self,
        key: SessionKey,
        *,
        ended_at: float | None = None,
        tokens_used: int | None = None,
        cost_usd: float | None = None,
    ) -> None: ...
    def close(self, timeout_s: float = ...) -> None: ...


@dataclass(frozen=True)
class _Begin:
    key: SessionKey
    meta: SessionMeta


@dataclass(frozen=True)
class _Turn:
    key: SessionKey
    turn: TurnRecord


@dataclass(frozen=True)
class _End:
    key: SessionKey
    ended_at: float
    tokens_used: int | None
    cost_usd: float | None


@dataclass(frozen=True)
class _Flush:
    done: threading.Event


_STOP = object()
_Item = _Begin | _Turn | _End | _Flush | object


def _problem_for_open(error: HistoryError) -> str:
    if isinstance(error, HistoryCorrupt | HistoryLocked | HistoryTooNew):
        return f"History is off for now. {error.user_message}"
    return f"History is off for now: {error.user_message}"


def _log_problem(problem: HistoryProblem) -> None:
    log.warning("history: %s", problem.message)


class HistoryOff:
    """Keeps nothing (`--no-history`, retention off)."""

    def __init__(self) -> None:
        self._keys = itertools.count(1)

    def begin_session(self, meta: SessionMeta) -> SessionKey:
        return next(self._keys)

    def add_turn(self, key: SessionKey, turn: TurnRecord) -> None:
        pass

    def end_session(
        self,
        key: SessionKey,
        *,
        ended_at: float | None = None,
        tokens_used: int | None = None,
        cost_usd: float | None = None,
    ) -> None:
        pass

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        pass


class HistoryWriter:
    """Owns the writer thread. `start()` once; `close()` (blocking) at shutdown."""

    def __init__(
        self,
        policy: limits.HistoryPolicy = DEFAULT_POLICY,
        *,
        on_problem: Callable[[HistoryProblem], None] = _log_problem,
        clock: Callable[[], float] = time.time,
        queue_size: int = QUEUE_SIZE,
        check: Check = Check.QUICK,
    ) -> None:
        self.policy = policy
        self.path = policy.path or default_path()
        self._on_problem = on_problem
        self._clock = clock
        self._check = check
        self._queue: queue.Queue[_Item] = queue.Queue(maxsize=queue_size)
        self._keys = itertools.count(1)
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        # Writer-thread state below.
        self._store: HistoryStore | None = None
        self._ids: dict[SessionKey, int] = {}  # sessions begun and not ended: never pruned
        self._ids_seen: dict[SessionKey, int] = {}  # a copy for other threads, swapped whole
        self._metas: dict[SessionKey, SessionMeta] = {}
        self._reported: set[ProblemKind] = set()
        self._last_retention = 0.0
        self._written = 0
        self._dropped = 0  # by the writer thread (database unusable, a write failed)
        self._overflowed = 0  # by the caller (queue full)
        self._commit_ms: deque[float] = deque(maxlen=COMMIT_TIMES_KEPT)

    # -- the caller's side (event loop): enqueue only ------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def begin_session(self, meta: SessionMeta) -> SessionKey:
        key = next(self._keys)
        self._put(_Begin(key, meta))
        return key

    def add_turn(self, key: SessionKey, turn: TurnRecord) -> None:
        self._put(_Turn(key, turn))

    def end_session(
        self,
        key: SessionKey,
        *,
        ended_at: float | None = None,
        tokens_used: int | None = None,
        cost_usd: float | None = None,
    ) -> None:
        at = self._clock() if ended_at is None else ended_at
        self._put(_End(key, at, tokens_used, cost_usd))

    def _put(self, item: _Item) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            # Bounded, and says what it drops: the newest item (the thread is stuck on a slow
            # or failing disk; what is queued already goes first). Counted here, said by the
            # writer thread, so that on_problem is always called there.
            self._overflowed += 1

    # -- blocking helpers (tests, shutdown): call them off the event loop -----------------------

    def flush(self, timeout_s: float = CLOSE_TIMEOUT_S) -> bool:
        """Wait until everything queued so far is written. False on timeout."""
        if not self._thread.is_alive():
            return False
        done = threading.Event()
        try:
            self._queue.put(_Flush(done), timeout=timeout_s)
        except queue.Full:
            return False
        return done.wait(timeout_s)

    def close(self, timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        """Write what is queued, close the database, stop the thread."""
        if not self._thread.is_alive():
            return
        try:
            self._queue.put(_STOP, timeout=timeout_s)
        except queue.Full:
            log.warning("history: the writer did not drain in %.0f s", timeout_s)
            return
        self._thread.join(timeout_s)

    def stats(self) -> WriterStats:
        dropped = self._dropped + self._overflowed
        return WriterStats(self._written, dropped, tuple(self._commit_ms))

    @property
    def session_ids(self) -> dict[SessionKey, int]:
        """Database ids of the sessions running now, as the writer thread last left them."""
        return self._ids_seen

    # -- the writer thread ---------------------------------------------------------------------

    def _report(self, kind: ProblemKind, message: str) -> None:
        if kind in self._reported:
            return
        self._reported.add(kind)
        try:
            self._on_problem(HistoryProblem(kind, message, self.path))
        except Exception:  # a listener's bug must not stop the history
            log.exception("history: the problem listener failed")

    def _run(self) -> None:
        self._open()
        while True:
            try:
                item = self._queue.get(timeout=WAKE_INTERVAL_S)
            except queue.Empty:
                self._maintain()
                continue
            if item is _STOP:
                break
            if isinstance(item, _Flush):
                item.done.set()
                continue
            try:
                self._handle(item)
            except Exception:  # a bug must not stop the history for the rest of the run
                self._dropped += 1
                log.exception("history: an item could not be written")
            if self._ids != self._ids_seen:
                self._ids_seen = dict(self._ids)  # one assignment: readers never see it half-made
            if self._overflowed:
                self._report(ProblemKind.BEHIND, BEHIND_MESSAGE)
        if self._store is not None:
            self._store.close()

    def _open(self) -> None:
        try:
            self._store = HistoryStore.open(self.path, check=self._check)
            limits.set_hard_cap(self._store.conn, self.policy.max_bytes)
        except HistoryError as exc:
            self._store = None
            self._report(ProblemKind.UNUSABLE, _problem_for_open(exc))
            return
        self._maintain(force=True)

    def _maintain(self, *, force: bool = False) -> None:
        """Retention at open and once a day; the size budget."""
        if self._store is None:
            return
        now = self._clock()
        keep = set(self._ids.values())
        try:
            if force or now - self._last_retention >= limits.RETENTION_CHECK_INTERVAL_S:
                self._last_retention = now
                limits.prune_expired(self._store.conn, self.policy.cutoff(now), keep)
            limits.prune_to_budget(self._store.conn, self.policy.max_bytes, keep)
        except sqlite3.Error as exc:
            self._write_failed(classify(exc, self.path))

    def _handle(self, item: _Item) -> None:
        if self._store is None:
            self._dropped += 1
            return
        try:
            if isinstance(item, _Begin):
                self._metas[item.key] = item.meta
                self._ids[item.key] = self._store.insert_session(item.meta)
            elif isinstance(item, _Turn):
                self._write_turn(self._store, item)
            elif isinstance(item, _End):
                self._end(self._store, item)
        except HistoryError as exc:
            self._dropped += 1
            self._write_failed(exc)

    def _session_id(self, store: HistoryStore, key: SessionKey) -> int | None:
        """The session's row, made now if its begin could not be written (disk full then)."""
        if key not in self._ids and key in self._metas:
            self._ids[key] = store.insert_session(self._metas[key])
        return self._ids.get(key)

    def _write_turn(self, store: HistoryStore, item: _Turn) -> None:
        session_id = self._session_id(store, item.key)
        if session_id is None:
            self._dropped += 1
            return
        thumbnail = _thumbnail(item.turn.frame_jpeg)
        started = time.perf_counter()
        store.put_turn(session_id, item.turn, thumbnail)
        self._commit_ms.append((time.perf_counter() - started) * 1000)
        self._written += 1
        if limits.used_bytes(store.conn) > self.policy.max_bytes:
            self._maintain()

    def _end(self, store: HistoryStore, item: _End) -> None:
        session_id = self._ids.pop(item.key, None)
        self._metas.pop(item.key, None)
        if session_id is not None:
            store.finish_session(
                session_id, item.ended_at, tokens_used=item.tokens_used, cost_usd=item.cost_usd
            )
        self._maintain()  # a session's end is a quiet moment for the daily retention check

    def _write_failed(self, exc: HistoryError) -> None:
        if isinstance(exc, HistoryFull):
            if self._store is not None and limits.at_hard_cap(self._store.conn):
                self._report(ProblemKind.SIZE_CAP, "This session has outgrown the space set "
                             f"aside for history ({self.policy.max_bytes // 2**20} MB); the "
                             "rest of it is not kept. The session goes on.")  # fmt: skip
            else:
                self._report(ProblemKind.DISK_FULL, exc.user_message)
        elif isinstance(exc, HistoryCorrupt):
            self._report(ProblemKind.UNUSABLE, _problem_for_open(exc))
            if self._store is not None:
                self._store.close()
            self._store = None  # never write into a damaged file
        else:
            self._report(ProblemKind.WRITE_FAILED, f"A turn was not kept: {exc.user_message}")


def _thumbnail(frame: bytes | None) -> bytes | None:
    if not frame:
        return None
    try:
        return make_thumbnail(frame)
    except ValueError:
        log.info("history: the frame of a turn is not a JPEG; kept without a thumbnail")
        return None


def open_history(
    policy: limits.HistoryPolicy,
    *,
    on_problem: Callable[[HistoryProblem], None] = _log_problem,
) -> HistoryWriter | HistoryOff:
    """The sink a run uses: a started writer, or HistoryOff when nothing is to be kept."""
    if not policy.writes:
        return HistoryOff()
    writer = HistoryWriter(policy, on_problem=on_problem)
    writer.start()
    return writer
