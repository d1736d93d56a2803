"""The energy voice-activity detector (server/vad.py) fed 16-bit PCM: tones for speech, zeros for
silence. Durations come from the sample count, so nothing here waits."""

from __future__ import annotations

import math

import numpy as np
import pytest

from liveview.server.vad import (
    DEFAULT_SILENCE_S,
    SPEECH_THRESHOLD_DBFS,
    START_SPEECH_S,
    WINDOW_S,
    EnergyVad,
    Utterance,
    level_dbfs,
    summarise_audio,
)

RATE_HZ = 16_000
CHUNK_S = 0.04  # what a client sends: 640 samples


def tone(seconds: float, dbfs: float = -20.0, rate_hz: int = RATE_HZ) -> bytes:
    """A 220 Hz sine whose RMS level is `dbfs`."""
    t = np.arange(round(seconds * rate_hz)) / rate_hz
    amplitude = 10 ** (dbfs / 20) * math.sqrt(2)
    return (amplitude * np.sin(2 * np.pi * 220.0 * t) * 32767).astype("<i2").tobytes()


def silence(seconds: float, rate_hz: int = RATE_HZ) -> bytes:
    return bytes(round(seconds * rate_hz) * 2)


def feed_in_chunks(
    vad: EnergyVad, pcm: bytes, rate_hz: int = RATE_HZ
) -> tuple[list[int], list[Utterance]]:
    """Feed as a client would, 40 ms at a time: the chunk indexes where speech started, and the
    utterances that ended."""
    step = round(CHUNK_S * rate_hz) * 2
    starts: list[int] = []
    ended: list[Utterance] = []
    for index, pos in enumerate(range(0, len(pcm), step)):
        started, utterance = vad.feed(pcm[pos : pos + step], rate_hz)
        if started:
            starts.append(index)
        if utterance is not None:
            ended.append(utterance)
    return starts, ended


def test_level_of_silence_is_minus_infinity() -> None:
    assert level_dbfs(silence(0.1)) == -math.inf
    assert level_dbfs(b"") == -math.inf


def test_level_of_a_tone_is_its_rms_in_dbfs() -> None:
    assert level_dbfs(tone(0.5, -20.0)) == pytest.approx(-20.0, abs=0.05)
    assert level_dbfs(tone(0.5, -6.0)) == pytest.approx(-6.0, abs=0.05)


def test_silence_never_starts_speech() -> None:
    vad = EnergyVad()
    starts, ended = feed_in_chunks(vad, silence(2.0))
    assert (starts, ended, vad.in_speech) == ([], [], False)


def test_speech_starts_once_enough_loud_audio_ran_in_a_row() -> None:
    vad = EnergyVad()
    short = START_SPEECH_S - WINDOW_S
    assert vad.feed(tone(short), RATE_HZ) == (False, None)
    assert not vad.in_speech
    assert vad.feed(tone(WINDOW_S), RATE_HZ) == (True, None)
    assert vad.in_speech


def test_a_click_shorter_than_the_start_run_is_ignored() -> None:
    vad = EnergyVad()
    click = tone(START_SPEECH_S - WINDOW_S)
    starts, _ = feed_in_chunks(vad, (click + silence(WINDOW_S)) * 10)
    assert starts == [] and not vad.in_speech


def test_start_is_reported_once_per_utterance() -> None:
    vad = EnergyVad()
    starts, ended = feed_in_chunks(vad, tone(1.0))
    assert starts == [1]  # 40 ms then 80 ms of tone: the start run is 60 ms
    assert ended == [] and vad.in_speech


def test_speech_ends_only_after_the_silence_hangover() -> None:
    vad = EnergyVad()
    vad.feed(tone(1.0), RATE_HZ)
    assert vad.feed(silence(DEFAULT_SILENCE_S - WINDOW_S), RATE_HZ) == (False, None)
    assert vad.in_speech, "a pause shorter than the hangover is not the end"
    started, utterance = vad.feed(silence(WINDOW_S), RATE_HZ)
    assert not started and utterance is not None
    assert not vad.in_speech


def test_utterance_lasts_from_first_to_last_speech_window() -> None:
    vad = EnergyVad()
    _, [utterance] = feed_in_chunks(vad, silence(0.3) + tone(1.2) + silence(1.0))
    assert utterance.duration_s == pytest.approx(1.2, abs=1e-6)  # no leading or trailing silence
    assert utterance.mean_dbfs == pytest.approx(-20.0, abs=0.1)
    assert utterance.peak_dbfs == pytest.approx(-20.0, abs=0.2)


def test_a_short_pause_stays_inside_the_utterance() -> None:
    vad = EnergyVad()
    pcm = tone(0.6) + silence(0.2) + tone(0.4) + silence(1.0)
    starts, [utterance] = feed_in_chunks(vad, pcm)
    assert len(starts) == 1
    assert utterance.duration_s == pytest.approx(1.2, abs=1e-6)


def test_a_long_pause_splits_two_utterances() -> None:
    vad = EnergyVad()
    pcm = tone(0.4) + silence(1.0) + tone(0.8) + silence(1.0)
    starts, ended = feed_in_chunks(vad, pcm)
    assert len(starts) == 2
    assert [u.duration_s for u in ended] == pytest.approx([0.4, 0.8], abs=1e-6)


def test_utterance_reports_its_loudest_window() -> None:
    vad = EnergyVad()
    _, [utterance] = feed_in_chunks(vad, tone(0.5, -30.0) + tone(0.5, -10.0) + silence(1.0))
    assert utterance.peak_dbfs == pytest.approx(-10.0, abs=0.2)
    assert -30.0 < utterance.mean_dbfs < -10.0


@pytest.mark.parametrize("silence_s", [0.1, 0.2, 0.3, 0.7, 1.1])
def test_speech_ends_after_exactly_the_silence_asked_for(silence_s: float) -> None:
    # silenceDurationMs: ten 20 ms windows once summed to 0.1999... s and took one window more.
    vad = EnergyVad(silence_s=silence_s)
    vad.feed(tone(0.5), RATE_HZ)
    assert vad.feed(silence(silence_s - WINDOW_S), RATE_HZ) == (False, None)
    _, utterance = vad.feed(silence(WINDOW_S), RATE_HZ)
    assert utterance is not None


def test_audio_below_the_threshold_is_silence() -> None:
    quiet = tone(1.0, SPEECH_THRESHOLD_DBFS - 6.0)
    vad = EnergyVad()
    starts, _ = feed_in_chunks(vad, quiet)
    assert starts == [] and not vad.in_speech


def test_a_lower_threshold_hears_quiet_speech() -> None:
    quiet = tone(1.0, SPEECH_THRESHOLD_DBFS - 6.0)
    vad = EnergyVad(threshold_dbfs=SPEECH_THRESHOLD_DBFS - 12.0)
    starts, _ = feed_in_chunks(vad, quiet)
    assert starts == [1]


def test_a_higher_threshold_ignores_loud_noise() -> None:
    vad = EnergyVad(threshold_dbfs=-10.0)
    starts, _ = feed_in_chunks(vad, tone(1.0, -20.0))
    assert starts == []


def test_flush_ends_the_utterance_at_once() -> None:
    vad = EnergyVad()
    vad.feed(tone(0.7), RATE_HZ)
    utterance = vad.flush()
    assert utterance is not None
    assert utterance.duration_s == pytest.approx(0.7, abs=1e-6)
    assert not vad.in_speech
    assert vad.flush() is None, "nothing left to flush"


def test_flush_without_speech_is_none() -> None:
    vad = EnergyVad()
    vad.feed(silence(0.5) + tone(START_SPEECH_S - WINDOW_S), RATE_HZ)
    assert vad.flush() is None


def test_after_flush_a_new_utterance_starts_from_nothing() -> None:
    vad = EnergyVad()
    vad.feed(tone(2.0), RATE_HZ)
    vad.flush()
    started, _ = vad.feed(tone(START_SPEECH_S - WINDOW_S), RATE_HZ)
    assert not started, "the run before the flush does not count again"
    _, [utterance] = feed_in_chunks(vad, tone(0.3) + silence(1.0))
    assert utterance.duration_s == pytest.approx(0.3 + START_SPEECH_S - WINDOW_S, abs=1e-6)


def test_chunking_does_not_change_the_utterance() -> None:
    pcm = tone(0.9) + silence(1.0)
    whole = EnergyVad().feed(pcm, RATE_HZ)
    _, [chunked] = feed_in_chunks(EnergyVad(), pcm)
    assert whole == (True, chunked)


def test_durations_follow_the_sample_rate() -> None:
    vad = EnergyVad()
    _, [utterance] = feed_in_chunks(vad, tone(0.8, rate_hz=48_000) + silence(1.0, 48_000), 48_000)
    assert utterance.duration_s == pytest.approx(0.8, abs=1e-6)


def test_odd_trailing_byte_is_ignored() -> None:
    vad = EnergyVad()
    assert vad.feed(b"\x00", RATE_HZ) == (False, None)
    assert level_dbfs(tone(0.1) + b"\x7f") == pytest.approx(level_dbfs(tone(0.1)))


def test_push_to_talk_summary_covers_everything_sent() -> None:
    heard = summarise_audio(silence(0.5) + tone(1.0, -20.0) + silence(0.5), RATE_HZ)
    assert heard.duration_s == pytest.approx(2.0)
    assert heard.peak_dbfs == pytest.approx(-20.0, abs=0.2)
    assert heard.mean_dbfs == pytest.approx(-20.0 - 10 * math.log10(2), abs=0.1)  # half silence


def test_push_to_talk_summary_of_nothing() -> None:
    assert summarise_audio(b"", RATE_HZ) == Utterance(0.0, -math.inf, -math.inf)
