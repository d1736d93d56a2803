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
    echo: str = "cancel"  # cancel | half-duplex | off


@dataclass(frozen=True)
class AudioState:
    """What audio this session has (for the LIVE indicators and the meter)."""

    mic: bool
    speaker: bool
    note: str = ""


class SessionAudio:
    """The audio engine, microphone and player of one session."""

    def __init__(self) -> None:
        self.engine: Any = None
        self.mic: Any = None
        self.player: Any = None
        self.state = AudioState(False, False)

    async def attach(
        self,
        controller: SessionController,
        plan: AudioPlan,
        on_state: Callable[[AudioState], None] | None = None,
    ) -> AudioState:
        """Open the devices for `controller`'s session; never raises: problems are notices."""
        loop = asyncio.get_running_loop()

        def on_chunk(pcm: bytes, captured_at: float) -> None:  # audio thread: hand off only
            mic = self.mic
            speech = mic is not None and mic.level_dbfs > SPEECH_LEVEL_DBFS
            controller.submit_mic_chunk_threadsafe(pcm, captured_at, speech)

        def on_error(exc: AudioDeviceError) -> None:  # audio thread: hop over
            loop.call_soon_threadsafe(self._device_failed, controller, exc, on_state)

        if plan.mic or plan.speaker:
            from liveview.audio import ensure_qt_app

            ensure_qt_app()  # Qt wants its application object made on the main thread
        self.state = await asyncio.to_thread(self.open, plan, on_chunk, on_error)
        controller.player = self.player
        if self.state.note:
            controller.notify(core.Notice(self.state.note, core.NoticeLevel.WARNING))
        return self.state

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
        except Exception as exc:  # Qt Multimedia missing from this installation
            return AudioState(False, False, f"Audio is unavailable ({exc}); text only.")
        devices = list_audio_devices()
        notes = [devices.problem] if devices.problem else []
        if devices.text_only:
            return AudioState(False, False, devices.problem or "No audio device: text only.")
        mode = {"half-duplex": EchoMode.HALF_DUPLEX, "off": EchoMode.OFF}.get(
            plan.echo, EchoMode.CANCEL
        )
        try:
            self.engine = AudioEngine(mode, on_error=on_error)
            self.engine.start()
            if self.engine.echo_note:
                notes.append(self.engine.echo_note)
            if plan.speaker and devices.has_output:
                self.player = self.engine.open_player(plan.speaker_device)
            if plan.mic and devices.has_input:
                self.mic = self.engine.open_microphone(on_chunk, plan.mic_device)
            elif plan.mic:
                notes.append("No microphone found: typed turns only.")
        except (AudioDeviceError, TimeoutError) as exc:
            notes.append(f"{getattr(exc, 'user_message', exc)} The session runs text-only.")
        return AudioState(self.mic is not None, self.player is not None, " ".join(notes))

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
        if not mic:
            self.mic = None
        self.state = AudioState(mic, speaker, exc.user_message)
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

    def set_muted(self, muted: bool) -> None:
        if self.mic is not None:
            self.mic.muted = muted

    def close(self) -> None:
        """Blocking."""
        if self.engine is not None:
            with contextlib.suppress(Exception):
                self.engine.close()
        self.engine = self.mic = self.player = None
        self.state = AudioState(False, False)

    async def aclose(self, controller: SessionController | None = None) -> None:
        if controller is not None:
            controller.player = None
        await asyncio.to_thread(self.close)
