"""16-bit PCM arithmetic that every layer shares (standard library only).

`server/` must not import `audio/` (which pulls in Qt and numpy), and both count audio, so the
one formula for "how long is this PCM" lives here, below both.
"""

from __future__ import annotations

from collections.abc import Sized

SAMPLE_BYTES = 2  # 16-bit little-endian samples: realtimeInput.audio and modelTurn inlineData


def pcm_duration_s(pcm: Sized, rate_hz: int, channels: int = 1) -> float:
    """Seconds of audio in `pcm` (bytes-like: bytes, bytearray, memoryview) at `rate_hz`."""
    if rate_hz <= 0:
        return 0.0
    return len(pcm) / (SAMPLE_BYTES * channels) / rate_hz
