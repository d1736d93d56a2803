"""`--listen both`: what the computer plays, mixed into the microphone's chunks. Pure, no Qt.

The microphone sets the pace (its chunks are what the model is sent, 20-40 ms each); system audio
waits here until the next microphone chunk takes as much of it as that chunk is long. A source that
runs ahead is bounded (the oldest is dropped, counted), one that lags is mixed as silence.
"""

from __future__ import annotations

import numpy as np

from liveview.audio.formats import MIC_RATE_HZ, bytes_for_ms

MIX_BACKLOG_MS = 200  # system audio held for the microphone, at most


class SystemMix:
    """Audio thread only: both devices deliver there."""

    def __init__(self, rate_hz: int = MIC_RATE_HZ, backlog_ms: float = MIX_BACKLOG_MS) -> None:
        self._held = bytearray()
        self._limit = bytes_for_ms(backlog_ms, rate_hz)
        self.dropped_bytes = 0

    def add(self, system_pcm: bytes) -> None:
        self._held.extend(system_pcm)
        excess = len(self._held) - self._limit
        if excess > 0:
            excess += excess % 2
            del self._held[:excess]
            self.dropped_bytes += excess

    def mix(self, mic_pcm: bytes) -> bytes:
        """The microphone chunk with as much system audio added (clipped to 16 bits)."""
        take = bytes(self._held[: len(mic_pcm)])
        del self._held[: len(take)]
        mic = np.frombuffer(mic_pcm, dtype="<i2").astype(np.int32)
        system = np.zeros_like(mic)
        system[: len(take) // 2] = np.frombuffer(take, dtype="<i2")
        mixed: bytes = np.clip(mic + system, -32768, 32767).astype("<i2").tobytes()
        return mixed
