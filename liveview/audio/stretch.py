"""Keeping a reply's cushion when it is delivered at real time: a tiny, inaudible stretch.

A reply that starts at once (adaptive pre-roll 0) has only the few ms of silence queued ahead of it
(PLAYBACK_RING_LOW_MS) as its cushion against the next chunk being late. Delivered ahead of real
time, as the service usually does, it never needs it. Delivered at exactly real time, the cushion
is all there is, and the sound device's clock eats it: the test null sink plays about 230 ppm
faster than the system clock (measured with parec), real cards drift by tens to hundreds of ppm,
so such a reply loses ~14 ms of cushion a minute and underruns.

Each time a turn runs dry and goes on without a gap, the jitter buffer learns how much was left in
the device (`resumed`). When that falls below `low_ms`, the audio that follows is stretched by
`stretch_ppm` (one sample in a thousand repeated: +1 ms per second of audio; at 24 kHz a 42 µs
step every 42 ms, which no one hears) until a resume finds at least `high_ms` again. This is the
idea of WebRTC NetEq's preemptive expand, without its machinery. Pure: no clock, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CushionRules:
    low_ms: float = 10.0  # a turn that went on with less than this left in the device ...
    high_ms: float = 14.0  # ... is stretched until one goes on with at least this
    stretch_ppm: float = 1000.0  # +1 ms per second of audio


CUSHION_RULES = CushionRules()


class CushionKeeper:
    def __init__(self, rules: CushionRules = CUSHION_RULES) -> None:
        self.rules = rules
        self.ppm = 0.0
        self.stretched_s = 0.0  # reply audio stretched so far (for the benchmark)

    def resumed(self, left_ms: float) -> None:
        """A dry turn went on seamlessly with `left_ms` still queued in the device."""
        if left_ms < self.rules.low_ms:
            self.ppm = self.rules.stretch_ppm
        elif left_ms >= self.rules.high_ms:
            self.ppm = 0.0

    def new_turn(self) -> None:
        """A turn that starts from silence has its full cushion again."""
        self.ppm = 0.0


class SampleStretcher:
    """Repeats single samples every 1e6/ppm samples of the stream, evenly across chunks."""

    def __init__(self) -> None:
        self._until_next = 0.0  # samples of the stream before the next repeat

    def process(self, pcm: bytes, ppm: float) -> bytes:
        samples = np.frombuffer(pcm, dtype="<i2")
        if ppm <= 0 or len(samples) == 0:
            return pcm
        period = 1e6 / ppm
        position = min(self._until_next, period) if self._until_next > 0 else period
        at = np.arange(position, len(samples), period).astype(np.int64)
        self._until_next = position + len(at) * period - len(samples)
        if len(at) == 0:
            return pcm
        return np.insert(samples, at, samples[at]).astype("<i2").tobytes()
