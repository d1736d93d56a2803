"""VideoPipeline: newest frame -> change check -> JPEG -> the transport's latest-only video lane.

Plain asyncio, no Qt. Every pixel operation (thumbnail, resize, encode, preview) runs in a worker
thread (asyncio.to_thread); the loop only sleeps, compares counters and calls the sink.

Pacing. Sends are spaced by the rate limiter (settings.fps). Between sends the newest frame is
checked every CHANGE_POLL_S (at most), so a change on a static screen goes out as soon as the
limiter allows, not a whole interval later: "a change reaches the socket within one frame
interval". Unchanged frames are skipped, with a keep-alive every settings.keepalive_s.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from liveview.capture.base import Frame, FrameFilter, NoFrameNow
from liveview.capture.runner import FrameProducer
from liveview.encode import (
    DEFAULT_CHANGE_THRESHOLD,
    DEFAULT_FPS,
    DEFAULT_JPEG_QUALITY,
    DEFAULT_KEEPALIVE_S,
    DEFAULT_MAX_SIDE_PX,
    SNAPSHOT_SETTINGS,
    ChangeDetector,
    Clock,
    EncodedFrame,
    EncodeSettings,
    RateLimiter,
    VideoCounters,
    encode_resized,
    preview_of,
    resize_to_max_side,
    thumbnail,
)
from liveview.encode.change import validate_change_threshold
from liveview.encode.scratch import Scratch
from liveview.encode.throttle import validate_fps
from liveview.errors import CaptureError, ConfigError, LiveViewError

log = logging.getLogger(__name__)

CHANGE_POLL_S = 0.25  # how often a skipped (unchanged) picture is looked at again
PREVIEW_MAX_SIDE_PX = 320  # the window's small live preview
PREVIEW_INTERVAL_S = 0.25  # preview refreshed at most 4 times a second
# Previews are made while something reads latest_preview (the window polls it every 250 ms) and
# for this long after; headless never reads it, so it never pays for one after the first.
PREVIEW_READ_RECENTLY_S = 2.0

VideoSink = Callable[[bytes], bool]  # True when the JPEG replaced an unsent older one
SinkReady = Callable[[], bool]  # whether the sink takes frames now (a session is connected)
Sleep = Callable[[float], Awaitable[None]]
ErrorCallback = Callable[[LiveViewError], None]


@dataclass(frozen=True)
class VideoSettings:
    fps: float = DEFAULT_FPS
    max_side: int = DEFAULT_MAX_SIDE_PX
    jpeg_quality: int = DEFAULT_JPEG_QUALITY
    change_threshold: float = DEFAULT_CHANGE_THRESHOLD
    keepalive_s: float = DEFAULT_KEEPALIVE_S
    change_detection: bool = True  # False: send every frame the rate allows
    snapshot: EncodeSettings = field(default=SNAPSHOT_SETTINGS)

    def __post_init__(self) -> None:
        validate_fps(self.fps)
        validate_change_threshold(self.change_threshold)
        EncodeSettings(self.max_side, self.jpeg_quality)  # validates
        if self.keepalive_s <= 0:
            raise ConfigError(f"keep-alive interval must be positive, got {self.keepalive_s:g} s")

    @property
    def encode(self) -> EncodeSettings:
        return EncodeSettings(self.max_side, self.jpeg_quality)


@dataclass
class _Examined:
    """What the worker thread made of one frame."""

    thumb: np.ndarray | None  # None: not judged (nobody takes frames now)
    encoded: EncodedFrame | None
    preview: np.ndarray | None


class VideoPipeline:
    """Owns a FrameProducer: starts it in run() and closes it when run() ends."""

    def __init__(
        self,
        producer: FrameProducer,
        settings: VideoSettings,
        sink: VideoSink,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        on_error: ErrorCallback | None = None,
        sink_ready: SinkReady | None = None,
    ) -> None:
        self._producer = producer
        self._settings = settings
        self._sink = sink
        # None: the sink always takes frames. Otherwise, while it says no, frames only make the
        # preview: nothing is encoded for nobody, and the first frame it takes goes out at once.
        self._sink_ready = sink_ready
        self._clock = clock
        self._sleep = sleep
        self._on_error = on_error
        self._limiter = RateLimiter(settings.fps, clock)
        self._detector = ChangeDetector(settings.change_threshold, settings.keepalive_s, clock)
        self._check_interval_s = (
            min(self._limiter.interval_s, CHANGE_POLL_S)
            if settings.change_detection
            else self._limiter.interval_s
        )
        self._wake = asyncio.Event()
        self._paused = False
        self._snapshot_requested = False
        self._last_check_at = float("-inf")
        self._last_seq = -1
        self._last_preview_at = float("-inf")
        self.counters = VideoCounters()
        self.snapshots_sent = 0  # request_snapshot()'s frames handed to the sink
        self._latest_preview: np.ndarray | None = None
        self._preview_read_at = float("-inf")
        self.preview_seq = 0  # bumped each time latest_preview changes
        self.last_sent: EncodedFrame | None = None
        self.error: LiveViewError | None = None
        self._extra_sent = 0  # frames sent by send_extra (tools); see _step
        # The resized frame and the change thumbnail's work buffers, reused frame after frame
        # (_examine runs for one frame at a time).
        self._scratch = Scratch()

    @property
    def settings(self) -> VideoSettings:
        return self._settings

    @property
    def latest_preview(self) -> np.ndarray | None:
        """A small BGR copy of the newest frame looked at, for the UI (None before the first).
        Reading it keeps previews coming (see PREVIEW_READ_RECENTLY_S)."""
        self._preview_read_at = self._clock()
        return self._latest_preview

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def hold(self) -> NoFrameNow | None:
        """Why the source offers no frames now (auto-pause, a minimised window): .badge, .notice.
        Masks and holds are applied by the producer's filters, before any frame reaches here."""
        return self._producer.hold

    def describe(self) -> str:
        return self._producer.describe()

    # --- controls (call on the event loop's thread) -----------------------------------------

    def set_filters(self, filters: Sequence[FrameFilter]) -> None:
        """New capture filters (masks, gates) from the next grab on."""
        self._producer.set_filters(filters)

    def request_snapshot(self) -> None:
        """Send one sharp frame (settings.snapshot) now, bypassing pacing and change detection.
        Works while paused: it is an explicit request."""
        self._snapshot_requested = True
        self._wake.set()

    def send_next_frame(self) -> None:
        """The next regular frame goes out even if nothing changed (a new connection)."""
        self._detector.reset()
        self._wake.set()

    def pause(self) -> None:
        """Stop sending frames (capture keeps running, so resume is instant)."""
        self._paused = True
        self._wake.set()

    def resume(self) -> None:
        """Send again; the first frame after a pause always goes out."""
        self._paused = False
        self.send_next_frame()

    # --- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        """Send frames until cancelled or the source fails (then on_error, and return)."""
        try:
            await self._producer.start()
            while True:
                await self._wait_turn()
                if self._snapshot_requested:
                    self._snapshot_requested = False
                    await self._step(self._settings.snapshot, snapshot=True)
                else:
                    await self._step(self._settings.encode, snapshot=False)
        except LiveViewError as exc:
            self._fail(exc)
        except Exception as exc:  # a task boundary: a bug in a frame must not end the session
            log.exception("video pipeline crashed")
            self._fail(CaptureError(f"Video stopped after an internal error: {exc}"))
        finally:
            await self._producer.close()

    def _fail(self, exc: LiveViewError) -> None:
        log.warning("video stopped: %s", exc)
        self.error = exc
        if self._on_error is not None:
            self._on_error(exc)

    async def _wait_turn(self) -> None:
        while True:
            if self._snapshot_requested:
                return
            self._wake.clear()
            if self._paused:
                await self._wake.wait()
                continue
            due = max(self._limiter.next_allowed_at(), self._last_check_at + self._check_interval_s)
            delay = due - self._clock()
            if delay <= 0:
                return
            await self._sleep_or_wake(delay)

    async def _sleep_or_wake(self, delay: float) -> None:
        if self._sleep is asyncio.sleep:
            # Real time: one timer that sets the wake event (the caller looks at every reason to
            # wake again), rather than a sleeping task and a waiting task per frame.
            timer = asyncio.get_running_loop().call_later(delay, self._wake.set)
            try:
                await self._wake.wait()
            finally:
                timer.cancel()
            return
        sleeper = asyncio.ensure_future(self._sleep(delay))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)

    async def _step(self, encode: EncodeSettings, *, snapshot: bool) -> None:
        live = self._sink_ready is None or self._sink_ready()
        if not live:
            self._detector.reset()  # what the model saw last is unknown: send the next at once
            if not self._preview_due(self._clock()):
                self._last_check_at = self._clock()
                return  # nobody takes frames, nobody looks at the preview: nothing to grab
        # fresh: a screen is grabbed now, for this look (it is not grabbed ahead for nothing).
        frame = await self._producer.next_frame(fresh=True)
        self._last_check_at = self._clock()
        # The same frame as last time shows what the last look showed: nothing new unless a
        # keep-alive is due (or a snapshot/change-detection-off forces a send).
        force = snapshot or not self._settings.change_detection
        if frame.seq == self._last_seq and not force and not self._detector.keepalive_due():
            return
        self._last_seq = frame.seq
        self.counters.captured += 1
        want_preview = self._preview_due(self._clock())
        extra_sent = self._extra_sent
        examined = await asyncio.to_thread(self._examine, frame, encode, force, want_preview, live)
        if examined.preview is not None:
            self._latest_preview = examined.preview
            self.preview_seq += 1
            self._last_preview_at = self._clock()
        if examined.thumb is None:
            return  # not judged: nobody takes frames now
        if examined.encoded is None:
            self.counters.skipped_unchanged += 1
            return
        if extra_sent != self._extra_sent:
            return  # a tool's frame went out meanwhile: this one would replace it in the lane
        if self._producer.hold is not None:
            return  # held while this frame was encoded (auto-pause): it may show what it hides
        self._send(examined.encoded)
        if snapshot:
            self.snapshots_sent += 1
        self._detector.mark_sent(examined.thumb)
        self._limiter.mark()

    def _preview_due(self, now: float) -> bool:
        looked_at = now - self._preview_read_at <= PREVIEW_READ_RECENTLY_S
        due = self._last_preview_at + PREVIEW_INTERVAL_S <= now
        return due and (looked_at or self._latest_preview is None)

    def _examine(
        self, frame: Frame, encode: EncodeSettings, force: bool, want_preview: bool, live: bool
    ) -> _Examined:
        """Worker thread: downscale once, then thumbnail, change decision, encode and preview all
        work on the small image. The detector is only read here while the loop awaits this call,
        so there is no concurrent access. Not `live`: only the preview is made."""
        small = resize_to_max_side(frame.image, encode.max_side, self._scratch)
        thumb = encoded = None
        if live:
            thumb = thumbnail(small, scratch=self._scratch)
            send = force or self._detector.should_send(thumb)
            encoded = encode_resized(small, encode.quality) if send else None
        preview = preview_of(small, PREVIEW_MAX_SIDE_PX) if want_preview else None
        if preview is not None and self._scratch.holds(preview):
            preview = preview.copy()  # kept for the window: not in a buffer the next frame reuses
        return _Examined(thumb, encoded, preview)

    def _send(self, encoded: EncodedFrame) -> None:
        self.counters.encoded += 1
        replaced = self._sink(encoded.data)
        self.counters.sent += 1
        self.counters.bytes_sent += len(encoded.data)
        if replaced:
            self.counters.dropped_backpressure += 1
        self.last_sent = encoded

    # --- frames made by tools (liveview.core.tools) -----------------------------------------

    def latest_frame(self) -> Frame | None:
        """The newest full-resolution frame of the source (None before the first)."""
        return self._producer.latest()

    def send_extra(self, encoded: EncodedFrame) -> bool:
        """Send a frame made outside the regular path (a snapshot or zoom crop for the model)
        now, paused or not. It counts for pacing, so the next regular frame cannot replace it
        in the transport's latest-only lane; `last_sent` and change detection are untouched,
        so the regular frames keep the geometry the model's coordinates refer to.
        True when it replaced an unsent frame."""
        self._extra_sent += 1
        replaced = self._sink(encoded.data)
        self.counters.sent += 1
        self.counters.bytes_sent += len(encoded.data)
        if replaced:
            self.counters.dropped_backpressure += 1
        self._limiter.mark()
        return replaced
