"""The microphone: a QAudioSource on the audio thread, 16 kHz mono Int16 chunks out.

The device is asked for 16 kHz mono Int16 first; if it refuses, it is captured in its own
preferred format and converted (channels averaged, soxr resampling) to 16 kHz mono. Each chunk
is handed to `on_chunk(pcm16k, captured_at_monotonic)` on the audio thread: the callback must only
hand it off (`loop.call_soon_threadsafe`), never wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QIODevice
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSource, QtAudio

from liveview.audio.devices import find_device
from liveview.audio.echo import EchoPath
from liveview.audio.formats import (
    MIC_RATE_HZ,
    SILENCE_DBFS,
    StreamResampler,
    bytes_for_ms,
    level_dbfs,
    level_unit,
    to_mono_int16,
)
from liveview.audio.thread import AudioThread
from liveview.errors import AudioDeviceError
from liveview.pcm import take_chunks

ChunkCallback = Callable[[bytes, float], None]

MIC_CHUNK_MS_RANGE = (20, 40)  # realtimeInput.audio: send 20-40 ms chunks, never ~1 s
MIC_DEVICE_BUFFER_MS = 20  # asks the sound server for small capture fragments
_SAMPLE_FORMATS = {
    QAudioFormat.SampleFormat.Int16: "int16",
    QAudioFormat.SampleFormat.Int32: "int32",
    QAudioFormat.SampleFormat.Float: "float",
    QAudioFormat.SampleFormat.UInt8: "uint8",
}
MIC_STALL_S = 2.0  # no audio at all for this long: the device is gone (no Qt error is raised)
_BROKEN = (QtAudio.Error.OpenError, QtAudio.Error.IOError, QtAudio.Error.FatalError)


def _wanted_format() -> QAudioFormat:
    fmt = QAudioFormat()
    fmt.setSampleRate(MIC_RATE_HZ)
    fmt.setChannelCount(1)
    fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
    return fmt


class Microphone:
    """Thread-safe handle. `muted`, `level_dbfs` and `level` are plain attributes, safe to read
    and (for `muted`) set from any thread; start/stop/close post to the audio thread at once."""

    def __init__(
        self,
        thread: AudioThread,
        echo: EchoPath,
        on_chunk: ChunkCallback,
        device: str | None,
        chunk_ms: int,
        native_format: bool,
    ) -> None:
        low, high = MIC_CHUNK_MS_RANGE
        if not low <= chunk_ms <= high or chunk_ms % 10:
            raise AudioDeviceError(
                f"Microphone chunks must be 20, 30 or 40 ms (got {chunk_ms} ms)."
            )
        self._thread = thread
        self._echo = echo
        self.on_chunk = on_chunk
        self.device_name = device
        self.chunk_ms = chunk_ms
        self.rate_hz = MIC_RATE_HZ
        self.muted = False  # muted: no chunks at all (the core sends audioStreamEnd)
        self.level_dbfs = SILENCE_DBFS  # of the last chunk, after echo cancellation
        self.chunks_sent = 0
        self.format_note = ""  # what the device delivers, for diagnostics
        self._native_format = native_format
        self._source: QAudioSource | None = None
        self._io: QIODevice | None = None
        self._device: QAudioDevice | None = None
        self._sample_format = "int16"
        self._channels = 1
        self._resampler: StreamResampler | None = None
        self._pending = bytearray()
        self._chunk_bytes = bytes_for_ms(chunk_ms, MIC_RATE_HZ)
        self._last_data = 0.0  # when the source last delivered (stall watchdog)

    # ---- public, any thread --------------------------------------------------------------
    @property
    def level(self) -> float:
        """0..1 for a meter (-60 dBFS and below is 0)."""
        return level_unit(self.level_dbfs)

    @property
    def active(self) -> bool:
        return self._source is not None

    @property
    def input_latency_ms(self) -> float:
        """Capture-to-processing delay estimate (device fragment plus half a tick)."""
        return MIC_DEVICE_BUFFER_MS + 2.5

    def start(self) -> None:
        """Resume capturing (after stop()); instant for the caller."""
        self._thread.post(self._start_on_thread)

    def stop(self) -> None:
        """Stop capturing and release the device stream; instant for the caller."""
        self._thread.post(self._stop_on_thread)

    def close(self) -> None:
        self._thread.call(self.close_on_thread)

    # ---- audio thread --------------------------------------------------------------------
    def open_on_thread(self) -> None:
        self._device = find_device(self.device_name, output=False)
        self._start_on_thread()

    def _choose_format(self, device: QAudioDevice) -> QAudioFormat:
        wanted = _wanted_format()
        if self._native_format and device.isFormatSupported(wanted):
            self.format_note = "16000 Hz mono Int16 from the device"
            return wanted
        fmt = device.preferredFormat()
        name = _SAMPLE_FORMATS.get(fmt.sampleFormat())
        if name is None or fmt.sampleRate() <= 0 or fmt.channelCount() <= 0:
            raise AudioDeviceError(
                f"The microphone {device.description()!r} offers no format liveview can read. "
                "Choose another microphone (--mic-device)."
            )
        self.format_note = (
            f"{fmt.sampleRate()} Hz, {fmt.channelCount()} ch, {name}; resampled to 16000 Hz mono"
        )
        return fmt

    def _start_on_thread(self) -> None:
        if self._source is not None or self._device is None:
            return
        fmt = self._choose_format(self._device)
        self._sample_format = _SAMPLE_FORMATS[fmt.sampleFormat()]
        self._channels = fmt.channelCount()
        converted = fmt.sampleRate() != MIC_RATE_HZ or self._channels != 1
        self._resampler = StreamResampler(fmt.sampleRate(), MIC_RATE_HZ) if converted else None
        source = QAudioSource(self._device, fmt)
        source.setBufferSize(fmt.bytesForDuration(MIC_DEVICE_BUFFER_MS * 1000))
        io = source.start()
        if io is None or source.error() in _BROKEN:
            raise AudioDeviceError(
                f"The microphone {self._device.description()!r} could not be opened "
                f"({source.error().name}). Is it in use or unplugged?"
            )
        self._source, self._io = source, io
        self._pending.clear()
        self._last_data = time.monotonic()

    def _stop_on_thread(self) -> None:
        if self._source is not None:
            self._source.stop()
        self._source = self._io = None
        self._pending.clear()
        self.level_dbfs = SILENCE_DBFS

    def close_on_thread(self) -> None:
        self._stop_on_thread()
        self._device = None
        self._thread.detach(self)
        self._echo.forget()

    def tick(self, now: float) -> None:
        if self._source is None or self._io is None:
            return
        if self._source.error() in _BROKEN:
            name = self._device.description() if self._device else "microphone"
            raise AudioDeviceError(
                f"The microphone {name!r} stopped working ({self._source.error().name}); "
                "it may have been unplugged. Choose another one to keep talking."
            )
        raw = self._io.readAll().data()
        if not raw:
            if now - self._last_data > MIC_STALL_S:
                name = self._device.description() if self._device else "microphone"
                raise AudioDeviceError(
                    f"The microphone {name!r} stopped delivering audio; it may have been "
                    "removed. Choose another one to keep talking."
                )
            return
        self._last_data = now
        self._pending.extend(self._echo.captured(self._convert(bytes(raw)), now))
        self._emit_chunks(now)

    def _convert(self, raw: bytes) -> bytes:
        if self._resampler is None and self._sample_format == "int16":
            return raw
        mono = to_mono_int16(raw, self._sample_format, self._channels)
        if self._resampler is not None:
            mono = self._resampler.process(mono)
        return mono.astype("<i2").tobytes()

    def _emit_chunks(self, now: float) -> None:
        for chunk, captured_at in take_chunks(self._pending, self._chunk_bytes, now, MIC_RATE_HZ):
            self.level_dbfs = level_dbfs(chunk)
            if self.muted:
                continue
            self.chunks_sent += 1
            self.on_chunk(chunk, captured_at)
