"""One Start..Stop of the window: the controller, the embedded local server and the audio devices.

Qt-free (the widgets subscribe to it). Everything that blocks (starting the local server's
thread, opening audio devices) runs in a worker thread, so the GUI loop never waits on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from liveview.core import events as core
from liveview.core.backend import embedded_local_server, resolve_endpoint
from liveview.core.controller import SessionController
from liveview.core.settings import SessionSettings
from liveview.errors import AudioDeviceError, ConfigError, LiveViewError
from liveview.protocol import events as ev

log = logging.getLogger(__name__)

Listener = Callable[[object], None]
SPEECH_LEVEL_DBFS = -45.0  # a mic chunk this loud counts as the user speaking (reply latency)


@dataclass(frozen=True)
class AudioPlan:
    mic: bool = True
    speaker: bool = True  # spoken replies asked for
    mic_device: str | None = None
    speaker_device: str | None = None
    echo: str = "cancel"


@dataclass(frozen=True)
class AudioState:
    """What audio this session has (for the LIVE indicators and the meter)."""

    mic: bool
    speaker: bool
    note: str = ""


class _PlayerAdapter:
    """The controller's ReplyPlayer protocol over liveview.audio's ReplyPlayer (argument order)."""

    def __init__(self, player: Any) -> None:
        self.player = player

    def push(self, pcm: bytes, sample_rate_hz: int, turn_id: int) -> None:
        try:
            self.player.push(pcm, turn_id, sample_rate_hz)
        except AudioDeviceError as exc:  # a malformed chunk is skipped, the reply goes on
            log.info("reply audio chunk skipped: %s", exc)

    def flush(self) -> float:
        return float(self.player.flush())

    def end_turn(self, turn_id: int) -> None:
        self.player.end_turn(turn_id)


class AudioLink:
    """The audio engine, microphone and player of one session (opened on a worker thread)."""

    def __init__(self) -> None:
        self.engine: Any = None
        self.mic: Any = None
        self.player: _PlayerAdapter | None = None
        self.note = ""

    def open(
        self,
        plan: AudioPlan,
        on_chunk: Callable[[bytes, float], None],
        on_error: Callable[[AudioDeviceError], None] | None = None,
    ) -> AudioState:
        """Blocking. Never raises: whatever fails is said in the returned note (text-only)."""
        if not plan.mic and not plan.speaker:
            return AudioState(False, False)  # text in, text out: no device needed
        try:
            from liveview.audio import AudioEngine, EchoMode, list_audio_devices
        except Exception as exc:  # audio not installed or Qt Multimedia missing
            return AudioState(False, False, f"Audio is unavailable ({exc}); text only.")
        devices = list_audio_devices()
        notes = [devices.problem] if devices.problem else []
        if devices.text_only:
            return AudioState(False, False, devices.problem or "")
        mode = {"half-duplex": EchoMode.HALF_DUPLEX, "off": EchoMode.OFF}.get(
            plan.echo, EchoMode.CANCEL
        )
        try:
            self.engine = AudioEngine(mode, on_error=on_error)
            self.engine.start()
            if self.engine.echo_note:
                notes.append(self.engine.echo_note)
            if plan.speaker and devices.has_output:
                self.player = _PlayerAdapter(self.engine.open_player(plan.speaker_device))
            if plan.mic and devices.has_input:
                self.mic = self.engine.open_microphone(on_chunk, plan.mic_device)
        except (AudioDeviceError, TimeoutError) as exc:
            notes.append(f"{getattr(exc, 'user_message', exc)} The session runs text-only.")
        return AudioState(self.mic is not None, self.player is not None, " ".join(notes))

    def close(self) -> None:
        """Blocking."""
        if self.engine is not None:
            with contextlib.suppress(Exception):
                self.engine.close()
        self.engine = self.mic = self.player = None

    @property
    def level(self) -> float:
        return float(self.mic.level) if self.mic is not None else 0.0

    def set_muted(self, muted: bool) -> None:
        if self.mic is not None:
            self.mic.muted = muted


class LocalServerKeeper:
    """The embedded local server, started once on first need and kept for later sessions."""

    def __init__(self) -> None:
        self._cm: AbstractContextManager[str | None] | None = None
        self.url: str | None = None

    async def url_for(self, settings: SessionSettings) -> str | None:
        if self.url is not None:
            return self.url
        cm = embedded_local_server(settings)
        url = await asyncio.to_thread(cm.__enter__)
        if url is None:
            return None
        self._cm, self.url = cm, url
        return url

    async def aclose(self) -> None:
        cm, self._cm, self.url = self._cm, None, None
        if cm is not None:
            await asyncio.to_thread(cm.__exit__, None, None, None)


class SessionHost:
    """Runs sessions one at a time; listeners see every controller event plus AudioState."""

    def __init__(self) -> None:
        self.controller: SessionController | None = None
        self.audio = AudioLink()
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

    async def run(self, settings: SessionSettings, audio: AudioPlan) -> None:
        """Hold one session until stop() or a fatal error; never raises LiveViewError."""
        if self.controller is not None:
            return
        try:
            controller = await self._build(settings)
        except LiveViewError as exc:
            setting = "api_key" if "key" in exc.user_message.lower() else "backend"
            self._emit(core.StateChanged(core.ConnectionState.ERROR, exc.user_message))
            self._emit(core.SessionFailed(exc, setting if isinstance(exc, ConfigError) else ""))
            return
        self.controller = controller
        controller.subscribe(self._on_controller_event)
        try:
            loop = asyncio.get_running_loop()

            def on_audio_error(exc: AudioDeviceError) -> None:  # audio thread: hop over
                loop.call_soon_threadsafe(self._on_audio_error, exc)

            self.audio_state = await asyncio.to_thread(
                self.audio.open, audio, self._on_mic, on_audio_error
            )
            self.audio.set_muted(self._mic_muted)
            controller.player = self.audio.player
            self._emit(self.audio_state)
            if self.audio_state.note:
                controller.notify(core.Notice(self.audio_state.note, "warning"))
            await controller.run()
        finally:
            self.controller = None
            await asyncio.to_thread(self.audio.close)
            self.audio_state = AudioState(False, False)
            self._emit(self.audio_state)

    async def _build(self, settings: SessionSettings) -> SessionController:
        local_url = await self.local_server.url_for(settings)
        resolved = resolve_endpoint(settings, local_url)
        self.description = resolved.description
        return SessionController(resolved.settings, resolved.endpoint)

    def _on_audio_error(self, exc: AudioDeviceError) -> None:
        """A device died mid-session: say so; the session goes on with what still works."""
        engine = self.audio.engine
        mic = engine is not None and engine.microphone is not None
        speaker = engine is not None and engine.player is not None
        if not mic:
            self.audio.mic = None
        self.audio_state = AudioState(mic, speaker, exc.user_message)
        self._emit(self.audio_state)
        if self.controller is not None:
            self.controller.notify(core.Notice(exc.user_message, "warning"))

    def _on_controller_event(self, event: object) -> None:
        if isinstance(event, ev.TurnComplete) and self.audio.player is not None:
            controller = self.controller
            if controller is not None:
                self.audio.player.end_turn(controller.turn_id - 1)
        self._emit(event)

    def _on_mic(self, pcm: bytes, captured_at: float) -> None:
        """Audio thread: hand off only."""
        controller = self.controller
        mic = self.audio.mic
        if controller is None or mic is None:
            return
        controller.submit_mic_chunk_threadsafe(pcm, captured_at, mic.level_dbfs > SPEECH_LEVEL_DBFS)

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
