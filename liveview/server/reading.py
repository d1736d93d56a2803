"""Reading the screen: text recognition of received frames, off the event loop, cached, bounded.

One `ScreenReader` per process (`shared_reader()`): the engine (~150 MB, ~1.3 s to load) and the
cache are shared by every connection. It owns one worker thread ("liveview-ocr"), started on
first use, that loads the engine lazily and runs one read at a time:

- `await reader.read(jpeg)` is a question's read: it goes ahead of read-aheads, and waits at most
  `budget_s`. Past the budget it returns what is read so far ("partial", or "pending" before the
  text boxes are found) with a line saying so, and the read goes on in the background to fill
  the cache for the next question.
- `reader.prefetch(jpeg)` is a read-ahead: latest only (a newer frame replaces a waiting one,
  counted as dropped), never waited for. A question about another frame stops a running
  read-ahead within one recognition batch.
- Reads are cached per frame: the key is the hash of the JPEG bytes (an unchanged screen sent
  again as a keep-alive encodes to the same bytes).
- Model files missing or unreadable: said once in the log, every read then answers
  "unavailable" with that reason, and replies fall back to the picture analysis.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field, replace
from typing import Literal

from liveview.server import layout
from liveview.server.frame_check import BadFrame, decode_checked
from liveview.server.layout import Line
from liveview.server.ocr_engine import Box, OcrEngine, OcrUnavailable, Recognised

log = logging.getLogger(__name__)

READ_BUDGET_S = 4.0  # a question waits at most this long (the uncached target is 5 s)
# The process's reader takes its budget from here when set (a slow machine; tests on a loaded CI).
READ_BUDGET_ENV = "LIVEVIEW_READ_BUDGET_S"
CACHE_FRAMES = 32
FRAME_READ_MAX_SIDE_PX = 2048  # regular frames (<= 1024 by default) are never reduced
DETAIL_READ_MAX_SIDE_PX = 4096  # zoom crops and snapshots: read at their full detail

Status = Literal["complete", "partial", "pending", "unavailable", "bad_frame"]


@dataclass(frozen=True)
class Reading:
    """What text recognition made of one frame. `lines` are in reading order."""

    status: Status
    lines: tuple[Line, ...] = ()
    width: int = 0  # the picture read, in its own pixels (the frame's, unless reduced)
    height: int = 0
    detected: int = 0  # text boxes found (recognised ones may be fewer when partial)
    seconds: float = 0.0  # time spent on it, engine loading included
    note: str = ""  # why it is not complete, written for the user
    cached: bool = False  # answered from the cache, no reading done for this request
    reduced: int = 1  # the picture was decoded at 1/reduced of its size
    # Every recognised piece as the recogniser read it, before pieces of a row were joined into
    # lines (for measuring: the legibility bench scores these against the text drawn).
    pieces: tuple[Line, ...] = ()

    @property
    def usable(self) -> bool:
        return self.status in ("complete", "partial")


def frame_key(data: bytes, detail: bool = False) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest() + (":detail" if detail else "")


@dataclass(eq=False)
class _Job:
    key: str
    data: bytes
    detail: bool
    urgent: bool
    future: concurrent.futures.Future[Reading] = field(default_factory=concurrent.futures.Future)
    started_at: float | None = None
    size: tuple[int, int] = (0, 0)
    reduced: int = 1
    boxes: int | None = None  # None until detection is done
    done: list[tuple[Box, Recognised]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, batch: list[tuple[Box, Recognised]]) -> None:
        with self.lock:
            self.done.extend(batch)

    def snapshot(self, budget_s: float) -> Reading:
        """What a waiting question gets when the budget ran out."""
        with self.lock:
            done = list(self.done)
        spent = time.monotonic() - self.started_at if self.started_at is not None else 0.0
        width, height = self.size
        if self.boxes is None:
            return Reading(
                "pending",
                width=width,
                height=height,
                seconds=spent,
                note=(
                    f"Text recognition is slow on this machine: it had not finished within "
                    f"{budget_s:.0f} seconds, so this answer goes without it."
                ),
                reduced=self.reduced,
            )
        return Reading(
            "partial",
            _lines(done),
            width,
            height,
            detected=self.boxes,
            seconds=spent,
            note=(
                f"Text recognition is slow on this machine: within {budget_s:.0f} seconds it "
                f"read {len(done)} of the {self.boxes} text pieces it found."
            ),
            reduced=self.reduced,
        )


def _lines(done: list[tuple[Box, Recognised]]) -> tuple[Line, ...]:
    return layout.arrange([(box, r.text, r.confidence) for box, r in done])


def _pieces(done: list[tuple[Box, Recognised]]) -> tuple[Line, ...]:
    return tuple(Line(r.text, box, r.confidence) for box, r in done if r.text.strip())


class ScreenReader:
    """Text recognition on a worker thread, with a per-frame cache (see the module docstring)."""

    def __init__(
        self,
        engine: OcrEngine | None = None,
        *,
        budget_s: float = READ_BUDGET_S,
        cache_frames: int = CACHE_FRAMES,
    ) -> None:
        self.engine = engine if engine is not None else OcrEngine()
        self.budget_s = budget_s
        self._cache: OrderedDict[str, Reading] = OrderedDict()
        self._cache_frames = cache_frames
        self._cond = threading.Condition()
        self._urgent: deque[_Job] = deque()
        self._ahead: _Job | None = None  # the one waiting read-ahead
        self._running: _Job | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self.unavailable: str | None = None  # why the engine cannot run, once known
        # Counters (read on any thread; written under _cond).
        self.reads = 0  # reads run to the end (or stopped)
        self.cache_hits = 0
        self.read_aheads = 0
        self.read_aheads_dropped = 0
        self.read_s: list[float] = []  # wall time of the last complete reads (newest last)

    # --- asyncio side -------------------------------------------------------------------------
    async def read(
        self, data: bytes, *, detail: bool = False, budget_s: float | None = None
    ) -> Reading:
        """A question's read of one frame, within `budget_s` (default: the reader's)."""
        budget = self.budget_s if budget_s is None else budget_s
        job_or_reading = self._request(data, detail)
        if isinstance(job_or_reading, Reading):
            return job_or_reading
        job = job_or_reading
        waiter = asyncio.wrap_future(job.future)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), budget)
        except TimeoutError:
            return job.snapshot(budget)

    def prefetch(self, data: bytes) -> None:
        """Read `data` ahead of any question, when the worker is free (latest only)."""
        key = frame_key(data)
        with self._cond:
            if self._closed or self.unavailable is not None or key in self._cache:
                return
            if self._running is not None and self._running.key == key:
                return
            if any(job.key == key for job in self._urgent):
                return
            if self._ahead is not None:
                if self._ahead.key == key:
                    return
                self.read_aheads_dropped += 1
            self._ahead = _Job(key, data, detail=False, urgent=False)
            self.read_aheads += 1
            self._start()
            self._cond.notify()

    def cached(self, data: bytes, *, detail: bool = False) -> Reading | None:
        with self._cond:
            found = self._cache.get(frame_key(data, detail))
        return replace(found, cached=True) if found is not None else None

    def close(self) -> None:
        """Stop the worker after its current batch; waiting reads get "unavailable"."""
        with self._cond:
            self._closed = True
            if self._running is not None:
                self._running.stop.set()
            self._cond.notify_all()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10.0)

    # --- bookkeeping ----------------------------------------------------------------------------
    def _request(self, data: bytes, detail: bool) -> _Job | Reading:
        key = frame_key(data, detail)
        with self._cond:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.cache_hits += 1
                return replace(hit, cached=True)
            if self.unavailable is not None or self._closed:
                return Reading("unavailable", note=self._unavailable_note())
            running = self._running
            if running is not None and running.key == key:
                return running
            if running is not None and not running.urgent:
                running.stop.set()  # a read-ahead of another frame gives way
            for job in self._urgent:
                if job.key == key:
                    return job
            if self._ahead is not None and self._ahead.key == key:
                job, self._ahead = self._ahead, None
                job.urgent = True
            else:
                job = _Job(key, data, detail=detail, urgent=True)
            self._urgent.append(job)
            self._start()
            self._cond.notify()
            return job

    def _unavailable_note(self) -> str:
        why = self.unavailable or "the reader was shut down"
        return f"Text recognition is not available here: {why}."

    def _start(self) -> None:
        if self._thread is None:  # under _cond
            self._thread = threading.Thread(target=self._work, name="liveview-ocr", daemon=True)
            self._thread.start()

    def _next_job(self) -> _Job | None:
        with self._cond:
            while not self._closed and not self._urgent and self._ahead is None:
                self._cond.wait()
            if self._closed:
                self._fail_waiting()
                return None
            job = self._urgent.popleft() if self._urgent else self._ahead
            if job is self._ahead:
                self._ahead = None
            self._running = job
            return job

    def _fail_waiting(self) -> None:
        gone = Reading("unavailable", note=self._unavailable_note())
        for job in [*self._urgent, *([self._ahead] if self._ahead else [])]:
            if not job.future.done():
                job.future.set_result(gone)
        self._urgent.clear()
        self._ahead = None

    # --- the worker thread ----------------------------------------------------------------------
    def _work(self) -> None:
        while (job := self._next_job()) is not None:
            try:
                reading = self._run(job)
            except Exception as exc:  # a bug or an engine fault: this read fails, the worker lives
                log.exception("text recognition failed on a frame")
                reading = Reading(
                    "bad_frame", note=f"Text recognition failed on this frame: {exc}."
                )
            with self._cond:
                self._running = None
                self.reads += 1
                if reading.status in ("complete", "bad_frame"):
                    self._remember(job.key, reading)
                if reading.status == "complete":
                    self.read_s = [*self.read_s[-49:], reading.seconds]
            if not job.future.done():
                job.future.set_result(reading)

    def _remember(self, key: str, reading: Reading) -> None:
        self._cache[key] = reading
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_frames:
            self._cache.popitem(last=False)

    def _run(self, job: _Job) -> Reading:
        try:
            return _read_job(self.engine, job)
        except OcrUnavailable as exc:
            with self._cond:
                first = self.unavailable is None
                self.unavailable = str(exc)
                self._fail_waiting()
            if first:
                log.warning("text recognition is not available, replies use the picture "
                            "analysis only: %s", exc)  # fmt: skip
            return Reading("unavailable", note=self._unavailable_note())


def _read_job(engine: OcrEngine, job: _Job) -> Reading:
    """Blocking: decode, detect, recognise in reading order. OcrUnavailable from the engine."""
    job.started_at = started = time.monotonic()
    limit = DETAIL_READ_MAX_SIDE_PX if job.detail else FRAME_READ_MAX_SIDE_PX
    try:
        bgr, job.reduced = decode_checked(job.data, limit)
    except BadFrame as exc:
        return Reading("bad_frame", note=f"I could not read that frame: {exc}.")
    job.size = (int(bgr.shape[1]), int(bgr.shape[0]))
    engine.load()
    boxes = engine.detect(bgr, detail=job.detail)
    order = [boxes[i] for row in layout.reading_order(boxes) for i in row]
    job.boxes = len(order)
    finished = engine.recognise(bgr, order, job.add, job.stop.is_set)
    width, height = job.size
    spent = time.monotonic() - started
    if not finished:
        return Reading("partial", _lines(job.done), width, height, len(order), spent,
                       note="This read was stopped for a newer question.",
                       reduced=job.reduced, pieces=_pieces(job.done))  # fmt: skip
    return Reading("complete", _lines(job.done), width, height, len(order), spent,
                   reduced=job.reduced, pieces=_pieces(job.done))  # fmt: skip


def read_now(engine: OcrEngine, data: bytes, *, detail: bool = False) -> Reading:
    """Blocking: one whole read on the calling thread, no cache, no budget (benches, the
    self-test). OcrUnavailable when the engine cannot run."""
    return _read_job(engine, _Job(frame_key(data, detail), data, detail=detail, urgent=True))


_shared: ScreenReader | None = None
_shared_lock = threading.Lock()


def shared_reader() -> ScreenReader:
    """The process's reader (created on first use; its thread starts on the first read)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ScreenReader(budget_s=_budget_from_env())
            # Stop the worker before the interpreter tears down: a daemon thread killed inside
            # onnxruntime aborts the process ("terminate called without an active exception").
            atexit.register(_shared.close)
        return _shared


def _budget_from_env() -> float:
    raw = os.environ.get(READ_BUDGET_ENV, "")
    try:
        value = float(raw) if raw else READ_BUDGET_S
    except ValueError:
        log.warning("%s=%r is not a number of seconds; using %.0f s", READ_BUDGET_ENV, raw,
                    READ_BUDGET_S)  # fmt: skip
        return READ_BUDGET_S
    return value if value > 0 else READ_BUDGET_S


def set_shared_reader(reader: ScreenReader | None) -> ScreenReader | None:
    """Replace the process's reader (tests, benches); returns the previous one."""
    global _shared
    with _shared_lock:
        previous, _shared = _shared, reader
        if reader is not None:
            atexit.register(reader.close)  # closing twice is harmless
        return previous


@dataclass
class ReadAheadPolicy:
    """When the newest frame is read ahead: once the picture has stood still for `settle_s`
    (no newer frame came: liveview sends only changed pictures), and while it keeps changing at
    most every `interval_s`. The very first frame is read at once (it loads the engine too).
    Pure: times are passed in."""

    settle_s: float = 2.0  # longer than the 1 s between frames of a changing picture
    interval_s: float = 5.0
    last_at: float | None = None

    def delay(self, frame_at: float, now: float) -> float:
        """Seconds until a frame received at `frame_at` is due (0 when due now)."""
        paced = frame_at if self.last_at is None else self.last_at + self.interval_s
        return max(0.0, min(frame_at + self.settle_s, paced) - now)

    def mark(self, now: float) -> None:
        self.last_at = now
