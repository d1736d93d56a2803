"""The audio of one session, assembled: the audio thread, the echo path, and the devices on them.

This is the module above the devices: `open_microphone` / `open_player` make a device, hand it the
audio thread and the echo path it shares with the others, open it on the thread and attach it. The
devices know only the thread (thread.py) and the echo path (echo.py); none knows the engine or
each other, so the import graph has no circle.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from liveview.audio.echo import EchoMode, EchoPath, resolve_echo_mode
from liveview.audio.loopback import SystemAudio
from liveview.audio.microphone import ChunkCallback, Microphone
from liveview.audio.player import PLAYBACK_DEVICE_BUFFER_MS, PlaybackCallback, ReplyPlayer
from liveview.audio.thread import AudioThread, Ticker
from liveview.errors import AudioDeviceError

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorCallback = Callable[[AudioDeviceError], None]


class AudioEngine:
    """Starts and stops the audio thread; opens the microphone and the reply player on it.

    Thread-safe: every public method may be called from any thread. `open_*` and `close` block for
    the few milliseconds a device open takes; from asyncio, call them with `asyncio.to_thread`.
    `on_error(exc)` is called on the audio thread when a device broke and was closed.
    """

    def __init__(
        self, echo_mode: EchoMode = EchoMode.CANCEL, on_error: ErrorCallback | None = None
    ) -> None:
        self.echo = EchoPath(echo_mode)
        self.on_error = on_error
        self.thread = AudioThread(on_device_error=self._device_failed)
        self._microphone: Microphone | None = None
        self._player: ReplyPlayer | None = None
        self._system: SystemAudio | None = None

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        """Close the devices and stop the thread. Idempotent."""
        self.thread.close()
        self._microphone = self._player = self._system = None

    def __enter__(self) -> AudioEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self.thread.running

    def post(self, fn: Callable[[], None]) -> None:
        self.thread.post(fn)

    def call(self, fn: Callable[[], T]) -> T:
        return self.thread.call(fn)

    # ---- devices -------------------------------------------------------------------------
    @property
    def microphone(self) -> Microphone | None:
        """The open microphone, or None (never opened, closed, or broken mid-session)."""
        mic = self._microphone
        return mic if mic is not None and self.thread.attached(mic) else None

    @property
    def player(self) -> ReplyPlayer | None:
        player = self._player
        return player if player is not None and self.thread.attached(player) else None

    @property
    def system_audio(self) -> SystemAudio | None:
        system = self._system
        return system if system is not None and self.thread.attached(system) else None

    def open_system_audio(self, on_chunk: ChunkCallback) -> SystemAudio:
        """Listen to what the computer plays (the default output's loopback), 16 kHz chunks."""
        system = SystemAudio(self.thread, self.echo, on_chunk)
        self._open(system, system.open_on_thread)
        self._system = system
        return system

    def open_microphone(
        self,
        on_chunk: ChunkCallback,
        device: str | None = None,
        chunk_ms: int = 20,
        native_format: bool = True,
    ) -> Microphone:
        """Open the microphone (None = the system default) and start capturing.

        `native_format=False` captures in the device's preferred format and resamples with soxr
        (what happens anyway when the device refuses 16 kHz mono Int16).
        """
        mic = Microphone(self.thread, self.echo, on_chunk, device, chunk_ms, native_format)
        self._open(mic, mic.open_on_thread)
        self._microphone = mic
        self.thread.post(self._update_echo_delay)
        return mic

    def open_player(
        self,
        device: str | None = None,
        volume: float = 1.0,
        on_playback: PlaybackCallback | None = None,
        buffer_ms: int | None = None,
    ) -> ReplyPlayer:
        """Open the speaker (None = the system default) for 24 kHz replies."""
        buffer_ms = buffer_ms or PLAYBACK_DEVICE_BUFFER_MS
        player = ReplyPlayer(self.thread, self.echo, device, volume, on_playback, buffer_ms)
        self._open(player, player.open_on_thread)
        self._player = player
        self.thread.post(self._update_echo_delay)
        return player

    def _open(self, device: Ticker, open_on_thread: Callable[[], None]) -> None:
        def open_and_attach() -> None:
            open_on_thread()
            self.thread.attach(device)

        self.thread.call(open_and_attach)

    def _device_failed(self, device: Ticker, exc: AudioDeviceError) -> None:
        """Audio thread: the thread detached and closed `device`; tell the session."""
        if device is self._microphone:
            self.echo.forget()
        if device is self._system:
            self.echo.forget_system()
        if self.on_error is not None:
            self.on_error(exc)

    # ---- echo ----------------------------------------------------------------------------
    @property
    def echo_mode(self) -> EchoMode:
        return self.echo.mode

    @property
    def echo_note(self) -> str | None:
        """Said once to the user when CANCEL had to fall back (no echo canceller here)."""
        return self.echo.note

    def set_echo_mode(self, mode: EchoMode) -> str | None:
        """Switch modes mid-session; returns a note for the user if CANCEL had to fall back."""
        effective, note = resolve_echo_mode(mode)

        def apply() -> None:
            self.echo.set_mode(effective)

        self.thread.post(apply)
        return note

    def _update_echo_delay(self) -> None:
        player, mic = self.player, self.microphone
        out_ms = player.output_latency_ms if player else 0.0
        in_ms = mic.input_latency_ms if mic else 0.0
        self.echo.set_delay(out_ms, in_ms)
