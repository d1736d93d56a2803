"""The audio thread: one thread with a Qt event loop that owns every QAudioSource/QAudioSink.

The session core is plain asyncio (on qasync in the GUI, a plain loop headless), so Qt Multimedia
objects cannot live on the asyncio thread in headless mode. They live here instead. The rest of the
program talks to this thread only through thread-safe calls (`post`, `call`) and callbacks that the
core hops onto its loop with `loop.call_soon_threadsafe`.

A precise timer ticks every AUDIO_TICK_MS: each attached device (a `Ticker`: the player tops up
its sink, the microphone drains its source) gets `tick(now)`. A tick only copies bytes; nothing
here waits on the network. A device whose tick raises AudioDeviceError is detached, closed and
reported; the others go on. This module knows no device: it is the leaf the devices stand on.
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
from typing import Protocol, TypeVar

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal, Slot

from liveview.audio.devices import ensure_qt_app
from liveview.errors import AudioDeviceError

log = logging.getLogger(__name__)

AUDIO_TICK_MS = 5  # how often sinks are topped up and sources drained
CALL_TIMEOUT_S = 5.0  # device open/close on the audio thread must answer within this
AUDIO_THREAD_NICE = -11  # what PulseAudio gives itself; only where the OS allows it

T = TypeVar("T")


class Ticker(Protocol):
    """A device on the audio thread. Both methods run on the audio thread only."""

    def tick(self, now: float) -> None:
        """Move bytes; raise AudioDeviceError if the device broke."""

    def close_on_thread(self) -> None:
        """Release the device (after a failed tick, or at shutdown)."""


DeviceErrorCallback = Callable[[Ticker, AudioDeviceError], None]


class _Dispatcher(QObject):
    """Lives on the audio thread; a queued signal carries callables to it from any thread."""

    invoke = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.invoke.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        fn()


class AudioThread:
    """Thread-safe: every public method may be called from any thread.

    `on_device_error(ticker, exc)` is called on the audio thread after a device was detached.
    """

    def __init__(self, on_device_error: DeviceErrorCallback | None = None) -> None:
        self.on_device_error = on_device_error
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._loop: QEventLoop | None = None
        self._dispatcher: _Dispatcher | None = None
        self._tickers: list[Ticker] = []

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
        """Close every attached device and stop the thread. Idempotent."""
        thread = self._thread
        if thread is None or not thread.is_alive():
            return
        self.call(self._shutdown)
        thread.join(CALL_TIMEOUT_S)
        self._thread = None

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
        for ticker in list(self._tickers):
            ticker.close_on_thread()
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

    # ---- tickers (audio thread) ----------------------------------------------------------
    def attach(self, ticker: Ticker) -> None:
        """Tick `ticker` from now on (call on the audio thread, or through `call`)."""
        if ticker not in self._tickers:
            self._tickers.append(ticker)

    def detach(self, ticker: Ticker) -> None:
        """Stop ticking `ticker`; it stays open (the device closes itself)."""
        if ticker in self._tickers:
            self._tickers.remove(ticker)

    def attached(self, ticker: Ticker) -> bool:
        return ticker in self._tickers

    def _tick(self) -> None:
        now = time.monotonic()
        for ticker in list(self._tickers):
            try:
                ticker.tick(now)
            except AudioDeviceError as exc:
                log.warning("audio: %s", exc)
                self.detach(ticker)
                ticker.close_on_thread()
                if self.on_device_error is not None:
                    self.on_device_error(ticker, exc)


def _raise_thread_priority() -> None:
    """Best effort: a busy machine should starve the UI before it starves the speaker.

    Linux applies nice values per thread; an unprivileged user may not lower it, which is fine.
    Elsewhere a thread id is no process id (macOS has setpriority too): leave the OS alone.
    """
    if not sys.platform.startswith("linux") or not hasattr(os, "setpriority"):
        return
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), AUDIO_THREAD_NICE)
