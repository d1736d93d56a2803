"""16-bit PCM arithmetic that every layer shares (standard library only).

`server/` must not import `audio/` (which pulls in Qt and numpy), and both count audio, so the
one formula for "how long is this PCM" lives here, below both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sized

SAMPLE_BYTES = 2  # 16-bit little-endian samples: realtimeInput.audio and modelTurn inlineData


def pcm_duration_s(pcm: Sized, rate_hz: int, channels: int = 1) -> float:
    """Seconds of audio in `pcm` (bytes-like: bytes, bytearray, memoryview) at `rate_hz`."""
    if rate_hz <= 0:
        return 0.0
    return len(pcm) / (SAMPLE_BYTES * channels) / rate_hz


def take_chunks(
    pending: bytearray, size: int, now: float, rate_hz: int
) -> Iterator[tuple[bytes, float]]:
    """Whole `size`-byte chunks off the front of `pending`, each with when its last sample was
    captured: before everything still pending behind it (`now` is when the newest arrived)."""
    while len(pending) >= size:
        chunk = bytes(pending[:size])
        del pending[:size]
        yield chunk, now - pcm_duration_s(pending, rate_hz)
