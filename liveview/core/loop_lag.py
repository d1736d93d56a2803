"""Event-loop lag: how late a short sleep wakes up. The GUI must never wait on I/O or CPU work."""

from __future__ import annotations

import asyncio
import time
from collections import deque

from liveview.core.stats import percentile

LAG_PROBE_INTERVAL_S = 0.02
LAG_WINDOW = 3000  # the last ~60 s of probes


class LoopLagMonitor:
    def __init__(self, interval_s: float = LAG_PROBE_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self.samples_ms: deque[float] = deque(maxlen=LAG_WINDOW)

    async def run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.interval_s)
            late_s = time.perf_counter() - start - self.interval_s
            self.samples_ms.append(max(0.0, late_s * 1000.0))

    def p99_ms(self) -> float:
        return percentile(list(self.samples_ms), 99)

    def max_ms(self) -> float:
        return max(self.samples_ms, default=0.0)
