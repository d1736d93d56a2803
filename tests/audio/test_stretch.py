"""Keeping the cushion: the sample stretcher, the keeper's rule, the device backlog estimate."""

from __future__ import annotations

import numpy as np
import pytest

from liveview.audio.backlog import DeviceBacklog
from liveview.audio.formats import bytes_for_ms
from liveview.audio.stretch import CUSHION_RULES, CushionKeeper, SampleStretcher
from liveview.bench.pulse import dominant_frequency, tone
from tests.audio.fakes import ramp

RATE = 24000


def stretched(source: bytes, ppm: float, chunk: int = 4798) -> np.ndarray:
    stretcher = SampleStretcher()
    pieces = [stretcher.process(source[i : i + chunk], ppm) for i in range(0, len(source), chunk)]
    return np.frombuffer(b"".join(pieces), dtype="<i2")


def test_the_stretcher_repeats_one_sample_in_a_thousand_evenly_across_chunks() -> None:
    source = ramp(1000)  # distinct samples: a repeat shows as a zero step
    out = stretched(source, 1000.0)
    assert (
        len(out) == RATE + 23
    )  # 1000 ppm: one after every 1000 samples (the 24th is due at the end)
    repeats = np.flatnonzero(np.diff(out) == 0)
    assert len(repeats) == 23 and set(np.diff(repeats)) == {
        1001
    }  # every 1000 source samples, whatever the chunks
    distinct = out[np.concatenate([[True], np.diff(out) != 0])]
    assert distinct.tobytes() == source  # nothing lost or reordered
    assert SampleStretcher().process(source[:480], 0.0) == source[:480]  # 0 ppm: untouched


def test_a_stretched_tone_keeps_its_pitch() -> None:
    out = stretched(tone(440, 1.0, RATE), 1000.0)
    assert dominant_frequency(out, RATE) == pytest.approx(440, abs=1)


def test_the_keeper_stretches_a_thin_cushion_until_it_is_back() -> None:
    keeper = CushionKeeper()
    keeper.resumed(12.0)
    assert keeper.ppm == 0.0
    keeper.resumed(CUSHION_RULES.low_ms - 0.5)
    assert keeper.ppm == CUSHION_RULES.stretch_ppm
    keeper.resumed(CUSHION_RULES.low_ms + 1)  # between the marks: keep going (hysteresis)
    assert keeper.ppm == CUSHION_RULES.stretch_ppm
    keeper.resumed(CUSHION_RULES.high_ms)
    assert keeper.ppm == 0.0
    keeper.resumed(1.0)
    keeper.new_turn()
    assert keeper.ppm == 0.0


def test_the_backlog_drains_with_the_clock_and_never_exceeds_what_the_sink_reports() -> None:
    ms = bytes_for_ms(1, RATE)
    backlog = DeviceBacklog(RATE)
    assert backlog.update(0, 10.0) == 0
    backlog.wrote(40 * ms)
    # 5 ms later the sink still reports all 40 ms (it asks for more only in whole requests) ...
    assert backlog.update(40 * ms, 10.005) == 35 * ms
    # ... and a request shows it took more than the clock says: the report wins.
    assert backlog.update(20 * ms, 10.010) == 20 * ms
    assert backlog.update(20 * ms, 10.030) == 0  # drained by time, never negative
    backlog.wrote(10 * ms)
    backlog.reset()
    assert backlog.update(0, 10.031) == 0
