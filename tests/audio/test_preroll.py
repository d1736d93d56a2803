"""The adaptive pre-roll's rules, with a fake clock: start at once, an underrun teaches, a stable
spell takes it back. First the pure policy, then the same story through the jitter buffer."""

from __future__ import annotations

import pytest

from liveview.audio.formats import bytes_for_ms
from liveview.audio.jitter import JitterBuffer
from liveview.audio.preroll import PREROLL_RULES, AdaptivePreroll, PrerollRules
from tests.audio.fakes import Clock, ramp

RATE = 24000
MS = bytes_for_ms(1, RATE)
RULES = PREROLL_RULES


def deliver(policy: AdaptivePreroll, turn: int, t0: float, lateness_ms: list[float]) -> None:
    """200 ms chunks of `turn`, chunk i arriving lateness_ms[i] after its real-time due time."""
    for i, late in enumerate(lateness_ms):
        policy.arrived(turn, 0.2, t0 + i * 0.2 + late / 1000.0)


def test_untaught_a_turn_starts_at_once() -> None:
    policy = AdaptivePreroll()
    deliver(policy, 1, 10.0, [0, -150, -300])  # ahead of real time: nothing to learn
    assert policy.turn_starting() == 0.0 and not policy.tracking


def test_lateness_is_measured_against_the_turn_own_real_time_schedule() -> None:
    policy = AdaptivePreroll()
    assert policy.arrived(1, 0.2, 5.0) == 0.0  # the first chunk anchors the schedule
    assert policy.arrived(1, 0.2, 5.3) == pytest.approx(100.0)  # due at 5.2
    assert policy.arrived(1, 1.0, 5.35) == 0.0  # early (due 5.4) counts as on time
    assert policy.arrived(2, 0.2, 9.0) == 0.0  # a new turn anchors anew
    assert policy.spell_late_ms == pytest.approx(100.0)


def test_an_underrun_lifts_the_preroll_to_cover_what_was_seen() -> None:
    policy = AdaptivePreroll()
    deliver(policy, 1, 0.0, [0, 40])
    assert policy.underrun() == RULES.after_underrun_ms  # 40 ms x 1.5 is below the floor
    policy = AdaptivePreroll()
    deliver(policy, 1, 0.0, [0, 180])
    assert policy.underrun() == pytest.approx(180 * RULES.headroom)
    assert policy.tracking and policy.underruns == 1


def test_once_taught_it_tracks_lateness_and_a_second_underrun_doubles_it() -> None:
    policy = AdaptivePreroll()
    deliver(policy, 1, 0.0, [0, 100])
    assert policy.underrun() == RULES.after_underrun_ms
    deliver(policy, 2, 10.0, [0, 160])  # worse, but this turn did not run dry
    assert policy.turn_starting() == pytest.approx(160 * RULES.headroom)
    assert policy.underrun() == pytest.approx(2 * 160 * RULES.headroom)
    policy.spell_late_ms = 1_000.0
    assert policy.underrun() == RULES.max_ms  # capped


def test_a_stable_spell_shrinks_it_to_what_the_spell_needed_then_back_to_zero() -> None:
    policy = AdaptivePreroll()
    deliver(policy, 1, 0.0, [0, 200])
    assert policy.underrun() == pytest.approx(300.0)
    # A spell with 60 ms of lateness: down to 90 ms (its need), not to half (150) nor to 0.
    deliver(policy, 2, 10.0, [0, 60])
    policy.played(RULES.stable_spell_s - 0.1)
    assert policy.preroll_ms == pytest.approx(300.0)  # not yet a whole spell
    policy.played(0.1)
    assert policy.preroll_ms == pytest.approx(150.0)  # halved at most in one spell
    deliver(policy, 3, 40.0, [0, 60])
    policy.played(RULES.stable_spell_s)
    assert policy.preroll_ms == pytest.approx(90.0)  # what 60 ms of lateness needs
    # A calm spell (delivery ahead of real time): halved until below the floor, then 0.
    for _ in range(3):
        policy.played(RULES.stable_spell_s)
    assert policy.preroll_ms == 0.0 and not policy.tracking
    assert policy.turn_starting() == 0.0


def drain(jb: JitterBuffer, clock: Clock, ms: int, ring_ms: float = 20.0) -> list[str]:
    """Read 10 ms every 10 ms from a device holding ring_ms; the events' kinds."""
    kinds = []
    for _ in range(ms // 10):
        kinds += [e.kind for e in jb.read(10 * MS, bytes_for_ms(ring_ms, RATE)).events]
        clock.advance_ms(10)
    return kinds


def test_start_an_underrun_then_a_stable_spell_through_the_jitter_buffer() -> None:
    clock = Clock()
    rules = PrerollRules(stable_spell_s=2.0)  # a short spell keeps the test short
    jb = JitterBuffer(RATE, rules=rules, clock=clock)
    # Start: the first chunk sounds at the very read after it arrived.
    jb.push(ramp(200), turn_id=1)
    first = jb.read(10 * MS, bytes_for_ms(20, RATE))
    assert first.audio_bytes == 10 * MS and [e.kind for e in first.events] == ["started"]
    clock.advance_ms(10)
    # An underrun: the second chunk is 150 ms late; the device runs out of the turn's audio.
    drain(jb, clock, 190)
    drain(jb, clock, 150, ring_ms=0.0)
    jb.push(ramp(200, start=4801), turn_id=1)
    assert jb.read(10 * MS, 0).audio_bytes == 0  # the turn waits out the lifted pre-roll
    assert jb.underruns == 1 and jb.preroll_ms == pytest.approx(225.0)  # 150 ms x 1.5
    jb.end_turn(1)
    assert drain(jb, clock, 300) == ["ended"]
    # The next turn waits the taught pre-roll before it sounds.
    jb.push(ramp(1000), turn_id=2)
    waited = 0
    while not jb.read(10 * MS, bytes_for_ms(20, RATE)).audio_bytes:
        clock.advance_ms(10)
        waited += 10
    assert waited == pytest.approx(225, abs=10)
    # Stable spells: each 2 s of audio delivered ahead of real time halves it, down to 0.
    for turn in range(3, 11):
        jb.push(ramp(1000), turn_id=turn)
        jb.end_turn(turn)
        drain(jb, clock, 1500)
    assert jb.underruns == 1 and jb.preroll_ms == 0.0
    jb.push(ramp(100), turn_id=20)
    assert jb.read(10 * MS, bytes_for_ms(20, RATE)).audio_bytes == 10 * MS  # at once again
