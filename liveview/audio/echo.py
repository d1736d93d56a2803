"""Echo cancellation: WebRTC's audio processing module (as shipped in `livekit`), or fallbacks.

Speakers leak the model's voice into the microphone and the model would interrupt itself. The APM
is fed every 10 ms of what the speaker actually plays (the reverse stream, taken as it is written
to the device) and removes it from the microphone (the forward stream). Both streams are fed from
the one audio thread, so nothing here locks.

`EchoPath` is what the devices share: the player tells it what it `played`, the microphone passes
what it `captured` through it. It knows neither device, so neither knows the other.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

from liveview.audio.formats import MIC_RATE_HZ, REPLY_RATE_HZ, SAMPLE_BYTES

log = logging.getLogger(__name__)

APM_FRAME_MS = 10  # the APM takes exactly 10 ms frames
HALF_DUPLEX_TAIL_S = 0.2  # keep the mic gated this long after the last reply sound (room echo)
DEFAULT_ECHO_DELAY_MS = 60  # until the devices say better: a typical output + input latency
LOOPBACK_CAPTURE_MS = 20  # a monitor source delivers in fragments of about this
HALF_DUPLEX_NOTE = (
    "the microphone is muted while the model speaks, so interrupt it with push-to-talk"
)


class EchoMode(Enum):
    CANCEL = "cancel"  # default: WebRTC echo cancellation, noise suppression, high-pass
    HALF_DUPLEX = "half-duplex"  # mic gated while a reply plays (barge-in needs push-to-talk)
    OFF = "off"  # headphones: mic passes untouched

    @classmethod
    def parse(cls, text: str) -> EchoMode:
        """`--echo cancel|half-duplex|off` (the underscore spelling too)."""
        try:
            return cls(text.strip().lower().replace("_", "-"))
        except ValueError:
            choices = ", ".join(mode.value for mode in cls)
            raise ValueError(f"unknown echo mode {text!r} (choose {choices})") from None


_warned = False


def _load_apm_class() -> Any:
    from livekit import rtc  # heavy (loads the FFI library); only when cancellation is wanted

    return rtc


def resolve_echo_mode(requested: EchoMode) -> tuple[EchoMode, str | None]:
    """The mode that can actually run, and a note to show the user once if it had to change."""
    global _warned
    if requested is not EchoMode.CANCEL:
        return requested, None
    try:
        _load_apm_class()
    except Exception as exc:  # ImportError, or the FFI library failing to load
        note = f"Echo cancellation is unavailable ({exc}); using half-duplex: {HALF_DUPLEX_NOTE}."
        if not _warned:
            log.warning("%s", note)
            _warned = True
        return EchoMode.HALF_DUPLEX, note
    return EchoMode.CANCEL, None


class _Framer:
    """Cuts an arbitrary byte stream into exact frames, keeping the remainder."""

    def __init__(self, frame_bytes: int) -> None:
        self.frame_bytes = frame_bytes
        self._pending = bytearray()

    def frames(self, pcm: bytes) -> list[bytes]:
        self._pending.extend(pcm)
        count = len(self._pending) // self.frame_bytes
        cut = count * self.frame_bytes
        size = self.frame_bytes
        out = [bytes(self._pending[i : i + size]) for i in range(0, cut, size)]
        del self._pending[:cut]
        return out


class EchoCanceller:
    """WebRTC APM around 10 ms frames. Call from the audio thread only."""

    def __init__(
        self,
        mic_rate_hz: int = MIC_RATE_HZ,
        reverse_rate_hz: int = REPLY_RATE_HZ,
        noise_suppression: bool = True,
        high_pass_filter: bool = True,
    ) -> None:
        rtc = _load_apm_class()
        self._rtc = rtc
        self._apm = rtc.AudioProcessingModule(
            echo_cancellation=True,
            noise_suppression=noise_suppression,
            high_pass_filter=high_pass_filter,
        )
        self.mic_rate_hz = mic_rate_hz
        self.reverse_rate_hz = reverse_rate_hz
        self._mic_frame = mic_rate_hz * APM_FRAME_MS // 1000
        self._rev_frame = reverse_rate_hz * APM_FRAME_MS // 1000
        self._mic = _Framer(self._mic_frame * SAMPLE_BYTES)
        self._rev = _Framer(self._rev_frame * SAMPLE_BYTES)
        self.delay_ms = 0
        self.set_delay_ms(60)

    def set_delay_ms(self, delay_ms: int) -> None:
        """Render-to-analysis plus capture-to-processing delay; AEC3 refines it by itself."""
        self.delay_ms = max(0, int(delay_ms))
        self._apm.set_stream_delay_ms(self.delay_ms)

    def feed_reverse(self, pcm: bytes) -> None:
        """Everything written to the speaker, silence included, as it is written."""
        for frame in self._rev.frames(pcm):
            self._apm.process_reverse_stream(
                self._rtc.AudioFrame(bytearray(frame), self.reverse_rate_hz, 1, self._rev_frame)
            )

    def process(self, pcm: bytes) -> bytes:
        """Microphone audio in, echo removed; whole 10 ms frames out (the rest waits)."""
        out = bytearray()
        for frame in self._mic.frames(pcm):
            audio = self._rtc.AudioFrame(bytearray(frame), self.mic_rate_hz, 1, self._mic_frame)
            self._apm.process_stream(audio)
            out.extend(audio.data.cast("B"))
        return bytes(out)


class EchoPath:
    """The speaker's output and the microphone's input, kept apart. Audio thread only."""

    def __init__(self, mode: EchoMode = EchoMode.CANCEL) -> None:
        self.mode, self.note = resolve_echo_mode(mode)
        self.delay_ms = DEFAULT_ECHO_DELAY_MS
        self.system_delay_ms = DEFAULT_ECHO_DELAY_MS
        self.audible_until = 0.0  # monotonic time the last reply sound written will have played
        self._canceller: EchoCanceller | None = None
        # System audio (audio/loopback.py) has the reply in it digitally: its own canceller,
        # whatever the microphone's mode (headphones do not keep it out of the output's mix).
        self._system: EchoCanceller | None = None
        self._system_can_cancel = resolve_echo_mode(EchoMode.CANCEL)[0] is EchoMode.CANCEL

    def set_mode(self, mode: EchoMode) -> str | None:
        """Switch modes; returns a note for the user if CANCEL had to fall back."""
        self.mode, self.note = resolve_echo_mode(mode)
        self._canceller = None  # a fresh canceller re-converges; CANCEL makes one lazily
        return self.note

    def set_delay(self, output_ms: float, input_ms: float) -> None:
        """Render-to-analysis plus capture-to-processing delay, as the devices estimate them."""
        self.delay_ms = round(output_ms + input_ms)
        self.system_delay_ms = round(output_ms + LOOPBACK_CAPTURE_MS)
        if self._canceller is not None:
            self._canceller.set_delay_ms(self.delay_ms)
        if self._system is not None:
            self._system.set_delay_ms(self.system_delay_ms)

    def played(self, pcm24k: bytes, audible_until: float) -> None:
        """The player wrote this to the speaker: the reverse stream for echo cancellation."""
        self.audible_until = audible_until
        if pcm24k and self.mode is EchoMode.CANCEL and self._canceller is not None:
            self._canceller.feed_reverse(pcm24k)
        if pcm24k and self._system is not None:
            self._system.feed_reverse(pcm24k)

    def captured(self, pcm16k: bytes, now: float) -> bytes:
        """Microphone audio on its way to the model: echo removed, or gated in half-duplex."""
        if self.mode is EchoMode.CANCEL:
            if self._canceller is None:  # from the first captured audio on, both streams feed it
                self._canceller = EchoCanceller(MIC_RATE_HZ, REPLY_RATE_HZ)
                self._canceller.set_delay_ms(self.delay_ms)
            return self._canceller.process(pcm16k)
        speaking = now < self.audible_until + HALF_DUPLEX_TAIL_S
        if self.mode is EchoMode.HALF_DUPLEX and speaking:
            # Silence rather than nothing: the server's VAD hears a quiet user, not a dead stream.
            return bytes(len(pcm16k))
        return pcm16k

    def forget(self) -> None:
        """The microphone closed: stop feeding a canceller nobody reads from."""
        self._canceller = None

    def captured_system(self, pcm16k: bytes, now: float) -> bytes:
        """What the computer plays, on its way to the model: liveview's own reply taken out.

        The played reply is the reference (the path from it to the loopback is digital, so the
        canceller converges deep); without a canceller the loopback is gated while it sounds.
        Noise suppression and the high-pass stay off: this is music and voices, not a room.
        Pass whole 10 ms frames (160 samples), so that output and input stay sample-aligned.
        """
        sounding = now < self.audible_until + HALF_DUPLEX_TAIL_S
        if not self._system_can_cancel:
            return bytes(len(pcm16k)) if sounding else pcm16k
        if self._system is None:
            self._system = EchoCanceller(
                MIC_RATE_HZ, REPLY_RATE_HZ, noise_suppression=False, high_pass_filter=False
            )
            self._system.set_delay_ms(self.system_delay_ms)
        # The canceller sees everything (so it stays converged), but its output is used only
        # while the reply sounds: even with nothing to remove it colours what passes through.
        cleaned = self._system.process(pcm16k)  # whole 10 ms frames in, the same length out
        return cleaned if sounding and len(cleaned) == len(pcm16k) else pcm16k

    def forget_system(self) -> None:
        self._system = None
