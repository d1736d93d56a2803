"""The microphone and the speaker of one session, wired to its controller.

Shared by the window and headless mode. Opening devices blocks for a few ms, so it runs in a
worker thread; audio-thread callbacks only hand off to the loop. With no sound server or no
device the session runs text-only and says so once; a device that breaks mid-session is
reported and the session goes on with what still works.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from liveview.audio.echo import EchoMode
from liveview.audio.listen import Listen
from liveview.audio.mix import SystemMix
from liveview.core import events as core
from liveview.core.controller import SessionController
from liveview.errors import AudioDeviceError

log = logging.getLogger(__name__)

# A mic chunk this loud counts as the user speaking (for the reply-latency figure only; the
# service does its own voice detection).
SPEECH_LEVEL_DBFS = -45.0


@dataclass(frozen=True)
class AudioPlan:
    mic: bool = True
    speaker: bool = True  # spoken replies asked for
    mic_device: str | None = None
    speaker_device: str | None = None
    echo: EchoMode | str = EchoMode.CANCEL  # or its --echo spelling: cancel | half-duplex | off

    listen: Listen | str = Listen.MIC  # --listen mic|system|both (what the computer plays)

    @property
    def echo_mode(self) -> EchoMode:
        """`echo` as the enum (a string is parsed; ValueError names the choices)."""
        return self.echo if isinstance(self.echo, EchoMode) else EchoMode.parse(self.echo)

    @property
    def listen_mode(self) -> Listen:
        return self.listen if isinstance(self.listen, Listen) else Listen.parse(self.listen)


@dataclass(frozen=True)
class AudioState:
    """What audio this session has (for the LIVE indicators and the meter)."""

    mic: bool
    speaker: bool
    note: str = ""
    system: bool = False  # what the computer plays is being listened to (--listen system|both)


class SessionAudio:
    """The audio engine, microphone and player of one session."""

    def __init__(self) -> None:
        self.engine: Any = None
        self.mic: Any = None
        self.player: Any = None
        self.system: Any = None  # audio.loopback.SystemAudio when --listen system|both
        self.state = AudioState(False, False)

    async def attach(
        self,
        controller: SessionController,
        plan: AudioPlan,
        on_state: Callable[[AudioState], None] | None = None,
    ) -> AudioState:
        """Open the devices for `controller`'s session; never raises: problems are notices."""
        loop = asyncio.get_running_loop()

        mix = SystemMix() if _listen(plan) is Listen.BOTH else None

        def on_chunk(pcm: bytes, captured_at: float) -> None:  # audio thread: hand off only
            mic = self.mic
            speech = mic is not None and mic.level_dbfs > SPEECH_LEVEL_DBFS
            if mix is not None and self.system is not None:
                pcm = mix.mix(pcm)  # --listen both: the computer's audio rides along
            controller.submit_mic_chunk_threadsafe(pcm, captured_at, speech)

        def on_system_chunk(pcm: bytes, captured_at: float) -> None:  # audio thread too
            if mix is not None and self.mic is not None:
                mix.add(pcm)  # sent with the microphone's next chunk
                return
            system = self.system
            speech = system is not None and system.level_dbfs > SPEECH_LEVEL_DBFS
            controller.submit_mic_chunk_threadsafe(pcm, captured_at, speech)

        def on_error(exc: AudioDeviceError) -> None:  # audio thread: hop over
            loop.call_soon_threadsafe(self._device_failed, controller, exc, on_state)

        if plan.mic or plan.speaker or _listen(plan).wants_system:
            from liveview.audio import ensure_qt_app

            ensure_qt_app()  # Qt wants its application object made on the main thread
        self.state = await asyncio.to_thread(self.open, plan, on_chunk, on_error, on_system_chunk)
        controller.player = self.player
        if self.state.note:
            controller.notify(core.Notice(self.state.note, core.NoticeLevel.WARNING))
        return self.state

    def open(
        self,
        plan: AudioPlan,
        on_chunk: Callable[[bytes, float], None],
        on_error: Callable[[AudioDeviceError], None] | None = None,
        on_system_chunk: Callable[[bytes, float], None] | None = None,
    ) -> AudioState:
        """Blocking. Never raises: whatever fails is said in the returned note (text-only)."""
        listen = _listen(plan)
        if not plan.mic and not plan.speaker and not listen.wants_system:
            return AudioState(False, False)  # text in, text out: no device needed
        try:
            from liveview.audio import AudioEngine, list_audio_devices
        except Exception as exc:  # Qt Multimedia missing from this installation
            return AudioState(False, False, f"Audio is unavailable ({exc}); text only.")
        devices = list_audio_devices()
        notes = [devices.problem] if devices.problem else []
        if devices.text_only:
            return AudioState(False, False, devices.problem or "No audio device: text only.")
        try:
            mode = plan.echo_mode
        except ValueError as exc:  # a stored setting from elsewhere: say so, cancel the echo
            notes.append(f"{exc}; using echo cancellation.")
            mode = EchoMode.CANCEL
        try:
            _ = plan.listen_mode
        except ValueError as exc:  # a stored setting from elsewhere: say so, use the microphone
            notes.append(f"{exc}; listening to the microphone.")
        try:
            self.engine = AudioEngine(mode, on_error=on_error)
            self.engine.start()
            if self.engine.echo_note:
                notes.append(self.engine.echo_note)
            if plan.speaker and devices.has_output:
                self.player = self.engine.open_player(plan.speaker_device)
            if plan.mic and listen.wants_mic and devices.has_input:
                self.mic = self.engine.open_microphone(on_chunk, plan.mic_device)
            elif plan.mic and listen.wants_mic:
                notes.append("No microphone found: typed turns only.")
        except (AudioDeviceError, TimeoutError) as exc:
            notes.append(f"{getattr(exc, 'user_message', exc)} The session runs text-only.")
        if listen.wants_system and self.engine is not None and self.engine.running:
            notes += self._open_system(on_system_chunk or on_chunk)
        return AudioState(
            self.mic is not None, self.player is not None, " ".join(notes), self.system is not None
        )

    def _open_system(self, on_chunk: Callable[[bytes, float], None]) -> list[str]:
        """--listen system|both: the default output's loopback; a failure is a note only."""
        try:
            self.system = self.engine.open_system_audio(on_chunk)
        except (AudioDeviceError, TimeoutError) as exc:
            return [str(getattr(exc, "user_message", exc))]
        return []

    def _device_failed(
        self,
        controller: SessionController,
        exc: AudioDeviceError,
        on_state: Callable[[AudioState], None] | None,
    ) -> None:
        """A device died mid-session (the engine detached it): say so; carry on."""
        engine = self.engine
        mic = engine is not None and engine.microphone is not None
        speaker = engine is not None and engine.player is not None
        system = engine is not None and engine.system_audio is not None
        if not mic:
            self.mic = None
        if not system:
            self.system = None
        self.state = AudioState(mic, speaker, exc.user_message, system)
        controller.notify(
            core.Notice(f"{exc.user_message} The session goes on.", core.NoticeLevel.WARNING)
        )
        if on_state is not None:
            on_state(self.state)

    async def wait_played(self, timeout_s: float = 60.0) -> None:
        """Let the reply finish sounding before the process ends (headless runs)."""
        player = self.player
        if player is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        await asyncio.sleep(0.2)  # the last chunk may still be on its way to the device
        while (player.is_playing or player.buffered_ms > 0) and loop.time() < deadline:
            await asyncio.sleep(0.05)

    @property
    def level(self) -> float:
        return float(self.mic.level) if self.mic is not None else 0.0

    @property
    def system_level(self) -> float:
        """0..1 for a second meter: what the computer plays, liveview's own voice taken out."""
        return float(self.system.level) if self.system is not None else 0.0

    @property
    def levels(self) -> tuple[float, float]:
        """(microphone, system audio), for --listen both."""
        return self.level, self.system_level

    def set_muted(self, muted: bool) -> None:
        """Muting stops everything being listened to: the microphone and system audio."""
        for source in (self.mic, self.system):
            if source is not None:
                source.muted = muted

    def close(self) -> None:
        """Blocking."""
        if self.engine is not None:
            with contextlib.suppress(Exception):
                self.engine.close()
        self.engine = self.mic = self.player = self.system = None
        self.state = AudioState(False, False)

    async def aclose(self, controller: SessionController | None = None) -> None:
        if controller is not None:
            controller.player = None
        await asyncio.to_thread(self.close)


def _listen(plan: AudioPlan) -> Listen:
    """The plan's --listen; a bad stored value falls back to the microphone (said once, by open)."""
    try:
        return plan.listen_mode
    except ValueError:
        return Listen.MIC
