"""The jitter buffer with an injected clock: pre-roll, bursts, underruns, flush, heard accounting."""

from __future__ import annotations

import numpy as np

from liveview.audio.formats import bytes_for_ms
from liveview.audio.jitter import JitterBuffer

RATE = 24000
MS = bytes_for_ms(1, RATE)  # 48 bytes per ms


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def advance_ms(self, ms: float) -> None:
        self.now += ms / 1000.0


def ramp(ms: int, start: int = 1) -> bytes:
    """Distinct non-zero samples so that order and gaps are visible."""
    n = ms * RATE // 1000
    return (np.arange(start, start + n) % 30000 + 1).astype("<i2").tobytes()


def make(preroll_ms: float = 80.0) -> tuple[JitterBuffer, Clock]:
    clock = Clock()
    return JitterBuffer(RATE, preroll_ms=preroll_ms, idle_end_ms=400.0, clock=clock), clock


def test_preroll_holds_a_turn_for_the_preroll_time_however_much_arrived() -> None:
    jb, clock = make(preroll_ms=80)
    jb.push(ramp(40), turn_id=1)
    first = jb.read(10 * MS)
    assert first.audio_bytes == 0 and first.pcm == bytes(10 * MS)
    assert first.events == ()
    jb.push(ramp(1000, start=961), turn_id=1)  # a big burst does not cut the pre-roll short
    clock.advance_ms(78)
    assert jb.read(10 * MS).audio_bytes == 0
    clock.advance_ms(3)
    second = jb.read(10 * MS)
    assert second.audio_bytes == 10 * MS
    assert [e.kind for e in second.events] == ["started"]
    assert second.pcm == ramp(40)[: 10 * MS]


def test_a_turn_continuing_exactly_on_time_is_not_an_underrun() -> None:
    jb, _clock = make(preroll_ms=0)
    jb.push(ramp(20), turn_id=1)
    assert jb.read(20 * MS).audio_bytes == 20 * MS  # drained exactly
    jb.push(ramp(20, start=481), turn_id=1)
    assert jb.read(20 * MS).pcm == ramp(20, start=481)
    assert jb.underruns == 0


def test_end_turn_plays_the_tail_at_once_and_ends_the_turn() -> None:
    jb, _clock = make()
    jb.push(ramp(30), turn_id=7)
    jb.end_turn(7)
    out = jb.read(50 * MS)
    assert out.audio_bytes == 30 * MS
    assert out.pcm[: 30 * MS] == ramp(30) and out.pcm[30 * MS :] == bytes(20 * MS)
    assert [(e.kind, e.turn_id) for e in out.events] == [("started", 7), ("ended", 7)]
    assert not jb.is_playing


def drive(jb: JitterBuffer, clock: Clock, deliveries: dict[int, bytes], total_ms: int) -> bytes:
    """Read 10 ms every 10 ms of clock; deliveries maps ms -> bytes pushed then."""
    out = bytearray()
    for t in range(0, total_ms, 10):
        if t in deliveries:
            jb.push(deliveries[t], turn_id=1)
        out.extend(jb.read(10 * MS).pcm)
        clock.advance_ms(10)
    return bytes(out)


def test_one_second_bursts_averaging_real_time_play_without_a_gap() -> None:
    jb, clock = make()
    speech = ramp(10_000)
    bursts = {t: speech[t * MS : (t + 1000) * MS] for t in range(0, 10_000, 1000)}
    out = drive(jb, clock, bursts, 11_000)
    assert jb.underruns == 0
    start = out.find(speech[:MS])
    assert out[start : start + len(speech)] == speech  # every sample, in order, no silence inside


def test_slightly_slow_delivery_counts_underruns_and_grows_the_preroll() -> None:
    jb, clock = make(preroll_ms=80)
    speech = ramp(5_000)
    # 200 ms chunks every 220 ms: 10 % slower than real time.
    chunks = {i * 220: speech[i * 200 * MS : (i + 1) * 200 * MS] for i in range(25)}
    out = drive(jb, clock, chunks, 6_500)
    assert jb.underruns >= 1
    assert jb.preroll_ms > 80
    played = np.frombuffer(out, dtype="<i2")
    assert np.count_nonzero(played) == len(speech) // 2  # nothing lost, only delayed


def test_flush_drops_everything_and_accounts_for_what_the_device_held() -> None:
    jb, clock = make(preroll_ms=0)
    jb.push(ramp(1000), turn_id=3)
    for _ in range(30):  # 300 ms read out to the "device"
        jb.read(10 * MS)
        clock.advance_ms(10)
    assert jb.heard_ms(3, device_queued_bytes=60 * MS) == 240
    event = jb.flush(device_queued_bytes=60 * MS)
    assert event is not None and event.interrupted and event.turn_id == 3
    assert jb.heard_ms(3) == 240  # the 60 ms in the device were dropped, never heard
    assert jb.buffered_ms == 0 and not jb.is_playing
    assert jb.read(10 * MS).audio_bytes == 0
    jb.push(ramp(100), turn_id=3)  # a straggler of the interrupted turn
    assert jb.late_bytes == 100 * MS and jb.buffered_ms == 0
    jb.push(ramp(100), turn_id=4)  # the next turn plays cleanly
    jb.end_turn(4)
    out = jb.read(100 * MS)
    assert out.pcm == ramp(100) and [e.kind for e in out.events] == ["started", "ended"]


def test_turns_follow_each_other_with_events_in_order() -> None:
    jb, _clock = make(preroll_ms=0)
    jb.push(ramp(100), turn_id=1)
    jb.push(ramp(100, start=5), turn_id=2)
    out = jb.read(150 * MS)
    assert out.audio_bytes == 150 * MS
    assert [(e.kind, e.turn_id) for e in out.events] == [
        ("started", 1),
        ("ended", 1),
        ("started", 2),
    ]
    assert jb.heard_ms(1) == 100 and jb.heard_ms(2) == 50


def test_a_turn_left_dry_ends_after_the_idle_time_without_an_underrun() -> None:
    jb, clock = make()
    jb.push(ramp(100), turn_id=1)
    events = []
    for _ in range(70):
        events.extend(jb.read(10 * MS).events)
        clock.advance_ms(10)
    assert [e.kind for e in events] == ["started", "ended"]
    assert jb.underruns == 0 and not jb.is_playing


def test_the_buffer_is_bounded_and_drops_the_oldest() -> None:
    clock = Clock()
    jb = JitterBuffer(RATE, max_buffered_s=1.0, clock=clock)
    for i in range(15):
        jb.push(ramp(100, start=i * 100 + 1), turn_id=1)
    assert jb.buffered_ms <= 1000
    assert jb.dropped_bytes == 500 * MS
