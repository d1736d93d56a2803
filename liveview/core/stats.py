"""Live figures for the status bar: frames/s sent, kbit/s both ways, tokens, reply latency."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

RATE_WINDOW_S = 5.0


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100.0 * (len(ordered) - 1))))
    return ordered[rank]


@dataclass
class RateMeter:
    """Events (or bytes) per second over a sliding window."""

    window_s: float = RATE_WINDOW_S
    _samples: deque[tuple[float, float]] = field(default_factory=deque)

    def add(self, now: float, amount: float = 1.0) -> None:
        self._samples.append((now, amount))
        self._trim(now)

    def rate(self, now: float) -> float:
        self._trim(now)
        return sum(a for _, a in self._samples) / self.window_s

    def _trim(self, now: float) -> None:
        while self._samples and self._samples[0][0] < now - self.window_s:
            self._samples.popleft()


@dataclass
class SessionStats:
    frames_sent: RateMeter = field(default_factory=RateMeter)
    bytes_up: RateMeter = field(default_factory=RateMeter)
    bytes_down: RateMeter = field(default_factory=RateMeter)
    total_tokens: int = 0
    mic_chunks_sent: int = 0
    mic_chunks_dropped: int = 0
    reconnects: int = 0
    # End of the user's speech (or typing) to the first audio of the reply, seconds, per turn.
    reply_latencies_s: list[float] = field(default_factory=list)

    @property
    def last_reply_latency_s(self) -> float | None:
        return self.reply_latencies_s[-1] if self.reply_latencies_s else None

    @property
    def median_reply_latency_s(self) -> float | None:
        return percentile(self.reply_latencies_s, 50) if self.reply_latencies_s else None

    def add_reply_latency(self, seconds: float) -> None:
        self.reply_latencies_s.append(seconds)

    def fps(self, now: float) -> float:
        return self.frames_sent.rate(now)

    def kbit_up(self, now: float) -> float:
        return self.bytes_up.rate(now) * 8 / 1000

    def kbit_down(self, now: float) -> float:
        return self.bytes_down.rate(now) * 8 / 1000
