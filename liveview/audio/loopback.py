"""Listening to what the computer plays: the default output's loopback, 16 kHz mono chunks out.

On Linux that is PulseAudio's (or PipeWire's) monitor of the default sink, on Windows the WASAPI
loopback of the default output; macOS has none of its own. All three through `soundcard`, a
library made for exactly this (pure Python over the system's own libraries with cffi, so nothing
to compile and nothing extra in the bundle but its .h files), rather than a second Qt path:
Qt Multimedia hides monitor sources and has no loopback on Windows.

soundcard's recorder blocks, so a reader thread of our own does nothing but copy what it returns
into a bounded queue; the audio thread drains it at its tick, takes the model's own voice out of it
(EchoPath.captured_system: the played reply is the canceller's reference) and hands 20 ms chunks
to `on_chunk(pcm16k, captured_at)`. A watcher notices when the source disappears (the output was
unplugged or unloaded; PulseAudio would quietly move the stream to another source) and the next
tick raises AudioDeviceError, so the session says so and goes on with what is left.
"""

from __future__ import annotations

import collections
import logging
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from liveview.audio.echo import APM_FRAME_MS, EchoPath
from liveview.audio.formats import MIC_RATE_HZ, SILENCE_DBFS, bytes_for_ms, level_dbfs, level_unit
from liveview.audio.thread import AudioThread
from liveview.errors import AudioDeviceError
from liveview.pcm import take_chunks

log = logging.getLogger(__name__)

ChunkCallback = Callable[[bytes, float], None]

SYSTEM_CHUNK_MS = 20  # what the model is sent, like the microphone's chunks
SYSTEM_QUEUE_S = 0.5  # the reader's queue: past this the oldest audio is dropped (counted)
SOURCE_CHECK_S = 1.0  # how often the watcher looks for the source
OPEN_TIMEOUT_S = 5.0
READER_BLOCK_FRAMES = 320  # 20 ms fragments asked of the server
ECHO_FRAME_BYTES = bytes_for_ms(APM_FRAME_MS, MIC_RATE_HZ)  # what the canceller takes at once
NO_LOOPBACK_MACOS = (
    "macOS has no loopback of what the computer plays. Install a loopback device (BlackHole, "
    "Loopback), send the output to it (a Multi-Output Device keeps your speakers), and listen to "
    "it as a microphone with --mic-device. System audio is off; the microphone still works."
)


def _import_soundcard() -> Any:
    """soundcard connects to the sound server on import, naming the client after the program;
    under `python -c CODE` it reads sys.argv[1], which is not there (IndexError). Give it a name."""
    if sys.argv[:1] == ["-c"] and len(sys.argv) < 2:
        sys.argv.append("liveview")
    import soundcard

    return soundcard


def find_loopback(platform: str = sys.platform) -> Any:
    """soundcard's loopback microphone of the default output; AudioDeviceError says why not."""
    if platform == "darwin":
        raise AudioDeviceError(NO_LOOPBACK_MACOS)
    try:
        soundcard = _import_soundcard()
    except Exception as exc:  # no PulseAudio/PipeWire (RuntimeError), or no libpulse (OSError)
        raise AudioDeviceError(
            f"System audio needs a sound server (PulseAudio or PipeWire on Linux) and none "
            f"answered ({exc}). System audio is off; the microphone still works."
        ) from exc
    try:
        speaker = soundcard.default_speaker()
    except Exception as exc:
        raise AudioDeviceError(
            "There is no output to listen to (no default speaker). System audio is off; the "
            "microphone still works."
        ) from exc
    loopbacks = [m for m in soundcard.all_microphones(include_loopback=True) if m.isloopback]
    for loopback in loopbacks:  # PulseAudio names it "<sink>.monitor", WASAPI by the speaker
        if loopback.id in (f"{speaker.id}.monitor", speaker.id):
            return loopback
    raise AudioDeviceError(
        f"The output {speaker.name!r} has no monitor source to listen to. System audio is off; "
        "the microphone still works."
    )


def source_present(source_id: str) -> bool:
    soundcard = _import_soundcard()
    return any(m.id == source_id for m in soundcard.all_microphones(include_loopback=True))


class SystemAudio:
    """Thread-safe handle like the Microphone: `muted`, `level`, `level_dbfs`, close()."""

    def __init__(self, thread: AudioThread, echo: EchoPath, on_chunk: ChunkCallback) -> None:
        self._thread = thread
        self._echo = echo
        self.on_chunk = on_chunk
        self.muted = False
        self.level_dbfs = SILENCE_DBFS  # of the last chunk sent, the model's voice taken out
        self.name = ""
        self.dropped_bytes = 0  # the audio thread fell behind by more than SYSTEM_QUEUE_S
        self._queue: collections.deque[bytes] = collections.deque()
        self._queued = 0
        self._lock = threading.Lock()
        self._raw = bytearray()  # waiting for a whole 10 ms frame of the echo canceller
        self._pending = bytearray()
        self._chunk_bytes = bytes_for_ms(SYSTEM_CHUNK_MS, MIC_RATE_HZ)
        self._stop = threading.Event()
        self._problem: str | None = None  # set by the reader or the watcher, raised by tick()
        self._threads: list[threading.Thread] = []

    @property
    def level(self) -> float:
        return level_unit(self.level_dbfs)

    def close(self) -> None:
        self._thread.call(self.close_on_thread)

    # ---- opening (called through AudioThread.call, but waits on threads of its own) --------
    def open_on_thread(self) -> None:
        source = find_loopback()
        self.name = str(source.name)
        opened = threading.Event()
        reader = threading.Thread(
            target=self._read, args=(source, opened), name="liveview-system-audio", daemon=True
        )
        watcher = threading.Thread(
            target=self._watch, args=(str(source.id),), name="liveview-system-watch", daemon=True
        )
        self._threads = [reader, watcher]
        reader.start()
        if not opened.wait(OPEN_TIMEOUT_S) or self._problem:
            self._stop.set()
            raise AudioDeviceError(
                self._problem or f"System audio ({self.name}) did not start; it is off."
            )
        watcher.start()

    def _read(self, source: Any, opened: threading.Event) -> None:
        """Reader thread: copy what the server delivers into the queue, nothing else."""
        limit = bytes_for_ms(SYSTEM_QUEUE_S * 1000, MIC_RATE_HZ)
        try:
            with source.recorder(MIC_RATE_HZ, channels=1, blocksize=READER_BLOCK_FRAMES) as rec:
                opened.set()
                while not self._stop.is_set():
                    samples = rec.record(numframes=None)
                    pcm = np.clip(samples[:, 0] * 32767.0, -32768, 32767).astype("<i2").tobytes()
                    with self._lock:
                        self._queue.append(pcm)
                        self._queued += len(pcm)
                        while self._queued > limit and len(self._queue) > 1:
                            old = self._queue.popleft()
                            self._queued -= len(old)
                            self.dropped_bytes += len(old)
        except Exception as exc:  # the stream failed (soundcard raises RuntimeError)
            self._problem = f"System audio ({self.name}) stopped: {exc}."
            opened.set()

    def _watch(self, source_id: str) -> None:
        """Watcher thread: the source still exists (listing sources blocks for a few ms)."""
        while not self._stop.wait(SOURCE_CHECK_S):
            try:
                present = source_present(source_id)
            except Exception:  # the server itself went away
                present = False
            if not present:
                self._problem = (
                    f"System audio stopped: {self.name!r} is gone (its output was removed)."
                )
                return

    # ---- audio thread --------------------------------------------------------------------
    def tick(self, now: float) -> None:
        if self._problem is not None:
            raise AudioDeviceError(self._problem)
        with self._lock:
            pieces = list(self._queue)
            self._queue.clear()
            self._queued = 0
        for piece in pieces:
            self._raw.extend(piece)
        whole = len(self._raw) - len(self._raw) % ECHO_FRAME_BYTES
        if whole:
            self._pending.extend(self._echo.captured_system(bytes(self._raw[:whole]), now))
            del self._raw[:whole]
        for chunk, captured_at in take_chunks(self._pending, self._chunk_bytes, now, MIC_RATE_HZ):
            self.level_dbfs = level_dbfs(chunk)
            if not self.muted:
                self.on_chunk(chunk, captured_at)

    def close_on_thread(self) -> None:
        self._stop.set()
        self._thread.detach(self)
        self._echo.forget_system()
        self.level_dbfs = SILENCE_DBFS
        for thread in self._threads:
            thread.join(0.2)  # the reader may sit in a blocking read of a silent source: daemon
