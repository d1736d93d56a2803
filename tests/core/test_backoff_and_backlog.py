from __future__ import annotations

from liveview.core.backoff import Backoff
from liveview.core.mic_backlog import MicBacklog
from liveview.protocol.messages import AudioChunk


def test_backoff_grows_with_jitter_and_caps_attempts() -> None:
    b = Backoff(base_s=0.5, max_s=4.0, max_attempts=5, rng=lambda: 1.0)
    assert [b.next_delay_s() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, None]


def test_jitter_scales_the_delay_down() -> None:
    b = Backoff(base_s=1.0, rng=lambda: 0.25)
    assert b.next_delay_s() == 0.25


def test_a_stable_connection_resets_the_counter() -> None:
    b = Backoff(max_attempts=2, stable_after_s=30.0, rng=lambda: 1.0)
    b.next_delay_s()
    b.next_delay_s()
    b.connection_lasted(5.0)
    assert b.next_delay_s() is None
    b.connection_lasted(31.0)
    assert b.next_delay_s() is not None


def chunk(i: int, ms: int = 20) -> AudioChunk:
    return AudioChunk(bytes([i % 256]) * (32 * ms), 16_000, float(i))


def test_backlog_keeps_order_and_drops_oldest_past_its_bound() -> None:
    backlog = MicBacklog(max_s=0.1)  # five 20 ms chunks
    for i in range(8):
        backlog.add(chunk(i))
    assert backlog.dropped == 3
    assert [c.captured_at for c in backlog.take_all()] == [3.0, 4.0, 5.0, 6.0, 7.0]
    assert len(backlog) == 0


def test_chunk_duration() -> None:
    assert chunk(0, ms=40).duration_s == 0.04
