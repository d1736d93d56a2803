"""The one place where a live session is assembled and owned.

    runtime = SessionRuntime(plan, bus=bus, video=video, local_server=keeper)
    await runtime.run()     # until stop() or a fatal error; never raises LiveViewError

It resolves the backend (starting the embedded local server when the local backend needs it),
builds the controller, opens the audio devices, gives liveview's functions the running video,
and routes every event to the bus. Its tasks live in one TaskGroup, and shutdown is in one
order: the controller stops (playback flushed), video stops going to the session, the audio
devices close. The window, headless mode, the self-test and the benches all run sessions here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from liveview.core import events as core
from liveview.core.backend import LocalServerKeeper, resolve_endpoint
from liveview.core.bus import EventBus
from liveview.core.controller import SessionController
from liveview.core.cost import BUDGET_LIMIT_AT, Budget, CostMeter
from liveview.core.history_records import SessionMeta
from liveview.core.history_transcript import HistoryRecorder
from liveview.core.history_writer import HistoryOff, HistorySink
from liveview.core.policy import ReconnectPolicy
from liveview.core.seed import Seed, seed_for_stale_handle
from liveview.core.session_audio import AudioPlan, AudioState, SessionAudio
from liveview.core.settings import SessionSettings
from liveview.core.stats import SessionStats
from liveview.core.tools import ToolBox
from liveview.core.transcript import Transcript
from liveview.core.transcript_feed import feed_transcript
from liveview.core.video_host import VideoHost
from liveview.core.video_pipeline import VideoSettings
from liveview.errors import LiveViewError
from liveview.protocol import events as ev
from liveview.protocol import messages as msg

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionPlan:
    """Everything one session is made from."""

    settings: SessionSettings
    audio: AudioPlan = field(default_factory=lambda: AudioPlan(mic=False, speaker=False))
    video: VideoSettings = field(default_factory=VideoSettings)
    # Earlier turns sent before the first new one: Continue (a stale handle seeds by itself).
    seed: Seed | None = None
    profile: str = ""  # its name, kept with the session in the history
    budget: Budget = field(default_factory=Budget)
    open_timeout_s: float = 10.0
    setup_timeout_s: float = 15.0


class SessionRuntime:
    def __init__(
        self,
        plan: SessionPlan,
        *,
        bus: EventBus,
        video: VideoHost,
        local_server: LocalServerKeeper,
        policy: ReconnectPolicy | None = None,
        history: HistorySink | None = None,
        transcript: Transcript | None = None,
    ) -> None:
        """`transcript`: the conversation the caller shows (the window's panel); without one the
        runtime keeps its own. Either way the history records it and a stale handle seeds
        from it."""
        self.plan = plan
        self.bus = bus
        self.video = video
        self.local_server = local_server
        self.policy = policy
        self.audio = SessionAudio()
        self.controller: SessionController | None = None
        self.toolbox: ToolBox | None = None
        self.description = ""
        self._stop_requested = False
        self._mic_muted = False
        self.history = history or HistoryOff()
        self.transcript = transcript if transcript is not None else Transcript()
        if transcript is None:
            bus.subscribe(lambda event: feed_transcript(self.transcript, event, time.time()))
        self._recorder: HistoryRecorder | None = None
        self.cost = CostMeter(plan.settings.model_info.price, plan.budget)
        self.stats = SessionStats()
        self.was_live = False  # connected at least once (headless prints a summary then)

    @property
    def live(self) -> bool:
        return self.controller is not None and self.controller.state is core.ConnectionState.LIVE

    async def run(self) -> None:
        """Hold one session until stop() or a fatal error; never raises LiveViewError."""
        try:
            controller = await self._build()
        except LiveViewError as exc:
            self.bus.emit(core.StateChanged(core.ConnectionState.ERROR, exc.user_message))
            self.bus.emit(core.SessionFailed(exc))
            return
        self.controller = controller
        self.stats = controller.stats  # kept after the session, for its summary
        self.cost.started_at = time.monotonic()
        recorder = self._recorder = self._record(controller)
        try:
            state = await self.audio.attach(controller, self.plan.audio, self.bus.emit)
            self.set_mic_muted(self._mic_muted)
            self.bus.emit(state)
            self.video.target = controller.submit_video_frame
            self.video.target_ready = lambda: controller.connected
            if not self._stop_requested:
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(controller.run(), name="session")
        finally:
            self.video.target = None
            self.video.target_ready = None
            self.controller = None
            self.toolbox = None
            recorder.finish(
                tokens_used=self.cost.total_tokens or controller.stats.total_tokens or None,
                cost_usd=self.cost.estimated_usd,
            )
            await self.audio.aclose(controller)
            self.bus.emit(AudioState(False, False))

    async def _build(self) -> SessionController:
        settings = self.plan.settings
        settings.setup_config()  # a setting the model does not take: said before connecting
        resolved = resolve_endpoint(settings, await self.local_server.url_for(settings))
        self.description = resolved.description
        self.bus.emit(core.SessionOpening(resolved.description))
        controller = SessionController(
            resolved.settings,
            resolved.endpoint,
            policy=self.policy,
            open_timeout_s=self.plan.open_timeout_s,
            setup_timeout_s=self.plan.setup_timeout_s,
        )
        controller.subscribe(self.bus.emit)
        controller.subscribe(self._on_session_event)
        if settings.functions:
            # liveview's functions answer on this session's video (snapshot, zoom, switch...).
            self.toolbox = ToolBox(
                self.video,
                notify=controller.notify,
                allow_source_switch=settings.allow_source_switch,
                video_settings=self.plan.video,
            )
            self.toolbox.on_user_pause(self.video.paused)
            controller.tool_handler = self.toolbox
        if self.plan.seed is not None and not self.plan.seed.empty:
            controller.send_turns(seed_message(self.plan.seed))  # held until connected
        controller.seed_for_fresh_session = self._seed_from_transcript
        return controller

    def _record(self, controller: SessionController) -> HistoryRecorder:
        """From here on, each finished turn of the transcript is kept (committed as it ends)."""
        meta = SessionMeta(
            started_at=time.time(),
            backend=self.description,
            model=controller.settings.model,
            source=self.video.spec or "none",
            profile=self.plan.profile,
        )
        return HistoryRecorder(self.transcript, self.history, meta, frame=self.video.last_sent_jpeg)

    def _seed_from_transcript(self) -> msg.ClientTurns | None:
        """A stale handle: the conversation of this session so far, for the fresh one."""
        start = self._recorder.start if self._recorder is not None else 0
        entries = self.transcript.entries[start:]
        seed = seed_for_stale_handle(entries, self.plan.settings.model_info)
        return None if seed.empty else seed_message(seed)

    def _on_session_event(self, event: object) -> None:
        if isinstance(event, ev.UsageMetadata):
            self._count_usage(event)
        elif isinstance(event, core.StateChanged) and event.state is core.ConnectionState.LIVE:
            self.was_live = True
            # A new connection has seen nothing: a still screen must not wait for a change or
            # the keep-alive before the model gets its first look.
            self.video.send_next_frame()

    def _count_usage(self, usage: ev.UsageMetadata) -> None:
        for crossing in self.cost.add(usage):
            self.bus.emit(core.Notice(crossing.message, core.NoticeLevel.WARNING))
            if crossing.level >= BUDGET_LIMIT_AT and self.cost.budget.pause_video:
                self.pause_video(True)
        self.bus.emit(core.CostUpdated(self.cost.snapshot(time.monotonic())))

    def pause_video(self, paused: bool) -> None:
        """The user's pause (or the budget's): the model may not resume it or look meanwhile."""
        self.video.pause(paused)
        if self.toolbox is not None:
            self.toolbox.on_user_pause(paused)

    def stop(self) -> None:
        self._stop_requested = True
        if self.controller is not None:
            self.controller.stop()

    def set_mic_muted(self, muted: bool) -> None:
        self._mic_muted = muted
        self.audio.set_muted(muted)
        if self.controller is not None:
            self.controller.set_mic_muted(muted)


def seed_message(seed: Seed) -> msg.ClientTurns:
    """Earlier turns as context: with their roles (the setup said historyConfig), or one plain
    user turn. turnComplete false: the model waits for the new turn."""
    turns = tuple(msg.Turn(role, text) for role, text in seed.turns)
    return msg.ClientTurns(turns, turn_complete=False)
