"""Spoken replies: espeak-ng speech resampled to 24 kHz, or a clearly synthetic tone without it.

`synthesise` blocks (it runs a subprocess and resamples): call it on a thread.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from dataclasses import dataclass

import numpy as np
import soxr

from liveview.pcm import pcm_duration_s
from liveview.server import texts
from liveview.server.outbound import REPLY_SAMPLE_RATE_HZ

CHUNK_SAMPLES = 4_800  # 200 ms at 24 kHz, the size of the service's audio parts
CHUNK_BYTES = CHUNK_SAMPLES * 2
CHUNK_S = CHUNK_SAMPLES / REPLY_SAMPLE_RATE_HZ
ESPEAK_WPM = 175
ESPEAK_TIMEOUT_S = 30.0
# espeak-ng voice variants; each Live voice name maps to one variant and pitch, so voices differ.
_VARIANTS = ("m1", "f1", "m3", "f2", "m2", "f3", "m4", "f4", "m7", "f5")
TONE_WORD_S = 0.14
TONE_GAP_S = 0.06


@dataclass(frozen=True)
class Speech:
    pcm: bytes  # 16-bit little-endian mono at 24 kHz
    engine: str  # "espeak-ng" or "tone"

    @property
    def duration_s(self) -> float:
        return pcm_duration_s(self.pcm, REPLY_SAMPLE_RATE_HZ)


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def voice_args(voice: str | None) -> tuple[str, int]:
    """(espeak voice, pitch 0-99) for a Live voice name; None gets the first voice."""
    index = texts.VOICES.index(voice) if voice in texts.VOICES else 0
    return f"en-us+{_VARIANTS[index % len(_VARIANTS)]}", 30 + (index * 7) % 40


def _wav_pcm(wav: bytes) -> tuple[bytes, int]:
    """PCM and rate from espeak's streamed WAV (its header sizes are placeholders, 0x7fff....)."""
    if wav[:4] != b"RIFF" or wav[8:12] != b"WAVE":
        raise ValueError("espeak-ng did not produce a WAV stream")
    pos, rate = 12, 0
    while pos + 8 <= len(wav):
        chunk_id, size = wav[pos : pos + 4], struct.unpack("<I", wav[pos + 4 : pos + 8])[0]
        body = pos + 8
        if chunk_id == b"fmt ":
            channels, rate = struct.unpack("<HI", wav[body + 2 : body + 8])
            bits = struct.unpack("<H", wav[body + 14 : body + 16])[0]
            if channels != 1 or bits != 16:
                raise ValueError("espeak-ng produced an unexpected WAV format")
        elif chunk_id == b"data":
            data = wav[body : body + min(size, len(wav) - body)]
            return data[: len(data) // 2 * 2], rate
        pos = body + size + (size & 1)
    raise ValueError("espeak-ng WAV stream has no data")


def _espeak(text: str, voice: str | None) -> bytes:
    name, pitch = voice_args(voice)
    done = subprocess.run(
        ["espeak-ng", "--stdout", "-v", name, "-p", str(pitch), "-s", str(ESPEAK_WPM), text],
        capture_output=True,
        check=True,
        timeout=ESPEAK_TIMEOUT_S,
    )
    pcm, rate = _wav_pcm(done.stdout)
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    if rate != REPLY_SAMPLE_RATE_HZ:
        samples = soxr.resample(samples, rate, REPLY_SAMPLE_RATE_HZ)
    return _to_pcm(samples)


def _to_pcm(samples: np.ndarray) -> bytes:
    clipped = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return (clipped * 32767.0).astype("<i2").tobytes()


def tone(text: str, voice: str | None = None) -> bytes:
    """No speech engine: one beep per word (pitch by word length) so it is obviously synthetic."""
    base_hz = 300.0 + 10.0 * (texts.VOICES.index(voice) if voice in texts.VOICES else 0)
    word_n = int(TONE_WORD_S * REPLY_SAMPLE_RATE_HZ)
    gap = np.zeros(int(TONE_GAP_S * REPLY_SAMPLE_RATE_HZ), dtype=np.float32)
    t = np.arange(word_n, dtype=np.float32) / REPLY_SAMPLE_RATE_HZ
    ramp = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.01).astype(np.float32)
    pieces: list[np.ndarray] = []
    for word in text.split() or ["."]:
        freq = base_hz + 40.0 * min(len(word), 12)
        pieces += [0.3 * ramp * np.sin(2 * np.pi * freq * t).astype(np.float32), gap]
    return _to_pcm(np.concatenate(pieces))


def synthesise(text: str, voice: str | None, *, use_espeak: bool = True) -> Speech:
    """Blocking: the whole reply as 24 kHz PCM."""
    if use_espeak and espeak_available():
        try:
            return Speech(_espeak(text, voice), "espeak-ng")
        except (OSError, subprocess.SubprocessError, ValueError):
            pass  # a broken espeak install falls back to the tone rather than failing the turn
    return Speech(tone(text, voice), "tone")


def chunks(pcm: bytes) -> list[bytes]:
    """~200 ms parts, like the service's audio parts."""
    return [pcm[i : i + CHUNK_BYTES] for i in range(0, len(pcm), CHUNK_BYTES)]


def words_per_chunk(text: str, chunk_count: int) -> list[str]:
    """Spread the transcript over the audio chunks by character position (word-sized pieces)."""
    words = text.split()
    pieces = [""] * max(chunk_count, 1)
    total = max(sum(len(w) + 1 for w in words), 1)
    pos = 0
    for word in words:
        index = min(int(pos / total * len(pieces)), len(pieces) - 1)
        pieces[index] += word + " "
        pos += len(word) + 1
    return pieces
