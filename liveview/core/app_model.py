"""What the main window shows and drives, with no widgets: the prefs, the conversation, the
video source, the current session, loop lag. Widgets subscribe to its bus (and to its transcript
and video); tests drive it directly.

Sessions are run one at a time by core/runtime.SessionRuntime; the video source keeps running
between them (the preview shows what would be sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable

from liveview.core import events as core
from liveview.core.backend import LocalServerKeeper
from liveview.core.bus import EventBus
from liveview.core.controller import SessionController
from liveview.core.key_test import try_session
from liveview.core.loop_lag import LoopLagMonitor
from liveview.core.model_list import ModelList, ModelListCache, model_list
from liveview.core.prefs import Prefs
from liveview.core.runtime import SessionPlan, SessionRuntime
from liveview.core.secrets import configured_api_key, store_api_key
from liveview.core.session_audio import AudioPlan, AudioState
from liveview.core.tools import SourceSwitched
from liveview.core.transcript import Transcript
from liveview.core.video_host import VideoHost

FIRST_FRAME_WAIT_S = 3.0
KeyProvider = Callable[[], tuple[str | None, str]]
PrefsSaver = Callable[[Prefs], None]


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
        self._session_task: asyncio.Task[None] | None = None
        self._lag_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[object]] = set()
        self.video.subscribe(self.bus.emit)
        self.bus.subscribe(self._on_event)

    def _on_event(self, event: object) -> None:
        if isinstance(event, AudioState):
            self.audio_state = event
        elif isinstance(event, core.SessionOpening):
            self.description = event.description
        if isinstance(event, core.ToolAnswered):
            answer = json.dumps(event.result, sort_keys=True, ensure_ascii=False)
            self.transcript.record_tool_answer(event.call_id, answer)
            return
        if isinstance(event, SourceSwitched):
            what = f"The model switched the video to {event.description}."
            self.transcript.apply(core.Notice(what), time.time())
            return
        self.transcript.apply(event, time.time())

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

    def session_plan(self) -> SessionPlan:
        settings = self.prefs.session_settings(self.keys()[0])
        audio = AudioPlan(
            mic=self.prefs.mic_enabled,
            speaker=settings.audio_replies,
            mic_device=self.prefs.mic_device or None,
            speaker_device=self.prefs.speaker_device or None,
            echo=self.prefs.echo,
        )
        return SessionPlan(settings, audio=audio, video=self.prefs.video_settings())

    async def _run_session(self) -> None:
        runtime = SessionRuntime(
            self.session_plan(), bus=self.bus, video=self.video, local_server=self.local_server
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
        self.video.pause(paused)
        toolbox = self.runtime.toolbox if self.runtime is not None else None
        if toolbox is not None:
            toolbox.on_user_pause(paused)

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
