"""The audio thread: one thread with a Qt event loop that owns every QAudioSource/QAudioSink.

The session core is plain asyncio (on qasync in the GUI, a plain loop headless), so Qt Multimedia
objects cannot live on the asyncio thread in headless mode. They live here instead. The rest of the
program talks to this thread only through thread-safe calls (`post`, `call`) and callbacks that the
core hops onto its loop with `loop.call_soon_threadsafe`.

A precise timer ticks every AUDIO_TICK_MS: the player tops up the sink from the jitter buffer and
the microphone drains its source. The tick only copies bytes; nothing here waits on the network.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal, Slot

from liveview.audio.devices import ensure_qt_app
from liveview.audio.echo import EchoCanceller, EchoMode, resolve_echo_mode
from liveview.audio.formats import MIC_RATE_HZ, REPLY_RATE_HZ
from liveview.errors import AudioDeviceError

if TYPE_CHECKING:
    from liveview.audio.microphone import ChunkCallback, Microphone
    from liveview.audio.player import PlaybackCallback, ReplyPlayer

log = logging.getLogger(__name__)

AUDIO_TICK_MS = 5  # how often the sink is topped up and the source drained
CALL_TIMEOUT_S = 5.0  # device open/close on the audio thread must answer within this
HALF_DUPLEX_TAIL_S = 0.2  # keep the mic gated this long after the last reply sound (room echo)
AUDIO_THREAD_NICE = -11  # what PulseAudio gives itself; only where the OS allows it

T = TypeVar("T")
ErrorCallback = Callable[[AudioDeviceError], None]


class _Ticking(Protocol):
    def _tick(self, now: float) -> None: ...


class _Dispatcher(QObject):
    """Lives on the audio thread; a queued signal carries callables to it from any thread."""

    invoke = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.invoke.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        fn()


class AudioEngine:
    """Starts and stops the audio thread; opens the microphone and the reply player on it.

    Thread-safe: every public method may be called from any thread. `open_*` and `close` block for
    the few milliseconds a device open takes; from asyncio, call them with `asyncio.to_thread`.
    """

    def __init__(
        self, echo_mode: EchoMode = EchoMode.CANCEL, on_error: ErrorCallback | None = None
    ) -> None:
        self.echo_mode, self.echo_note = resolve_echo_mode(echo_mode)
        self.on_error = on_error
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._loop: QEventLoop | None = None
        self._dispatcher: _Dispatcher | None = None
        self._tickers: list[_Ticking] = []
        self._echo: EchoCanceller | None = None
        self.microphone: Microphone | None = None
        self.player: ReplyPlayer | None = None

    # ---- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        ensure_qt_app()  # on the caller's (main) thread, before the audio thread exists
        self._thread = threading.Thread(target=self._run, name="liveview-audio", daemon=True)
        self._thread.start()
        if not self._ready.wait(CALL_TIMEOUT_S):
            raise AudioDeviceError("The audio thread did not start; audio is unavailable.")

    def close(self) -> None:
        """Close the devices and stop the thread. Idempotent."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self.call(self._shutdown)
        thread.join(CALL_TIMEOUT_S)
        self._thread = None

    def __enter__(self) -> AudioEngine:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        _raise_thread_priority()
        loop = QEventLoop()
        self._loop = loop
        self._dispatcher = _Dispatcher()
        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.timeout.connect(self._tick)
        timer.start(AUDIO_TICK_MS)
        self._ready.set()
        loop.exec()
        timer.stop()
        self._dispatcher = None

    def _shutdown(self) -> None:
        for device in (self.microphone, self.player):
            if device is not None:
                device._close_on_thread()
        self.microphone = self.player = None
        self._tickers.clear()
        assert self._loop is not None
        self._loop.quit()

    # ---- cross-thread calls --------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def on_audio_thread(self) -> bool:
        return threading.current_thread() is self._thread

    def post(self, fn: Callable[[], None]) -> None:
        """Run fn on the audio thread soon; returns at once."""
        dispatcher = self._dispatcher
        if dispatcher is None:
            raise AudioDeviceError("The audio engine is not running.")
        if self.on_audio_thread():
            fn()
        else:
            dispatcher.invoke.emit(fn)

    def call(self, fn: Callable[[], T], timeout_s: float = CALL_TIMEOUT_S) -> T:
        """Run fn on the audio thread and wait for its result (or its exception)."""
        if self.on_audio_thread():
            return fn()
        future: Future[T] = Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

        self.post(run)
        return future.result(timeout_s)

    # ---- devices -------------------------------------------------------------------------
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
        from liveview.audio.microphone import Microphone

        mic = Microphone(self, on_chunk, device, chunk_ms, native_format)
        self.call(mic._open_on_thread)
        self.microphone = mic
        self.call(lambda: self._attach(mic))
        return mic

    def open_player(
        self,
        device: str | None = None,
        volume: float = 1.0,
        on_playback: PlaybackCallback | None = None,
        buffer_ms: int | None = None,
    ) -> ReplyPlayer:
        """Open the speaker (None = the system default) for 24 kHz replies."""
        from liveview.audio.player import PLAYBACK_DEVICE_BUFFER_MS, ReplyPlayer

        buffer_ms = buffer_ms or PLAYBACK_DEVICE_BUFFER_MS
        player = ReplyPlayer(self, device, volume, on_playback, buffer_ms)
        self.call(player._open_on_thread)
        self.player = player
        self.call(lambda: self._attach(player))
        return player

    def _attach(self, device: _Ticking) -> None:
        self._tickers.append(device)
        self._update_echo_delay()

    def _detach(self, device: Any) -> None:
        if device in self._tickers:
            self._tickers.remove(device)
        if device is self.microphone:
            self.microphone = None
        if device is self.player:
            self.player = None

    def _tick(self) -> None:
        now = time.monotonic()
        for device in list(self._tickers):
            try:
                device._tick(now)
            except AudioDeviceError as exc:
                self._report(exc)
                self._detach(device)
                getattr(device, "_close_on_thread", lambda: None)()

    def _report(self, exc: AudioDeviceError) -> None:
        log.warning("audio: %s", exc)
        if self.on_error is not None:
            self.on_error(exc)

    # ---- echo (audio thread only) --------------------------------------------------------
    def set_echo_mode(self, mode: EchoMode) -> str | None:
        """Switch modes mid-session; returns a note for the user if CANCEL had to fall back."""
        effective, note = resolve_echo_mode(mode)

        def apply() -> None:
            self.echo_mode = effective
            self._echo = None  # a fresh canceller re-converges; CANCEL makes one lazily

        self.post(apply)
        self.echo_note = note
        return note

    def _update_echo_delay(self) -> None:
        if self._echo is None:
            return
        out_ms = self.player.output_latency_ms if self.player else 0.0
        in_ms = self.microphone.input_latency_ms if self.microphone else 0.0
        self._echo.set_delay_ms(round(out_ms + in_ms))

    def _canceller(self) -> EchoCanceller:
        if self._echo is None:
            self._echo = EchoCanceller(MIC_RATE_HZ, REPLY_RATE_HZ)
            self._update_echo_delay()
        return self._echo

    def _played(self, pcm24k: bytes) -> None:
        """The player wrote this to the speaker: the reverse stream for echo cancellation."""
        if self.echo_mode is EchoMode.CANCEL and self.microphone is not None:
            self._canceller().feed_reverse(pcm24k)

    def _captured(self, pcm16k: bytes, now: float) -> bytes:
        """Microphone audio on its way to the model: echo removed, or gated in half-duplex."""
        if self.echo_mode is EchoMode.CANCEL:
            return self._canceller().process(pcm16k)
        player = self.player
        speaking = player is not None and now < player.audible_until + HALF_DUPLEX_TAIL_S
        if self.echo_mode is EchoMode.HALF_DUPLEX and speaking:
            # Silence rather than nothing: the server's VAD hears a quiet user, not a dead stream.
            return bytes(len(pcm16k))
        return pcm16k


def _raise_thread_priority() -> None:
    """Best effort: a busy machine should starve the UI before it starves the speaker.

    Linux applies nice values per thread; an unprivileged user may not lower it, which is fine.
    Elsewhere a thread id is no process id (macOS has setpriority too): leave the OS alone.
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "setpriority"):
        return
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), AUDIO_THREAD_NICE)
