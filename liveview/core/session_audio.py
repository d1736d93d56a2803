"""The microphone and the speaker around one session, wired to its controller.

Opening devices blocks for a few ms, so it runs in a worker thread. Audio-thread callbacks only
hand off to the loop. With no sound server or no device, the session runs text-only and says so
once; a device that breaks mid-session is reported and the session goes on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from liveview.core import events as core
from liveview.core.controller import SessionController
from liveview.errors import AudioDeviceError

if TYPE_CHECKING:
    from liveview.audio import AudioDevices, AudioEngine, Microphone, ReplyPlayer

log = logging.getLogger(__name__)

# A mic chunk this loud counts as the user speaking (for the reply-latency figure only; the
# service does its own voice detection).
SPEECH_LEVEL_DBFS = -40.0


@dataclass(frozen=True)
class AudioChoice:
    mic: bool = True
    play: bool = True
    mic_device: str | None = None
    speaker_device: str | None = None
    echo: str = "cancel"  # cancel | half-duplex | off


class SessionAudio:
    def __init__(self, controller: SessionController, choice: AudioChoice) -> None:
        self.controller = controller
        self.choice = choice
        self.engine: AudioEngine | None = None
        self.microphone: Microphone | None = None
        self.player: ReplyPlayer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Open what was asked for; never raises: problems become notices."""
        if not (self.choice.mic or self.choice.play):
            return
        self._loop = asyncio.get_running_loop()
        from liveview.audio import ensure_qt_app, list_audio_devices

        # Qt wants its application object made on the main thread (the loop's thread here).
        ensure_qt_app()
        devices = list_audio_devices()
        try:
            await asyncio.to_thread(self._open, devices)
        except AudioDeviceError as exc:
            self._notice(f"{exc.user_message} Continuing without sound.", "warning")
            await self.close()
            return
        self.controller.player = self.player

    def _open(self, devices: AudioDevices) -> None:
        from liveview.audio import AudioEngine, EchoMode

        if devices.problem:
            self._notice_threadsafe(devices.problem, "warning")
        if devices.text_only:
            self._notice_threadsafe("No audio device: running text-only.", "warning")
            return
        mode = {
            "cancel": EchoMode.CANCEL,
            "half-duplex": EchoMode.HALF_DUPLEX,
            "off": EchoMode.OFF,
        }[self.choice.echo]
        loop = self._loop
        assert loop is not None

        def on_error(exc: AudioDeviceError) -> None:  # audio thread: hand off only
            loop.call_soon_threadsafe(self._on_error, exc)

        engine = AudioEngine(mode, on_error=on_error)
        engine.start()
        self.engine = engine
        if engine.echo_note:
            self._notice_threadsafe(engine.echo_note, "warning")
        if self.choice.play and devices.has_output:
            self.player = engine.open_player(self.choice.speaker_device)
        if self.choice.mic and devices.has_input:
            self.microphone = engine.open_microphone(self._on_chunk, self.choice.mic_device)
        elif self.choice.mic:
            self._notice_threadsafe("No microphone found: typed turns only.", "warning")

    def _on_chunk(self, pcm: bytes, captured_at: float) -> None:
        """Audio thread: measure, hand off, return."""
        from liveview.audio.formats import level_dbfs

        speech = level_dbfs(pcm) > SPEECH_LEVEL_DBFS
        self.controller.submit_mic_chunk_threadsafe(pcm, captured_at, speech)

    def _on_error(self, exc: AudioDeviceError) -> None:
        # The engine has already detached the broken device; the rest carries on.
        self._notice(f"{exc.user_message} The session goes on.", "warning")

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
    def mic_level(self) -> float:
        return self.microphone.level if self.microphone is not None else 0.0

    def set_mic_muted(self, muted: bool) -> None:
        if self.microphone is not None:
            self.microphone.muted = muted
        self.controller.set_mic_muted(muted)

    async def close(self) -> None:
        self.controller.player = None
        engine, self.engine = self.engine, None
        if engine is not None:
            await asyncio.to_thread(engine.close)

    def _notice(self, message: str, level: str) -> None:
        self.controller.notify(core.Notice(message, level))

    def _notice_threadsafe(self, message: str, level: str) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._notice, message, level)
