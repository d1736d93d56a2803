"""FrameProducer: one FrameSource on its own thread, handing the newest frame to asyncio.

The thread does every blocking call (open, read, close); the event loop only ever peeks at a
latest-only slot. A frame nobody looked at before the next one arrives is dropped (counted).
When the source fails mid-stream the thread stops, closes the source, records the error and
tells the loop (on_error, and next_frame() raises): the session goes on without video.

Two paces. A source with a pace of its own (a camera, a file) is read continuously, as its
device or decoder needs. A source without one (a screen, a window) is grabbed on demand:
`next_frame(fresh=True)` asks the thread for a grab made now, and otherwise the thread grabs
only every IDLE_GRAB_INTERVAL_S, to keep latest() recent and holds noticed. A grab nobody looks
at costs as much as one that is sent (about a millisecond of the 8 MB a 1080p picture weighs), so
grabbing ahead at a fixed rate would mostly pay for pictures that are thrown away.

Filters (masks, the auto-pause gate) run on the capture thread between the grab and the slot,
so no unmasked picture is ever offered to the encoder. A source or filter that raises
NoFrameNow holds the video: the last frame is withdrawn, next_frame() waits, `hold` says why
(on_hold tells the loop when that changes), and the grab is retried until frames come again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence

from liveview.capture.base import Frame, FrameFilter, FrameGate, FrameSource, NoFrameNow, Region
from liveview.encode.throttle import LatestSlot
from liveview.errors import CaptureError, LiveViewError

log = logging.getLogger(__name__)

# A screen has no pace of its own: it is grabbed when the pipeline looks (next_frame(fresh=True)),
# and otherwise this often, so that latest() (a tool's snapshot while video is paused) is at most
# a second old and a hold (auto-pause) is noticed within a second. About 0.1 ms of CPU a grab.
IDLE_GRAB_INTERVAL_S = 1.0
# Between the grabs of an on-demand source its gates (auto-pause) are asked this often, so a hold
# is noticed (and the last frame withdrawn) within 50 ms without grabbing; a pure function of
# a window list the watcher keeps, so asking costs microseconds.
GATE_POLL_S = 0.05
JOIN_TIMEOUT_S = 10.0  # a stream read times out after 5 s (camera.STREAM_READ_TIMEOUT_MS)

ErrorCallback = Callable[[CaptureError], None]
HoldCallback = Callable[[NoFrameNow | None], None]  # why video is held; None: frames flow again


class FrameProducer:
    """Runs `source` on a dedicated thread; `await next_frame()` gets the newest frame."""

    def __init__(
        self,
        source: FrameSource,
        *,
        idle_grab_interval_s: float = IDLE_GRAB_INTERVAL_S,
        on_error: ErrorCallback | None = None,
        filters: Sequence[FrameFilter] = (),
        on_hold: HoldCallback | None = None,
    ) -> None:
        self._source = source
        self._idle_grab_interval_s = idle_grab_interval_s
        self._wanted = threading.Event()  # the loop wants a grab made now (on-demand sources)
        self._on_error = on_error
        self._filters = tuple(filters)
        self._region: Region | None = None  # where the last frame lay (for the gates)
        self._on_hold = on_hold
        self._hold: NoFrameNow | None = None
        self._slot: LatestSlot[Frame] = LatestSlot()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_frame = asyncio.Event()
        self._error: CaptureError | None = None
        self._finished = False  # the thread has ended (stopped or failed)
        self._closed = False  # close() was called
        self.frames_captured = 0

    @property
    def source(self) -> FrameSource:
        return self._source

    @property
    def error(self) -> CaptureError | None:
        """Why the source stopped, once it has failed."""
        return self._error

    @property
    def hold(self) -> NoFrameNow | None:
        """Why no frames are offered right now (its .badge: "paused: KeePassXC", its .notice: a
        sentence), or None while frames flow."""
        return self._hold

    def set_filters(self, filters: Sequence[FrameFilter]) -> None:
        """Replace the filters (any thread): the next grab uses the new ones."""
        self._filters = tuple(filters)  # one reference swap: the capture thread sees old or new

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._finished

    @property
    def frames_dropped(self) -> int:
        """Frames replaced in the slot before anyone looked at them."""
        return self._slot.drops

    def describe(self) -> str:
        return self._source.describe()

    async def start(self) -> None:
        """Start the thread and wait until the source is open. Raises CaptureError/ConfigError
        if it cannot open (the thread is then already gone). Idempotent."""
        if self._thread is not None:
            return
        self._loop = asyncio.get_running_loop()
        opened: asyncio.Future[None] = self._loop.create_future()
        self._thread = threading.Thread(
            target=self._run,
            args=(opened,),
            name=f"capture: {self._source.describe()}",
            daemon=True,
        )
        self._thread.start()
        await opened

    @property
    def on_demand(self) -> bool:
        """The source has no pace of its own: it is grabbed when asked (next_frame(fresh=True))."""
        return self._source.frame_interval_s is None

    async def next_frame(self, after_seq: int = -1, *, fresh: bool = False) -> Frame:
        """The newest frame with seq > after_seq, waiting for one if need be. With the default
        after_seq the newest frame is returned even if it was returned before.

        fresh: for an on-demand source (a screen), a frame grabbed after this call; for a source
        with its own pace it changes nothing (the newest frame is as fresh as it gets).

        Raises CaptureError when the source failed or was closed (after the last unseen frame).
        """
        if fresh and self.on_demand:
            newest = self._slot.peek()
            after_seq = max(after_seq, newest.seq if newest is not None else -1)
            self._wanted.set()
        while True:
            if self._closed:
                raise CaptureError(f"{self._source.describe()} is not running")
            frame = self._slot.peek()
            # Once the source has stopped, only a frame nobody has seen is still news.
            ended = self._error is not None or self._finished
            if frame is not None and frame.seq > after_seq and (not ended or self._slot.fresh):
                self._slot.take(keep=True)  # seen: the next put is not a drop
                return frame
            if self._error is not None:
                raise self._error
            if self._finished or self._thread is None:
                raise CaptureError(f"{self._source.describe()} is not running")
            self._new_frame.clear()
            await self._new_frame.wait()

    def latest(self) -> Frame | None:
        """The newest frame so far (None before the first), without waiting."""
        return self._slot.peek()

    async def close(self) -> None:
        """Stop the thread (it closes the source) and wait for it."""
        self._closed = True
        self._stop.set()
        self._wanted.set()  # an on-demand thread waits on this, not on _stop
        thread = self._thread
        if thread is not None and thread.is_alive():
            await asyncio.to_thread(thread.join, JOIN_TIMEOUT_S)
            if thread.is_alive():
                log.warning("capture thread for %s did not stop in time", self.describe())
        self._finished = True
        self._new_frame.set()

    # --- capture thread -------------------------------------------------------------------

    def _notify(self, callback: Callable[[], object]) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(callback)

    def _run(self, opened: asyncio.Future[None]) -> None:
        try:
            self._source.open()
        except Exception as exc:
            self._finished = True
            self._safe_close()
            error = exc if isinstance(exc, LiveViewError) else _wrap(self._source, exc)
            self._notify(lambda: _settle(opened, error))
            return
        self._notify(lambda: _settle(opened, None))
        try:
            self._capture_loop()
        except Exception as exc:
            error = exc if isinstance(exc, CaptureError) else _wrap(self._source, exc)
            log.warning("capture stopped: %s", error)
            self._error = error
            self._notify(self._report_error)
        finally:
            self._finished = True
            self._safe_close()
            self._notify(self._new_frame.set)

    def _capture_loop(self) -> None:
        if self.on_demand:
            self._grab_on_demand()
            return
        while not self._stop.is_set():  # a source with its own pace: read as it delivers
            retry_s = self._grab_once()
            if retry_s is not None and self._stop.wait(retry_s):
                return

    def _grab_on_demand(self) -> None:
        """Grab when the loop asks (next_frame(fresh=True)) or every idle interval; between
        grabs, ask the gates. A held screen is not grabbed until its gates let go."""
        idle_due = 0.0  # when a grab nobody asked for is due (the first one: at once)
        while not self._stop.is_set():
            gates = [f for f in self._filters if isinstance(f, FrameGate)]
            held = next((h for g in gates if (h := g.hold_for(self._region)) is not None), None)
            now = time.monotonic()
            if held is not None:
                self._set_hold(held)
                idle_due = 0.0  # once they let go, grab at once (the frame that resumes video)
                if self._stop.wait(GATE_POLL_S):  # not _wanted: a waiting loop keeps it set
                    return
                continue
            if self._wanted.is_set() or now >= idle_due:
                self._wanted.clear()
                retry_s = self._grab_once()
                wait_s = self._idle_grab_interval_s if retry_s is None else retry_s
                idle_due = time.monotonic() + wait_s
                timeout = min(wait_s, GATE_POLL_S) if gates else wait_s
            else:
                timeout = min(idle_due - now, GATE_POLL_S) if gates else idle_due - now
            self._wanted.wait(max(0.0, timeout))

    def _grab_once(self) -> float | None:
        """Read and filter one frame into the slot: None, or how long to wait when held."""
        try:
            frame = self._filtered(self._source.read())
        except NoFrameNow as held:
            self._set_hold(held)
            return held.retry_after_s
        self._set_hold(None)
        self._region = frame.region
        self._slot.put(frame)
        self.frames_captured += 1
        self._notify(self._new_frame.set)
        return None

    def _filtered(self, frame: Frame) -> Frame:
        for apply in self._filters:
            frame = apply(frame)
        return frame

    def _set_hold(self, held: NoFrameNow | None) -> None:
        before = self._hold
        unchanged = before is held or (
            before is not None and held is not None and before.notice == held.notice
        )
        if unchanged:
            return
        if held is not None:
            # Withdraw the last frame at once: it may already show what must not be sent.
            self._slot.clear()
            log.info("video held: %s", held.notice)
        else:
            log.info("video flows again")
        self._hold = held
        if self._on_hold is not None:
            callback = self._on_hold
            self._notify(lambda: callback(held))

    def _report_error(self) -> None:
        self._new_frame.set()
        if self._on_error is not None and self._error is not None:
            self._on_error(self._error)

    def _safe_close(self) -> None:
        try:
            self._source.close()
        except Exception:
            log.exception("closing %s failed", self._source.describe())


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():  # the awaiting task was cancelled
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


def _wrap(source: FrameSource, exc: BaseException) -> CaptureError:
    error = CaptureError(f"{source.describe()} failed: {exc}")
    error.__cause__ = exc
    return error
