"""What the main window shows and drives, with no widgets: prefs, the conversation, the video
source, the session, loop lag. The window subscribes to it; tests can drive it directly."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

from liveview.core import events as core
from liveview.core.controller import SessionController
from liveview.core.loop_lag import LoopLagMonitor
from liveview.core.model_list import ModelList, ModelListCache, model_list
from liveview.core.secrets import configured_api_key, store_api_key
from liveview.core.session_audio import AudioPlan
from liveview.core.tools import SourceSwitched, ToolBox
from liveview.core.transcript import Transcript
from liveview.ui.key_test import try_session
from liveview.ui.prefs import Prefs, save_prefs
from liveview.ui.session_host import SessionHost
from liveview.ui.video_host import VideoHost

FIRST_FRAME_WAIT_S = 3.0
KeyProvider = Callable[[], tuple[str | None, str]]


@dataclass
class WindowModel:
    prefs: Prefs
    store: QSettings
    keys: KeyProvider = configured_api_key
    transcript: Transcript = field(default_factory=Transcript)
    video: VideoHost = field(default_factory=VideoHost)
    session: SessionHost = field(default_factory=SessionHost)
    lag: LoopLagMonitor = field(default_factory=LoopLagMonitor)
    model_cache: ModelListCache = field(default_factory=ModelListCache)
    session_task: asyncio.Task[None] | None = None
    toolbox: ToolBox | None = None  # the model's functions, for the running session
    _lag_task: asyncio.Task[None] | None = None
    _tasks: set[asyncio.Task[object]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.session.subscribe(self._on_event)

    def _on_event(self, event: object) -> None:
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
        return self.session_task is not None and not self.session_task.done()

    def start_session(self) -> asyncio.Task[None]:
        if self.session_task is None or self.session_task.done():
            self.session_task = asyncio.ensure_future(self._run_session())
        return self.session_task

    async def _run_session(self) -> None:
        key, _ = self.keys()
        settings = self.prefs.session_settings(key)
        plan = AudioPlan(
            mic=self.prefs.mic_enabled,
            speaker=settings.audio_replies,
            mic_device=self.prefs.mic_device or None,
            speaker_device=self.prefs.speaker_device or None,
            echo=self.prefs.echo,
        )
        session = self.session

        def sink(jpeg: bytes) -> bool:
            controller = session.controller
            return controller.submit_video_frame(jpeg) if controller is not None else False

        self.video.target = sink
        try:
            await session.run(settings, plan, self._tools_for)
        finally:
            self.video.target = None
            self.toolbox = None

    def _tools_for(self, controller: SessionController) -> ToolBox | None:
        """liveview's functions answer on the window's own video (when they are on)."""
        if not self.prefs.functions:
            return None
        self.toolbox = ToolBox(
            self.video,
            notify=controller.notify,
            allow_source_switch=self.prefs.allow_source_switch,
            video_settings=self.prefs.video_settings(),
        )
        self.toolbox.on_user_pause(self.video.paused)
        return self.toolbox

    def set_user_paused(self, paused: bool) -> None:
        """The user's pause: the model may not resume it or look while it holds."""
        self.video.pause(paused)
        if self.toolbox is not None:
            self.toolbox.on_user_pause(paused)

    async def undo_switch(self, event: SourceSwitched) -> None:
        """Put back the source the model switched away from."""
        await self.video.select(event.previous, event.previous_region, self.prefs.video_settings())

    def stop_session(self) -> None:
        self.session.stop()

    def send_text(self, text: str) -> None:
        """A typed turn; starts a session first when none is running (the turn waits for it)."""
        if not self.running:
            self.start_session()
            self.spawn(self._send_when_ready(text), "send-when-ready")
            return
        controller = self.session.controller
        if controller is not None:
            controller.send_text(text)
        else:
            self.spawn(self._send_when_ready(text), "send-when-ready")

    async def _send_when_ready(self, text: str) -> None:
        """The turn that started the session waits for the connection and, with video on, for
        the first frame (up to FIRST_FRAME_WAIT_S): "what do you see?" needs a picture."""
        deadline: float | None = None
        while self.running:
            controller = self.session.controller
            if controller is not None and controller.connected:
                if not self.video.running or controller.stats.frames_sent.rate(time.monotonic()):
                    break
                deadline = deadline or time.monotonic() + FIRST_FRAME_WAIT_S
                if time.monotonic() > deadline:
                    break
            await asyncio.sleep(0.02)
        if self.session.controller is not None:
            self.session.controller.send_text(text)

    # -- prefs and key ---------------------------------------------------------------------

    def update_prefs(self, prefs: Prefs) -> None:
        self.prefs = prefs
        if self.toolbox is not None:  # read live: forbidding switches needs no new session
            self.toolbox.allow_source_switch = prefs.allow_source_switch
        save_prefs(self.store, prefs)

    def update_key(self, key: str | None) -> None:
        """None: unchanged. Raises ConfigError when no keychain can hold it."""
        if key is not None:
            store_api_key(key or None)

    async def test_key(self, prefs: Prefs, key: str | None) -> tuple[bool, str]:
        key = key or self.keys()[0]
        settings = prefs.session_settings(key)
        local_url = await self.session.local_server.url_for(settings)
        return await try_session(settings, local_url)

    async def live_models(self, prefs: Prefs, key: str | None = None) -> ModelList:
        """The backend's live models (models.list, or the local server's list), cached."""
        settings = prefs.session_settings(key or self.keys()[0])
        local_url = await self.session.local_server.url_for(settings)
        return await asyncio.to_thread(model_list, settings, local_url, self.model_cache)

    # -- lifetime --------------------------------------------------------------------------

    def start_background(self) -> None:
        if self._lag_task is None:
            self._lag_task = asyncio.ensure_future(self.lag.run())

    async def aclose(self) -> None:
        self.stop_session()
        if self.session_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                try:
                    await asyncio.wait_for(self.session_task, 5.0)
                except TimeoutError:
                    self.session_task.cancel()
        if self._lag_task is not None:
            self._lag_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._lag_task
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.video.aclose()
        await self.session.aclose()
