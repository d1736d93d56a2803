"""One Start..Stop of the window: the controller, the embedded local server and the audio devices.

Qt-free (the widgets subscribe to it). Everything that blocks (starting the local server's
thread, opening audio devices) runs in a worker thread, so the GUI loop never waits on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager

from liveview.core import events as core
from liveview.core.backend import embedded_local_server, resolve_endpoint
from liveview.core.controller import SessionController, ToolHandler
from liveview.core.session_audio import AudioPlan, AudioState, SessionAudio
from liveview.core.settings import SessionSettings
from liveview.errors import LiveViewError

log = logging.getLogger(__name__)

Listener = Callable[[object], None]


class LocalServerKeeper:
    """The embedded local server, started once on first need and kept for later sessions."""

    def __init__(self) -> None:
        self._cm: AbstractContextManager[str | None] | None = None
        self._starting: asyncio.Future[str | None] | None = None
        self.url: str | None = None

    async def url_for(self, settings: SessionSettings) -> str | None:
        if self.url is not None:
            return self.url
        if self._starting is None:
            # Shielded: a caller that gives up (a closed dialog) must not leave a server
            # running that nobody will stop.
            self._starting = asyncio.ensure_future(self._start(settings))
        return await asyncio.shield(self._starting)

    async def _start(self, settings: SessionSettings) -> str | None:
        cm = embedded_local_server(settings)
        try:
            url = await asyncio.to_thread(cm.__enter__)
        finally:
            self._starting = None
        if url is not None:
            self._cm, self.url = cm, url
        return url

    async def aclose(self) -> None:
        if self._starting is not None:
            await asyncio.wait([self._starting])
        cm, self._cm, self.url = self._cm, None, None
        if cm is not None:
            await asyncio.to_thread(cm.__exit__, None, None, None)


class SessionHost:
    """Runs sessions one at a time; listeners see every controller event plus AudioState."""

    def __init__(self) -> None:
        self.controller: SessionController | None = None
        self.audio = SessionAudio()
        self.audio_state = AudioState(False, False)
        self.local_server = LocalServerKeeper()
        self.description = ""
        self._listeners: list[Listener] = []
        self._mic_muted = False

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _emit(self, event: object) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("session view failed on %s", type(event).__name__)

    @property
    def running(self) -> bool:
        return self.controller is not None

    async def run(
        self,
        settings: SessionSettings,
        audio: AudioPlan,
        tools_for: Callable[[SessionController], ToolHandler | None] | None = None,
    ) -> None:
        """Hold one session until stop() or a fatal error; never raises LiveViewError."""
        if self.controller is not None:
            return
        try:
            controller = await self._build(settings)
        except LiveViewError as exc:
            self._emit(core.StateChanged(core.ConnectionState.ERROR, exc.user_message))
            self._emit(core.SessionFailed(exc))
            return
        self.controller = controller
        if tools_for is not None:
            controller.tool_handler = tools_for(controller)
        controller.subscribe(self._on_controller_event)
        try:
            self.audio_state = await self.audio.attach(controller, audio, self._on_audio_state)
            self.audio.set_muted(self._mic_muted)
            self._emit(self.audio_state)
            await controller.run()
        finally:
            self.controller = None
            await self.audio.aclose(controller)
            self.audio_state = AudioState(False, False)
            self._emit(self.audio_state)

    async def _build(self, settings: SessionSettings) -> SessionController:
        local_url = await self.local_server.url_for(settings)
        resolved = resolve_endpoint(settings, local_url)
        self.description = resolved.description
        return SessionController(resolved.settings, resolved.endpoint)

    def _on_audio_state(self, state: AudioState) -> None:
        """A device died mid-session: show what still works."""
        self.audio_state = state
        self._emit(state)

    def _on_controller_event(self, event: object) -> None:
        self._emit(event)

    def set_mic_muted(self, muted: bool) -> None:
        self._mic_muted = muted
        self.audio.set_muted(muted)
        if self.controller is not None:
            self.controller.set_mic_muted(muted)

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()

    async def aclose(self) -> None:
        self.stop()
        await self.local_server.aclose()
