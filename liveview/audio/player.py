"""The reply player: a pure jitter buffer drained into a QAudioSink (24 kHz mono Int16, push mode).

The sink is fed every tick and never idles: with reply audio as far as its ring takes it, and with
silence only to keep a few ms in the ring (PLAYBACK_RING_LOW_MS) when there is no reply. So a reply
that arrives queues behind those few ms, not behind a ring full of silence, and starts to sound as
soon as the pre-roll policy lets it (at once, until an underrun teaches it otherwise). While a reply
waits for its next chunk the audio already in the ring plays on. The ring is kept small so that
flush() has little to throw away, and flush() also resets the sink, which drops what the sound
server holds. The heard-accounting follows the ring's real fill, so it stays exact either way.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QIODevice
from PySide6.QtMultimedia import QAudioDevice, QAudioFormat, QAudioSink, QtAudio

from liveview.audio.backlog import DeviceBacklog
from liveview.audio.devices import find_device
from liveview.audio.echo import EchoPath
from liveview.audio.formats import (
    REPLY_RATE_HZ,
    StreamResampler,
    bytes_for_ms,
    check_pcm16,
    check_rate,
    ms_for_bytes,
)
from liveview.audio.jitter import JitterBuffer, PlaybackEvent, ReadResult
from liveview.audio.thread import AudioThread
from liveview.errors import AudioDeviceError

log = logging.getLogger(__name__)

PlaybackCallback = Callable[[PlaybackEvent], None]

# The sink's stream buffer (PulseAudio's tlength under Qt 6.11): small, so there is little to
# drop on barge-in. It fills up only while a reply plays; idle, it holds PLAYBACK_RING_LOW_MS.
PLAYBACK_DEVICE_BUFFER_MS = 50
# From leaving that buffer to being heard (the sink's own latency and transport). Measured on
# PulseAudio 16 with `liveview bench audio`: the value at which its heard_ms_error centres on 0
# when the buffer's fill is the DeviceBacklog estimate.
SERVER_LATENCY_MS = 31.0
SERVER_BYTES = bytes_for_ms(SERVER_LATENCY_MS, REPLY_RATE_HZ)
# A sink that takes nothing for this long is gone (PulseAudio unloading a sink kills the stream
# without Qt reporting an error state).
DEVICE_STALL_S = 1.5
_BROKEN = (QtAudio.Error.OpenError, QtAudio.Error.IOError, QtAudio.Error.FatalError)


class ReplyPlayer:
    """Thread-safe handle: push/end_turn/flush/heard_ms/volume from any thread.

    `on_playback(event)` is called on the audio thread when a turn starts or ends; `event.at` is
    when that sound is expected to reach the speaker (write time plus the output latency).
    """

    def __init__(
        self,
        thread: AudioThread,
        echo: EchoPath,
        device: str | None,
        volume: float,
        on_playback: PlaybackCallback | None,
        buffer_ms: int,
    ) -> None:
        self._thread = thread
        self._echo = echo
        self.device_name = device
        self.on_playback = on_playback
        self.buffer_ms = buffer_ms
        self.rate_hz = REPLY_RATE_HZ
        self._volume = volume
        self._lock = threading.Lock()  # guards the jitter buffer, resamplers and the snapshot
        self._jitter = JitterBuffer(REPLY_RATE_HZ)
        self._resamplers: dict[tuple[int, int], StreamResampler] = {}
        self._sink: QAudioSink | None = None
        self._io: QIODevice | None = None
        self._device: QAudioDevice | None = None
        self._queued_bytes = 0  # device-side backlog at the last tick (Qt's ring + server)
        self._queued_at = 0.0
        self.audible_until = 0.0  # monotonic time the last reply sound written will have played
        self.device_resets = 0
        self._last_progress = 0.0  # when the sink last took audio (stall watchdog)
        self._ring_expected = 0  # the ring's fill right after the last write
        self._backlog = DeviceBacklog(REPLY_RATE_HZ)  # what the server really still holds

    # ---- public, any thread --------------------------------------------------------------
    def push(self, pcm: bytes, turn_id: int, rate: int = REPLY_RATE_HZ) -> None:
        """Queue reply audio (16-bit mono PCM at `rate`) for `turn_id`. Never blocks on the device.

        Raises AudioDeviceError for a rate or a length that is not 16-bit PCM: skip that chunk.
        """
        check_rate(rate)
        check_pcm16(pcm)
        with self._lock:
            if rate != REPLY_RATE_HZ:
                key = (turn_id, rate)
                if key not in self._resamplers:
                    self._resamplers = {key: StreamResampler(rate, REPLY_RATE_HZ)}
                pcm = self._resamplers[key].process_bytes(pcm)
            self._jitter.push(pcm, turn_id)
            waiting = self._jitter.wants_audio
        if waiting:
            # Nothing is playing, or the reply ran dry: feed the device now, not at the next tick.
            self._thread.post(self._feed_now)

    def end_turn(self, turn_id: int) -> None:
        """turnComplete / generationComplete: play the tail without waiting for more."""
        with self._lock:
            for key in [k for k in self._resamplers if k[0] == turn_id]:
                # The resampler holds back its filter delay (~10 ms) until told the stream ended.
                self._jitter.push(self._resamplers.pop(key).process_bytes(b"", last=True), turn_id)
            self._jitter.end_turn(turn_id)

    def flush(self) -> float:
        """serverContent.interrupted (or a local stop): silence now, everything queued dropped.

        Returns how many ms of the cut-off turn were actually heard (0.0 if none was playing).
        """
        with self._lock:
            queued = self._device_queued_now(time.monotonic())
            cut = self._jitter.current_turn
            event = self._jitter.flush(queued)
            heard = self._jitter.heard_ms(cut) if cut is not None else 0.0
            self._resamplers.clear()
            self.audible_until = 0.0
        callback = self.on_playback
        if event is not None and callback is not None:
            ended = event  # on the audio thread like every other playback event, after the reset

            def reset_then_report() -> None:
                self._reset_device()
                callback(ended)

            self._thread.post(reset_then_report)
        else:
            self._thread.post(self._reset_device)
        return heard

    def heard_ms(self, turn_id: int) -> float:
        """How much of `turn_id` has come out of the speaker so far (ms)."""
        with self._lock:
            return self._jitter.heard_ms(turn_id, self._device_queued_now(time.monotonic()))

    def allow_turn(self, turn_id: int) -> None:
        """Accept audio again for a turn id that flush() discarded (only if ids are reused)."""
        with self._lock:
            self._jitter.forget_flush(turn_id)

    @property
    def is_playing(self) -> bool:
        """A reply is queued, playing, or still sounding from the device buffer."""
        with self._lock:
            return self._jitter.is_playing or time.monotonic() < self.audible_until

    @property
    def underruns(self) -> int:
        return self._jitter.underruns

    @property
    def preroll_ms(self) -> float:
        """What the next reply will wait before it sounds (the adaptive pre-roll, ms)."""
        return self._jitter.preroll_ms

    @property
    def buffered_ms(self) -> float:
        with self._lock:
            return self._jitter.buffered_ms

    @property
    def output_latency_ms(self) -> float:
        """From writing a sample to hearing it while a reply plays (ring full) plus the server's."""
        return self.buffer_ms + SERVER_LATENCY_MS

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = min(1.0, max(0.0, value))
        self._thread.post(self._apply_volume)

    def close(self) -> None:
        self._thread.call(self.close_on_thread)

    # ---- audio thread --------------------------------------------------------------------
    def _device_queued_now(self, now: float) -> int:
        drained = bytes_for_ms((now - self._queued_at) * 1000.0, REPLY_RATE_HZ)
        return max(0, self._queued_bytes - drained)

    def open_on_thread(self) -> None:
        self._device = find_device(self.device_name, output=True)
        fmt = QAudioFormat()
        fmt.setSampleRate(REPLY_RATE_HZ)
        fmt.setChannelCount(1)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not self._device.isFormatSupported(fmt):
            raise AudioDeviceError(
                f"The speaker {self._device.description()!r} cannot play 24 kHz mono 16-bit audio. "
                "Choose another output device (--speaker-device)."
            )
        sink = QAudioSink(self._device, fmt)
        sink.setBufferSize(bytes_for_ms(self.buffer_ms, REPLY_RATE_HZ))
        self._sink = sink
        self._apply_volume()
        self._start_sink()

    def _start_sink(self) -> None:
        assert self._sink is not None and self._device is not None
        io = self._sink.start()
        if io is None or self._sink.error() in _BROKEN:
            raise AudioDeviceError(
                f"The speaker {self._device.description()!r} could not be opened "
                f"({self._sink.error().name}). Is it in use or unplugged?"
            )
        self._io = io
        self._last_progress = time.monotonic()
        self._ring_expected = 0

    def _apply_volume(self) -> None:
        if self._sink is not None:
            self._sink.setVolume(self._volume)

    def _reset_device(self) -> None:
        """Drop what Qt and the sound server hold (reset() flushes the server-side stream)."""
        if self._sink is None:
            return
        self._sink.reset()
        self._backlog.reset()

        self._start_sink()
        self.device_resets += 1
        self.tick(time.monotonic())  # refill with silence at once so the device keeps running

    def close_on_thread(self) -> None:
        if self._sink is not None:
            self._sink.stop()
        self._sink = self._io = None
        self._thread.detach(self)

    def tick(self, now: float) -> None:
        sink, io = self._sink, self._io
        if sink is None or io is None:
            return
        free = sink.bytesFree()
        free -= free % 2
        ring = sink.bufferSize() - free
        self._check_device(sink, ring, now)
        held = self._backlog.update(ring, now)
        result = self._read(free, held, now)
        written = len(result.pcm) if result else 0
        self._ring_expected = ring + written
        if written and result is not None:
            taken = io.write(result.pcm)
            if taken != written:
                log.warning("audio: the speaker took %d of %d bytes", taken, written)
            self._backlog.wrote(written)
        self._echo.played(result.pcm if result else b"", self.audible_until)
        if result is not None and self.on_playback is not None:
            # What this write starts with is heard once the ring and the server have played out.
            ahead_s = ms_for_bytes(held + SERVER_BYTES, REPLY_RATE_HZ) / 1000.0
            for event in result.events:
                self.on_playback(replace(event, at=event.at + ahead_s))

    def _read(self, free: int, held: int, now: float) -> ReadResult | None:
        """The jitter buffer's next bytes for a sink with `free` room that holds `held`."""
        with self._lock:
            result = self._jitter.read(free, held) if free > 0 else None
            written = len(result.pcm) if result else 0
            self._queued_bytes = held + written + SERVER_BYTES
            self._queued_at = now
            if result is not None and result.audio_bytes:
                self.audible_until = now + ms_for_bytes(self._queued_bytes, REPLY_RATE_HZ) / 1e3
        return result

    def _feed_now(self) -> None:
        with contextlib.suppress(AudioDeviceError):  # the next regular tick reports it
            self.tick(time.monotonic())

    def _check_device(self, sink: QAudioSink, ring: int, now: float) -> None:
        """Raise AudioDeviceError for a sink that broke, or that stopped consuming its ring."""
        name = self._device.description() if self._device else "speaker"
        if sink.error() in _BROKEN:
            raise AudioDeviceError(
                f"The speaker {name!r} stopped working ({sink.error().name}); it may have been "
                "unplugged. Replies continue as text; choose another output to hear them."
            )
        if ring < self._ring_expected or ring == 0:
            self._last_progress = now  # the ring went down since the last write: it plays
        elif now - self._last_progress > DEVICE_STALL_S:
            raise AudioDeviceError(
                f"The speaker {name!r} stopped taking audio; it may have been removed. "
                "Replies continue as text; choose another output to hear them."
            )

    @property
    def queued_ms(self) -> float:
        """Device-side backlog estimate (ms) right now."""
        with self._lock:
            return ms_for_bytes(self._device_queued_now(time.monotonic()), REPLY_RATE_HZ)
