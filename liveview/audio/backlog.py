"""How much the sound server really still holds of what the player wrote: a pure estimate.

Qt's sink reports `bufferSize() - bytesFree()`, the stream buffer as the client last heard of it.
The server asks for more in whole requests (PulseAudio's minreq, ~15 ms here), so between two
requests that figure stands still while the server plays on: it reads up to a request too high,
and a decision taken on it ("the ring still holds 10 ms, no need for silence yet") comes too late.
The real backlog drains at exactly the sample rate, so it is estimated by time: it goes down with
the clock between ticks, is corrected down to the reported figure whenever a request shows that
the server took more, and goes up by what is written. No I/O: the player feeds it `now`.
"""

from __future__ import annotations

from liveview.audio.formats import SAMPLE_BYTES


class DeviceBacklog:
    def __init__(self, rate_hz: int, channels: int = 1) -> None:
        self.bytes_per_s = rate_hz * SAMPLE_BYTES * channels
        self.estimate = 0  # bytes the server still has to play, as of the last update()
        self._at = 0.0

    def update(self, reported: int, now: float) -> int:
        """The sink's reported fill at `now`; returns the estimate of what it really holds."""
        drained = int((now - self._at) * self.bytes_per_s) if self._at else 0
        # The reported fill is never below the truth: it only lags it.
        estimate = min(max(0, self.estimate - drained), reported)
        self.estimate = estimate - estimate % SAMPLE_BYTES
        self._at = now
        return self.estimate

    def wrote(self, n_bytes: int) -> None:
        self.estimate += n_bytes

    def reset(self) -> None:
        """The sink dropped what it held (reset() on barge-in)."""
        self.estimate = 0
        self._at = 0.0
