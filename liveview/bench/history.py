"""`liveview bench history`: search over a large history, and what keeping a turn costs a session.

Sections:
- build: a real database of `--sessions` sessions (default 10,000) of generated conversations
  (4-24 turns, words drawn with a Zipf law from a mixed everyday and technical vocabulary, a
  thumbnail per session); its size;
- search: `HistoryStore.search` timed over rare, mid and common words, two words, a prefix (as
  typed) and a miss, each repeated; median (target <= 50 ms), p95, max, per kind;
- reads: the list (50 newest with thumbnails), one session with its turns;
- maintenance: the writer's quick_check at open, a full integrity_check, FTS optimize (run after
  pruning);
- live: a session on the event loop (Transcript -> HistoryRecorder -> HistoryWriter, a JPEG
  frame at each user turn) against that database: the time each `add_turn` takes as the caller
  sees it (target p99 <= 5 ms: it only enqueues), the loop's lag meanwhile, and the writer
  thread's own commit time per turn.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from liveview.core import events as core
from liveview.core.history import HistoryStore, SessionMeta, TurnRecord
from liveview.core.history_db import Check
from liveview.core.history_limits import HistoryPolicy, used_bytes
from liveview.core.history_transcript import HistoryRecorder
from liveview.core.history_writer import HistoryOff, HistorySink, HistoryWriter, SessionKey
from liveview.core.loop_lag import LoopLagMonitor
from liveview.core.stats import percentile
from liveview.core.transcript import Transcript
from liveview.encode.small_jpeg import make_thumbnail
from liveview.protocol import events as ev

SEARCH_TARGET_MEDIAN_MS = 50.0
ADD_TURN_TARGET_P99_MS = 5.0
BUILD_BATCH = 250  # sessions per transaction while building

_VOCABULARY = """
the a to and of is it you that in this what for on with can be my how do not are your there
here so if just like now see it's i'm me about one at have was all this but or screen window
file code error line function button menu page text image graph chart number value name list
table row column click open close save run test build python javascript terminal command
output input message email meeting slide document browser tab link search result setting
option folder project branch commit merge review change explain show read tell help fix find
make look move start stop try mean happen because red blue green left right top bottom next
first last new old small large empty wrong right working broken missing slow fast again still
already maybe really please thanks revenue forecast quarter sales customer invoice budget
report total average percent traceback exception keyerror typeerror import module package
version install update database query index server request response timeout network
connection password login camera picture photo person face street car door kitchen plant cat
dog book paper desk recipe ingredient oven minutes temperature weather train station ticket
map address language translate word sentence spanish german french english meaning grammar
lecture
"""
_WORDS = tuple(_VOCABULARY.split())  # most common first: the Zipf law follows this order
_RARE = ("kubernetes", "zanzibar", "pelican", "mandolin", "quasar", "origami", "tesseract",
         "bergamot", "fjord", "xylophone", "sourdough", "ptolemy")  # fmt: skip
_QUERIES: dict[str, tuple[str, ...]] = {
    "rare": ("kubernetes", "pelican", "tesseract", "sourdough"),
    "mid": ("traceback", "invoice", "lecture", "grammar"),
    "common": ("screen", "error", "code", "explain"),
    "two_words": ("python traceback", "revenue forecast", "camera photo", "slow network"),
    "prefix": ("trace", "forec", "transl", "kube"),
    "miss": ("flibbertigibbet", "qwertyuiopasdf"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sessions", type=int, default=10_000, help="sessions in the database")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each search query")
    parser.add_argument("--turns", type=int, default=2_000, help="turns of the live session")
    parser.add_argument(
        "--interval-ms", type=float, default=5.0, help="time between turn pairs in the live run"
    )
    parser.add_argument("--db", type=Path, help="build (or reuse) the database here")
    parser.add_argument("--seed", type=int, default=1)


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "p95": round(percentile(values, 95), 3),
        "p99": round(percentile(values, 99), 3),
        "max": round(max(values), 3),
    }


class _Talk:
    """Generated conversation text: everyday and technical words, Zipf-distributed."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._weights = [1.0 / (rank + 1) for rank in range(len(_WORDS))]

    def words(self, low: int, high: int) -> str:
        count = self._rng.randint(low, high)
        chosen = self._rng.choices(_WORDS, weights=self._weights, k=count)
        if self._rng.random() < 0.05:
            chosen.insert(self._rng.randrange(len(chosen) + 1), self._rng.choice(_RARE))
        return " ".join(chosen).capitalize() + self._rng.choice(("?", ".", "."))


def _thumbnails(count: int) -> list[bytes]:
    import numpy as np

    from liveview.encode.jpeg import encode_jpeg

    out = []
    for i in range(count):
        image = np.full((540, 960, 3), (i * 40) % 255, np.uint8)
        image[100:300, (i * 50) % 700 : (i * 50) % 700 + 200] = (30, 160, 240)
        out.append(make_thumbnail(encode_jpeg(image, 960, 80).data))
    return out


def _build(path: Path, sessions: int, rng: random.Random) -> dict[str, Any]:
    talk = _Talk(rng)
    thumbs = _thumbnails(16)
    started = time.perf_counter()
    turns = 0
    with HistoryStore.open(path) as store:
        conn = store.conn
        t0 = time.time() - sessions * 3600.0
        for first in range(0, sessions, BUILD_BATCH):
            conn.execute("BEGIN")
            for n in range(first, min(first + BUILD_BATCH, sessions)):
                turns += _build_session(conn, talk, thumbs[n % len(thumbs)], t0 + n * 3600.0, rng)
            conn.execute("COMMIT")
        size = used_bytes(conn)
    return {
        "sessions": sessions,
        "turns": turns,
        "seconds": round(time.perf_counter() - started, 1),
        "database_mb": round(size / 2**20, 1),
    }


def _build_session(conn: Any, talk: _Talk, thumb: bytes, at: float, rng: random.Random) -> int:
    n_turns = rng.randint(4, 24)
    cur = conn.execute(
        "INSERT INTO sessions (started_at, ended_at, backend, model, source) "
        "VALUES (?, ?, 'gemini', 'gemini-3.8-live', 'screen:1')",
        (at, at + n_turns * 20),
    )
    sid = cur.lastrowid
    rows = []
    for seq in range(n_turns):
        is_user = seq % 2 == 0
        text = talk.words(4, 25) if is_user else talk.words(20, 120)
        rows.append((sid, seq, at + seq * 20, "user" if is_user else "model",
                     "spoken" if is_user else None, text))  # fmt: skip
    conn.executemany(
        "INSERT INTO turns (session_id, seq, at, role, input, text) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("UPDATE sessions SET title = ? WHERE id = ?", (rows[0][5][:80], sid))
    (turn_id,) = conn.execute(
        "SELECT id FROM turns WHERE session_id = ? AND seq = 0", (sid,)
    ).fetchone()
    conn.execute("INSERT INTO thumbnails (turn_id, jpeg) VALUES (?, ?)", (turn_id, thumb))
    return n_turns


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def _search(path: Path, repeat: int) -> dict[str, Any]:
    all_ms: list[float] = []
    kinds: dict[str, Any] = {}
    with HistoryStore.open(path) as store:
        store.search("warm up the page cache")
        for kind, queries in _QUERIES.items():
            timings: list[float] = []
            hits = 0
            for query in queries:
                for _ in range(repeat):
                    ms, found = _timed(lambda q=query: store.search(q))  # type: ignore[misc]
                    timings.append(ms)
                hits += len(found)  # type: ignore[arg-type]
            kinds[kind] = {"median_ms": round(statistics.median(timings), 3),
                           "hits_per_query": hits / len(queries)}  # fmt: skip
            all_ms += timings
    summary = _ms(all_ms)
    return {
        "queries_timed": len(all_ms),
        "ms": summary,
        "by_kind": kinds,
        "target_median_ms": SEARCH_TARGET_MEDIAN_MS,
        "met": summary["median"] <= SEARCH_TARGET_MEDIAN_MS,
    }


def _reads_and_maintenance(path: Path) -> dict[str, Any]:
    with HistoryStore.open(path) as store:
        list_ms, listed = _timed(lambda: store.list_sessions(limit=50, thumbnails=True))
        newest = listed[0].id  # type: ignore[index]
        get_ms, _ = _timed(lambda: store.get_session(newest))
        full_ms, _ = _timed(store.integrity_problems)
        optimize_ms, _ = _timed(
            lambda: store.conn.execute("INSERT INTO turns_fts (turns_fts) VALUES ('optimize')")
        )
    quick_ms, checked = _timed(lambda: HistoryStore.open(path, check=Check.QUICK))
    assert isinstance(checked, HistoryStore)
    checked.close()
    return {
        "list_50_with_thumbnails_ms": round(list_ms, 2),
        "get_session_ms": round(get_ms, 2),
        "open_with_quick_check_ms": round(quick_ms, 1),
        "integrity_check_ms": round(full_ms, 1),
        "fts_optimize_ms": round(optimize_ms, 1),
    }


class _TimedSink:
    """The writer, with the caller's time per add_turn taken on the event loop."""

    def __init__(self, writer: HistorySink) -> None:
        self.writer = writer
        self.add_turn_ms: list[float] = []

    def begin_session(self, meta: SessionMeta) -> SessionKey:
        return self.writer.begin_session(meta)

    def add_turn(self, key: SessionKey, turn: TurnRecord) -> None:
        started = time.perf_counter()
        self.writer.add_turn(key, turn)
        self.add_turn_ms.append((time.perf_counter() - started) * 1000)

    def end_session(self, key: SessionKey, **kwargs: Any) -> None:
        self.writer.end_session(key, **kwargs)

    def close(self, timeout_s: float = 10.0) -> None:
        self.writer.close(timeout_s)


def _session_events(talk: _Talk, pairs: int) -> Iterator[list[object]]:
    for _ in range(pairs):
        reply = talk.words(20, 120).split(" ")
        chunks = [" ".join(reply[i : i + 6]) + " " for i in range(0, len(reply), 6)]
        yield [core.UserText(talk.words(4, 25)), *map(ev.OutputTranscription, chunks),
               ev.TurnComplete()]  # fmt: skip


async def _live_session(sink: _TimedSink, talk: _Talk, turns: int, interval_s: float) -> float:
    """The loop's lag p99 while the session runs (and the writer catches up, if it is one)."""
    import numpy as np

    from liveview.encode.jpeg import encode_jpeg

    frame = encode_jpeg(np.full((1080, 1920, 3), 128, np.uint8), 1024, 80).data
    transcript = Transcript()
    recorder = HistoryRecorder(
        transcript, sink, SessionMeta(time.time(), "local"), frame=lambda: frame
    )
    lag = LoopLagMonitor()
    async with asyncio.TaskGroup() as group:
        probe = group.create_task(lag.run(), name="bench-loop-lag")
        for events in _session_events(talk, turns // 2):
            for event in events:
                transcript.apply(event, time.time())
            await asyncio.sleep(interval_s)
        recorder.finish()
        if isinstance(sink.writer, HistoryWriter):
            await asyncio.to_thread(sink.writer.flush, 120.0)
        probe.cancel()
    return lag.p99_ms()


def _live(path: Path, turns: int, interval_ms: float, rng: random.Random) -> dict[str, Any]:
    # The same session with nothing kept first: the loop's own lag, for comparison.
    baseline = asyncio.run(
        _live_session(_TimedSink(HistoryOff()), _Talk(rng), turns, interval_ms / 1000)
    )
    writer = HistoryWriter(HistoryPolicy(path=path, max_bytes=2**40))
    writer.start()
    sink = _TimedSink(writer)
    lag_p99 = asyncio.run(_live_session(sink, _Talk(rng), turns, interval_ms / 1000))
    writer.close()
    with HistoryStore.open(path) as store:  # a reused --db stays as it was built
        store.delete_session(max(store.session_ids()))  # the live one: the last made
    stats = writer.stats()
    caller = _ms(sink.add_turn_ms)
    return {
        "turns": len(sink.add_turn_ms),
        "interval_ms": interval_ms,
        "add_turn_caller_ms": caller,
        "target_p99_ms": ADD_TURN_TARGET_P99_MS,
        "met": caller["p99"] <= ADD_TURN_TARGET_P99_MS,
        "loop_lag_p99_ms": round(lag_p99, 3),
        "loop_lag_p99_ms_without_history": round(baseline, 3),
        "writer_commit_ms": _ms(list(stats.commit_ms)),
        "written": stats.turns_written,
        "dropped": stats.dropped,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="liveview-bench-history-") as tmp:
        path = args.db or Path(tmp) / "history.sqlite3"
        build = {"reused": str(path)} if path.exists() else _build(path, args.sessions, rng)
        return {
            "build": build,
            "search": _search(path, args.repeat),
            "reads": _reads_and_maintenance(path),
            "live": _live(path, args.turns, args.interval_ms, rng),
        }
