"""The chosen video source, running whether or not a session is live: the window's, headless
mode's, and what liveview's functions (core/tools.py) switch, pause and crop.

The preview shows what would be sent from the moment a source is picked; frames go to the session
only while one is connected (`target`). Qt-free: the window polls `pipeline.latest_preview`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from liveview.capture.base import FrameFilter, FrameSource, NoFrameNow
from liveview.capture.runner import FrameProducer
from liveview.capture.spec import open_source, parse_source_spec
from liveview.core.video_pipeline import VideoPipeline, VideoSettings, VideoSink
from liveview.errors import LiveViewError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VideoChanged:
    """The source changed (kind "none" when there is no video) or stopped with `error`."""

    kind: str
    description: str
    error: str = ""


@dataclass(frozen=True)
class VideoHeld:
    """No frame may be sent now (`badge`: "paused: KeePassXC", `notice`: a sentence), or, with
    badge "", frames flow again. From the capture filters (auto-pause, the self-mask)."""

    badge: str
    notice: str = ""


VideoListener = Callable[[VideoChanged], None]
FiltersFactory = Callable[[], Sequence[FrameFilter]]


def _no_filters() -> Sequence[FrameFilter]:
    return ()


def source_kind(spec: str | None) -> str:
    if not spec:
        return "none"
    try:
        return parse_source_spec(spec).kind
    except LiveViewError:
        return "none"


class VideoHost:
    """Owns at most one VideoPipeline task; `select` replaces it, `aclose` cancels it."""

    def __init__(self) -> None:
        self.pipeline: VideoPipeline | None = None
        self.kind = "none"
        self.spec: str | None = None
        self.region: str | None = None
        self.target: VideoSink | None = None  # the session's sink, while one is connected
        # Whether the target takes frames now (a connection is up); None: whenever it is set.
        # Frames are not encoded for a session that would drop them (connecting, reconnecting).
        self.target_ready: Callable[[], bool] | None = None
        self._task: asyncio.Task[None] | None = None
        self._listeners: list[VideoListener] = []
        # What every frame goes through on the capture thread before it may be encoded (the
        # auto-pause gate, privacy masks, the self-mask): asked anew for each source.
        self.filters: FiltersFactory = _no_filters
        self.on_hold: Callable[[VideoHeld], None] | None = None
        self._lock = asyncio.Lock()

    def subscribe(self, listener: VideoListener) -> None:
        self._listeners.append(listener)

    def _emit(self, event: VideoChanged) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("video listener failed")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def sending(self) -> bool:
        """Frames are going to a session (for the LIVE indicators)."""
        return self.running and self.target is not None and not self.paused

    @property
    def paused(self) -> bool:
        return self.pipeline is not None and self.pipeline.paused

    async def select(self, spec: str | None, region: str | None, settings: VideoSettings) -> None:
        """Switch to `spec` ("none"/None: no video). Raises ConfigError for a bad source;
        the previous source is stopped either way."""
        async with self._lock:
            await self._stop_current()
            self.spec, self.region = spec, region
            if not spec or spec == "none":
                self._emit(VideoChanged("none", "no video"))
                return
            # open_source probes the display or the camera: a thread, never the GUI loop.
            source = await asyncio.to_thread(open_source, spec, region=region or None)
            if source is None:
                self._emit(VideoChanged("none", "no video"))
                return
            self._start(source, source_kind(spec), settings)

    async def use(
        self, source: FrameSource, spec: str, settings: VideoSettings, region: str | None = None
    ) -> None:
        """Show an already opened `source` as `spec` (the previous source is stopped)."""
        async with self._lock:
            await self._stop_current()
            self.spec, self.region = spec, region
            self._start(source, source_kind(spec), settings)

    def _start(self, source: FrameSource, kind: str, settings: VideoSettings) -> None:
        self.kind = kind
        producer = FrameProducer(source, filters=self.filters(), on_hold=self._on_held)
        pipeline = VideoPipeline(
            producer, settings, self._sink, on_error=self._on_error, sink_ready=self._sink_ready
        )
        self.pipeline = pipeline
        self._task = asyncio.create_task(pipeline.run(), name=f"video-{kind}")
        self._emit(VideoChanged(kind, pipeline.describe()))

    def _sink_ready(self) -> bool:
        ready = self.target_ready
        return self.target is not None and (ready is None or ready())

    def _sink(self, jpeg: bytes) -> bool:
        target = self.target
        return target(jpeg) if target is not None else False

    def refilter(self) -> None:
        """The filters changed (a setting): the running source uses the new ones from its next
        grab."""
        if self.pipeline is not None:
            self.pipeline.set_filters(self.filters())

    def _on_held(self, held: NoFrameNow | None) -> None:
        if self.on_hold is not None:
            self.on_hold(VideoHeld(held.badge, held.notice) if held is not None else VideoHeld(""))

    def _on_error(self, exc: LiveViewError) -> None:
        self._emit(VideoChanged("none", "video stopped", exc.user_message))

    def pause(self, paused: bool) -> None:
        if self.pipeline is None:
            return
        if paused:
            self.pipeline.pause()
        else:
            self.pipeline.resume()

    def last_sent_jpeg(self) -> bytes | None:
        """The newest frame the model was sent (a reference: cheap), for the history."""
        sent = self.pipeline.last_sent if self.pipeline is not None else None
        return sent.data if sent is not None else None

    def send_next_frame(self) -> None:
        """The next regular frame goes out whether or not the picture changed."""
        if self.pipeline is not None:
            self.pipeline.send_next_frame()

    def snapshot(self) -> bool:
        if self.pipeline is None or not self.running:
            return False
        self.pipeline.request_snapshot()
        return True

    async def _stop_current(self) -> None:
        task, self._task = self._task, None
        self.pipeline = None
        self.kind = "none"
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, LiveViewError):
                await task

    async def aclose(self) -> None:
        async with self._lock:
            await self._stop_current()
