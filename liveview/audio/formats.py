"""PCM facts and small pure helpers: rates, sizes, levels, mime parsing, resampling.

Everything here is 16-bit little-endian PCM unless it says otherwise. No Qt.
"""

from __future__ import annotations

import math
import re

import numpy as np
import soxr

from liveview.errors import AudioDeviceError
from liveview.pcm import SAMPLE_BYTES, pcm_duration_s

MIC_RATE_HZ = 16_000  # realtimeInput.audio is sent as audio/pcm;rate=16000
REPLY_RATE_HZ = 24_000  # serverContent.modelTurn inlineData is audio/pcm;rate=24000
MIN_RATE_HZ = 8_000
MAX_RATE_HZ = 192_000
SILENCE_DBFS = -100.0  # what level_dbfs() reports for digital silence

__all__ = ["SAMPLE_BYTES", "pcm_duration_s"]  # and everything below; these two live in liveview.pcm

_RATE_RE = re.compile(r"(?:^|;)\s*rate\s*=\s*([^;\s]*)", re.IGNORECASE)


def bytes_for_ms(ms: float, rate_hz: int, channels: int = 1) -> int:
    """Whole frames' worth of bytes for `ms` milliseconds (never splits a sample)."""
    return int(rate_hz * ms / 1000.0) * SAMPLE_BYTES * channels


def ms_for_bytes(n_bytes: int, rate_hz: int, channels: int = 1) -> float:
    return n_bytes / (SAMPLE_BYTES * channels) * 1000.0 / rate_hz


def check_rate(rate_hz: int) -> int:
    """Refuse rates no sound device or resampler should be asked for."""
    if not isinstance(rate_hz, int) or not MIN_RATE_HZ <= rate_hz <= MAX_RATE_HZ:
        raise AudioDeviceError(
            f"Audio at {rate_hz!r} Hz cannot be played: rates from {MIN_RATE_HZ} to "
            f"{MAX_RATE_HZ} Hz are supported. That audio is skipped; the session goes on."
        )
    return rate_hz


def pcm_rate_from_mime(mime_type: str, default_hz: int = REPLY_RATE_HZ) -> int:
    """The sample rate of an `audio/pcm;rate=N` blob (inlineData.mimeType).

    `audio/pcm` with no rate means the documented default (24 kHz for replies). Anything that is
    not 16-bit PCM, or a rate that is not a sane integer, raises AudioDeviceError with a message
    the user can read; the caller skips that chunk and the session goes on.
    """
    head = mime_type.split(";", 1)[0].strip().lower()
    if head not in ("audio/pcm", "audio/l16"):
        raise AudioDeviceError(
            f"The server sent audio as {mime_type!r}; liveview plays only audio/pcm. "
            "That audio is skipped; the session goes on."
        )
    match = _RATE_RE.search(mime_type)
    if match is None:
        return default_hz
    text = match.group(1)
    if not text.isdigit():
        raise AudioDeviceError(
            f"The server sent audio with a malformed rate in {mime_type!r}. "
            "That audio is skipped; the session goes on."
        )
    return check_rate(int(text))


def check_pcm16(pcm: bytes, channels: int = 1) -> None:
    if len(pcm) % (SAMPLE_BYTES * channels):
        raise AudioDeviceError(
            f"Received {len(pcm)} bytes of 16-bit audio, which is not a whole number of "
            "samples. That audio is skipped; the session goes on."
        )


def level_dbfs(pcm: bytes) -> float:
    """RMS level of Int16 PCM in dBFS (0 = full scale sine peak-ish, SILENCE_DBFS for zeros)."""
    if len(pcm) < SAMPLE_BYTES:
        return SILENCE_DBFS
    samples = np.frombuffer(pcm, dtype="<i2", count=len(pcm) // SAMPLE_BYTES)
    mean_square = float(np.mean(np.square(samples, dtype=np.float64)))
    if mean_square <= 0.0:
        return SILENCE_DBFS
    return max(SILENCE_DBFS, 10.0 * math.log10(mean_square / (32768.0 * 32768.0)))


def level_unit(dbfs: float, floor_dbfs: float = -60.0) -> float:
    """Map dBFS to 0..1 for a meter: floor_dbfs and below is 0, full scale is 1."""
    return min(1.0, max(0.0, (dbfs - floor_dbfs) / -floor_dbfs))


def to_mono_int16(raw: bytes, sample_format: str, channels: int) -> np.ndarray:
    """Device samples (Int16/Int32/Float/UInt8, interleaved) -> mono Int16 (mean of channels)."""
    if sample_format == "int16":
        data = np.frombuffer(raw, dtype="<i2").astype(np.float32)
    elif sample_format == "int32":
        data = np.frombuffer(raw, dtype="<i4").astype(np.float32) / 65536.0
    elif sample_format == "float":
        data = (np.frombuffer(raw, dtype="<f4") * 32767.0).astype(np.float32)
    elif sample_format == "uint8":
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) * 256.0
    else:
        raise AudioDeviceError(
            f"The audio device delivers samples as {sample_format!r}, "
            "which liveview cannot read. Choose another microphone."
        )
    if channels > 1:
        usable = len(data) - len(data) % channels
        data = data[:usable].reshape(-1, channels).mean(axis=1)
    return np.clip(np.rint(data), -32768, 32767).astype(np.int16)


class StreamResampler:
    """Int16 mono resampling that keeps filter state across chunks (no clicks at chunk edges).

    soxr's streaming resampler: the well-kept one, not a hand-rolled interpolator.
    """

    def __init__(self, in_rate_hz: int, out_rate_hz: int) -> None:
        self.in_rate_hz = check_rate(in_rate_hz)
        self.out_rate_hz = check_rate(out_rate_hz)
        self._stream = (
            None
            if in_rate_hz == out_rate_hz
            else soxr.ResampleStream(in_rate_hz, out_rate_hz, 1, dtype="int16", quality="HQ")
        )

    def process(self, samples: np.ndarray, last: bool = False) -> np.ndarray:
        if self._stream is None:
            return samples
        return np.asarray(self._stream.resample_chunk(samples, last=last))

    def process_bytes(self, pcm: bytes, last: bool = False) -> bytes:
        samples = np.frombuffer(pcm, dtype="<i2")
        return self.process(samples, last=last).astype("<i2").tobytes()
