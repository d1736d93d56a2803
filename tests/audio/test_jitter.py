"""The jitter buffer with an injected clock: pre-roll, bursts, underruns, flush, heard accounting."""

from __future__ import annotations

import numpy as np

from liveview.audio.formats import bytes_for_ms
from liveview.audio.jitter import PLAYBACK_RING_LOW_MS, JitterBuffer
from liveview.audio.preroll import PrerollRules
from tests.audio.fakes import Clock, ramp

RATE = 24000
MS = bytes_for_ms(1, RATE)  # 48 bytes per ms


def make(preroll_ms: float = 80.0) -> tuple[JitterBuffer, Clock]:
    """A buffer whose pre-roll starts at `preroll_ms` (the adaptive policy's untaught value).

    A waiting turn lets the ring drain to one 10 ms step of the Device below (a real sink renders
    a few ms ahead of its ring on its own, so the product's threshold is lower).
    """
    clock = Clock()
    rules = PrerollRules(start_ms=preroll_ms)
    jb = JitterBuffer(RATE, rules=rules, starved_low_ms=10.0, idle_end_ms=400.0, clock=clock)
    return jb, clock


class Device:
    """A sound device that plays 10 ms per step from a 50 ms ring, and says how full it is."""

    def __init__(self, jb: JitterBuffer, ring_ms: int = 50) -> None:
        self.jb = jb
        self.capacity = ring_ms * MS
        self.ring = bytearray()
        self.played = bytearray()
        self.starved_steps = 0  # steps where the device itself had less than 10 ms to play
        self._refill()  # an open device holds the idle silence before anything plays

    def step(self) -> None:
        if len(self.ring) < 10 * MS:
            self.starved_steps += 1
        self.played.extend(self.ring[: 10 * MS])
        del self.ring[: 10 * MS]
        self._refill()

    def _refill(self) -> None:
        out = self.jb.read(self.capacity - len(self.ring), len(self.ring))
        self.ring.extend(out.pcm)


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
    assert out.pcm == ramp(30)  # 30 ms in the ring: above its low water, no silence is added
    assert [(e.kind, e.turn_id) for e in out.events] == [("started", 7), ("ended", 7)]
    assert not jb.is_playing


def drive(jb: JitterBuffer, clock: Clock, deliveries: dict[int, bytes], total_ms: int) -> Device:
    """A Device stepped every 10 ms of clock; deliveries maps ms -> bytes pushed then."""
    device = Device(jb)
    for t in range(0, total_ms, 10):
        if t in deliveries:
            jb.push(deliveries[t], turn_id=1)
        device.step()
        clock.advance_ms(10)
    return device


def test_one_second_bursts_at_real_time_play_at_once_and_without_a_gap() -> None:
    jb, clock = make(preroll_ms=0)
    speech = ramp(10_000)
    bursts = {t: speech[t * MS : (t + 1000) * MS] for t in range(0, 10_000, 1000)}
    device = drive(jb, clock, bursts, 11_000)
    played = bytes(device.played)
    assert jb.underruns == 0 and device.starved_steps == 0
    start = played.find(speech[:MS])
    # Queued behind the low water's silence only, then every sample, in order, no silence inside
    # (a sample repeated here and there to keep the cushion: at most 0.1 %).
    assert start <= bytes_for_ms(PLAYBACK_RING_LOW_MS + 10, RATE)
    samples = np.frombuffer(played[start:], dtype="<i2")
    samples = samples[: np.flatnonzero(samples)[-1] + 1]
    distinct = samples[np.concatenate([[True], np.diff(samples) != 0])]
    assert distinct.tobytes() == speech
    assert len(samples) - len(distinct) <= len(distinct) // 1000


def test_slightly_slow_delivery_counts_underruns_and_grows_the_preroll() -> None:
    jb, clock = make(preroll_ms=80)
    speech = ramp(5_000)
    # 200 ms chunks every 220 ms: 10 % slower than real time.
    chunks = {i * 220: speech[i * 200 * MS : (i + 1) * 200 * MS] for i in range(25)}
    device = drive(jb, clock, chunks, 6_500)
    assert jb.underruns >= 1
    assert jb.preroll_ms > 80
    played = np.frombuffer(bytes(device.played + device.ring), dtype="<i2")
    # Nothing lost, only delayed (and stretched by at most 0.1 % to keep a cushion).
    assert len(speech) // 2 <= np.count_nonzero(played) <= len(speech) // 2 * 1.001


def test_flush_drops_everything_and_accounts_for_what_the_device_held() -> None:
    jb, clock = make(preroll_ms=0)
    jb.push(ramp(1000), turn_id=3)
    for _ in range(30):  # 300 ms read out to the "device"
        assert jb.read(10 * MS).audio_bytes == 10 * MS
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
