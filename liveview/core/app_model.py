"""What the main window shows and drives, with no widgets: the prefs, the conversation, the
video source, the current session, loop lag. Widgets subscribe to its bus (and to its transcript
and video); tests drive it directly.

Sessions are run one at a time by core/runtime.SessionRuntime; the video source keeps running
between them (the preview shows what would be sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from liveview.audio.listen import Listen
from liveview.core import events as core
from liveview.core.backend import LocalServerKeeper
from liveview.core.bus import EventBus
from liveview.core.controller import SessionController
from liveview.core.history_limits import HistoryPolicy
from liveview.core.history_records import StoredSession
from liveview.core.history_transcript import entry_from_turn
from liveview.core.history_writer import HistoryOff, HistoryProblem, HistorySink, open_history
from liveview.core.key_test import try_session
from liveview.core.loop_lag import LoopLagMonitor
from liveview.core.model_list import ModelList, ModelListCache, model_list
from liveview.core.prefs import Prefs
from liveview.core.profiles import (
    BUILTIN_PROFILES,
    Profile,
    ProfileSet,
    apply_profile,
    load_profiles,
)
from liveview.core.runtime import SessionPlan, SessionRuntime
from liveview.core.secrets import configured_api_key, store_api_key
from liveview.core.seed import Seed, seed_for_session
from liveview.core.session_audio import AudioPlan, AudioState
from liveview.core.settings import without_unavailable
from liveview.core.tools import SourceSwitched
from liveview.core.transcript import Transcript
from liveview.core.transcript_feed import feed_transcript
from liveview.core.video_host import VideoHost

FIRST_FRAME_WAIT_S = 3.0
CONNECT_WAIT_S = 15.0  # a quick question waits this long for a session to connect
SNAPSHOT_WAIT_S = 2.0  # and this long for its snapshot to be encoded (2048 px, a thread)
KeyProvider = Callable[[], tuple[str | None, str]]
PrefsSaver = Callable[[Prefs], None]


@dataclass(frozen=True)
class ProfilesChanged:
    """The profiles were (re)read: the box and Settings list these; `problems` name the
    broken files with their line."""

    profiles: ProfileSet


class AppModel:
    def __init__(
        self,
        prefs: Prefs,
        save_prefs: PrefsSaver,
        *,
        keys: KeyProvider = configured_api_key,
        model_cache: ModelListCache | None = None,
    ) -> None:
        self.prefs = prefs
        self._save_prefs = save_prefs
        self.keys = keys
        self.bus = EventBus()
        self.transcript = Transcript()
        self.video = VideoHost()
        self.local_server = LocalServerKeeper()
        self.lag = LoopLagMonitor()
        self.model_cache = model_cache or ModelListCache()
        self.runtime: SessionRuntime | None = None
        self.audio_state = AudioState(False, False)
        self.description = ""
        self.mic_muted = False
        self.history: HistorySink = HistoryOff()
        self.profiles = ProfileSet(BUILTIN_PROFILES, ())
        self.profiles_folder: Path | None = None  # None: the platform's config folder
        self._next_seed: Seed | None = None  # Continue: the earlier conversation, once
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session_task: asyncio.Task[None] | None = None
        self._lag_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self.video.subscribe(self.bus.emit)
        self.video.on_hold = self.bus.emit
        self.bus.subscribe(self._on_event)

    def _on_event(self, event: object) -> None:
        if isinstance(event, AudioState):
            self.audio_state = event
        elif isinstance(event, core.SessionOpening):
            self.description = event.description
        feed_transcript(self.transcript, event, time.time())

    def spawn(self, work: Awaitable[object], name: str) -> asyncio.Task[object]:
        """An owned task: kept until done, cancelled by aclose()."""
        task = asyncio.ensure_future(work)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- session ---------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._session_task is not None and not self._session_task.done()

    @property
    def controller(self) -> SessionController | None:
        return self.runtime.controller if self.runtime is not None else None

    def start_session(self) -> asyncio.Task[None]:
        if self._session_task is None or self._session_task.done():
            self._session_task = asyncio.ensure_future(self._run_session())
        return self._session_task

    async def continue_session(self, session: StoredSession) -> None:
        """Show a kept conversation in the panel and start a new session that knows it (its
        turns seeded before the first new one). A running session ends first."""
        if self.running:
            self.stop_session()
            await self.wait_session_ended()
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(session.meta.started_at))
        self.transcript.apply(core.Notice(f"Continuing the conversation of {when}."), time.time())
        for turn in session.turns:
            self.transcript.add_entry(entry_from_turn(turn.record))
        model_info = self.prefs.session_settings(self.keys()[0]).model_info
        self._next_seed = seed_for_session(session, model_info)
        self.start_session()

    async def wait_session_ended(self, timeout_s: float = 5.0) -> None:
        if self._session_task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._session_task), timeout_s)

    @property
    def profile(self) -> Profile | None:
        """The chosen profile (None: none chosen, or its file is gone)."""
        return self.profiles.get(self.prefs.profile) if self.prefs.profile else None

    async def reload_profiles(self) -> ProfileSet:
        """Read the built-ins and the user's files (a thread); broken files are named."""
        self.profiles = await asyncio.to_thread(load_profiles, self.profiles_folder)
        self.bus.emit(ProfilesChanged(self.profiles))
        return self.profiles

    def set_profile(self, name: str) -> None:
        """Switch profiles: the next session is made with it (and the history keeps its name)."""
        if name != self.prefs.profile:
            self.update_prefs(replace(self.prefs, profile=name))

    def session_plan(self) -> SessionPlan:
        settings = self.prefs.session_settings(self.keys()[0])
        try:
            listen = Listen.parse(self.prefs.listen)
        except ValueError:  # a hand-edited settings file: the microphone, as by default
            listen = Listen.MIC
        video = self.prefs.video_settings()
        profile = self.profile
        if profile is not None:
            applied = apply_profile(profile, settings, video)
            # The source is the one the window shows (switching applied the profile's own);
            # a model the profile names may not take every setting: left out, as in Settings.
            settings = without_unavailable(
                replace(applied.settings, video_enabled=settings.video_enabled)
            )
            video = applied.video
            for note in applied.notes:
                self.bus.emit(core.Notice(note, core.NoticeLevel.WARNING))
        audio = AudioPlan(
            mic=self.prefs.mic_enabled and listen.wants_mic,
            speaker=settings.audio_replies,
            mic_device=self.prefs.mic_device or None,
            speaker_device=self.prefs.speaker_device or None,
            echo=self.prefs.echo,
            listen=listen,
        )
        seed, self._next_seed = self._next_seed, None
        return SessionPlan(
            settings,
            audio=audio,
            video=video,
            seed=seed,
            profile=profile.name if profile is not None else "",
            budget=self.prefs.budget_limit(),
        )

    async def _run_session(self) -> None:
        runtime = SessionRuntime(
            self.session_plan(),
            bus=self.bus,
            video=self.video,
            local_server=self.local_server,
            history=self.history,
            transcript=self.transcript,
        )
        self.runtime = runtime
        runtime.set_mic_muted(self.mic_muted)
        try:
            await runtime.run()
        finally:
            self.runtime = None

    def stop_session(self) -> None:
        if self.runtime is not None:
            self.runtime.stop()

    def runtime_level(self) -> float:
        """The microphone's level now (0..1), for the meter."""
        return self.runtime.audio.level if self.runtime is not None else 0.0

    def set_mic_muted(self, muted: bool) -> None:
        self.mic_muted = muted
        if self.runtime is not None:
            self.runtime.set_mic_muted(muted)

    def set_user_paused(self, paused: bool) -> None:
        """The user's pause: the model may not resume it or look while it holds."""
        if self.runtime is not None:
            self.runtime.pause_video(paused)
        else:
            self.video.pause(paused)

    async def undo_switch(self, event: SourceSwitched) -> None:
        """Put back the source the model switched away from."""
        await self.video.select(event.previous, event.previous_region, self.prefs.video_settings())

    def push_to_talk(self, pressed: bool) -> None:
        if self.runtime is not None and self.runtime.controller is not None:
            self.runtime.controller.push_to_talk(pressed)

    def send_text(self, text: str) -> None:
        """A typed turn; starts a session first when none is running (the turn waits for it)."""
        runtime = self.runtime
        if runtime is not None and runtime.controller is not None and runtime.live:
            runtime.controller.send_text(text)
            return
        if not self.running:
            self.start_session()
        self.spawn(self._send_when_ready(text), "send-when-ready")

    async def ask_with_snapshot(self, text: str) -> None:
        """The overlay's question: a sharp snapshot of the current source goes out first (the
        model reads it with the question), then the text. Starts a session when none runs."""
        if not self.running:
            self.start_session()
        deadline = time.monotonic() + CONNECT_WAIT_S
        while self.running and time.monotonic() < deadline:
            runtime = self.runtime
            if runtime is not None and runtime.controller is not None and runtime.live:
                break
            await asyncio.sleep(0.02)
        pipeline = self.video.pipeline
        if pipeline is not None and self.runtime is not None and self.runtime.live:
            sent = pipeline.snapshots_sent
            if self.video.snapshot():
                # realtimeInput.video then clientContent: wait until the snapshot is handed
                # to the video lane, so the text cannot overtake it.
                # (typed turns go before a waiting frame in the lanes: wait until it left).
                until = time.monotonic() + SNAPSHOT_WAIT_S
                while time.monotonic() < until and (
                    pipeline.snapshots_sent == sent or self._video_waiting()
                ):
                    await asyncio.sleep(0.01)
        self.send_text(text)

    def _video_waiting(self) -> bool:
        controller = self.controller
        return controller is not None and controller.uplink.video_waiting

    async def _send_when_ready(self, text: str) -> None:
        """The turn that started the session waits for the connection and, with video on, for
        the first frame (up to FIRST_FRAME_WAIT_S): "what do you see?" needs a picture."""
        deadline: float | None = None
        while self.running:
            runtime = self.runtime
            controller = runtime.controller if runtime is not None else None
            if controller is not None and controller.connected:
                if not self.video.running or controller.stats.frames_sent.rate(time.monotonic()):
                    break
                deadline = deadline or time.monotonic() + FIRST_FRAME_WAIT_S
                if time.monotonic() > deadline:
                    break
            await asyncio.sleep(0.02)
        runtime = self.runtime
        if runtime is not None and runtime.controller is not None:
            runtime.controller.send_text(text)

    # -- prefs and key ---------------------------------------------------------------------

    def update_prefs(self, prefs: Prefs) -> None:
        self.prefs = prefs
        toolbox = self.runtime.toolbox if self.runtime is not None else None
        if toolbox is not None:  # read live: forbidding switches needs no new session
            toolbox.allow_source_switch = prefs.allow_source_switch
        if self.runtime is not None:  # and the budget, for the session that is running
            self.runtime.cost.budget = prefs.budget_limit()
        self._save_prefs(prefs)

    def update_key(self, key: str | None) -> None:
        """None: unchanged. Raises ConfigError when no keychain can hold it."""
        if key is not None:
            store_api_key(key or None)

    async def test_key(self, prefs: Prefs, key: str | None) -> tuple[bool, str]:
        key = key or self.keys()[0]
        settings = prefs.session_settings(key)
        local_url = await self.local_server.url_for(settings)
        return await try_session(settings, local_url)

    async def live_models(self, prefs: Prefs, key: str | None = None) -> ModelList:
        """The backend's live models (models.list, or the local server's list), cached."""
        settings = prefs.session_settings(key or self.keys()[0])
        local_url = await self.local_server.url_for(settings)
        return await asyncio.to_thread(model_list, settings, local_url, self.model_cache)

    # -- lifetime --------------------------------------------------------------------------

    def open_history(self, policy: HistoryPolicy) -> None:
        """Keep every session from now on (a writer thread); problems are said in the panel."""
        self._loop = asyncio.get_running_loop()
        self.history = open_history(policy, on_problem=self._history_problem)

    def _history_problem(self, problem: HistoryProblem) -> None:
        """From the writer's thread: said once, on the loop; the session goes on."""
        notice = core.Notice(problem.message, core.NoticeLevel.WARNING)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.bus.emit, notice)

    def start_background(self) -> None:
        if self._lag_task is None:
            self._lag_task = asyncio.ensure_future(self.lag.run())

    async def aclose(self) -> None:
        self.stop_session()
        if self._session_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                try:
                    await asyncio.wait_for(self._session_task, 5.0)
                except TimeoutError:
                    self._session_task.cancel()
        if self._lag_task is not None:
            self._lag_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lag_task
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.video.aclose()
        await self.local_server.aclose()
        await asyncio.to_thread(self.history.close)  # every finished turn is on disk
