"""Reply playback through real PulseAudio: what is pushed comes out of the null sink's monitor."""

from __future__ import annotations

import time

import numpy as np
import pytest

from liveview.audio import AudioEngine, PlaybackEvent
from liveview.bench.pulse import MonitorRecorder, dominant_frequency, tone
from liveview.errors import AudioDeviceError
from liveview.pcm import pcm_duration_s
from tests.audio.conftest import MONITOR, SPEAKER

pytestmark = pytest.mark.pulse
RATE = 24000


def test_a_tone_comes_out_with_the_right_pitch_and_length(engine: AudioEngine) -> None:
    events: list[PlaybackEvent] = []
    player = engine.open_player(SPEAKER, on_playback=events.append)
    with MonitorRecorder(MONITOR) as recorder:
        pushed_at = time.monotonic()
        sound = tone(440, 0.6, RATE)
        for i in range(0, len(sound), 4800):  # 100 ms chunks, as a server would send
            player.push(sound[i : i + 4800], turn_id=1)
        player.end_turn(1)
        time.sleep(1.0)
        recording = recorder.snapshot()
    played = np.frombuffer(recording.sound_between(pushed_at), dtype="<i2")
    assert len(played) > 0, "nothing came out of the speaker"
    assert len(played) / RATE == pytest.approx(0.6, abs=0.01)
    assert dominant_frequency(played, RATE) == pytest.approx(440, abs=3)
    assert [(e.kind, e.turn_id) for e in events] == [("started", 1), ("ended", 1)]
    assert player.heard_ms(1) == pytest.approx(600, abs=1)
    assert player.underruns == 0 and not player.is_playing


def test_flush_mid_tone_leaves_silence_and_reports_what_was_heard(engine: AudioEngine) -> None:
    events: list[PlaybackEvent] = []
    player = engine.open_player(SPEAKER, on_playback=events.append)
    with MonitorRecorder(MONITOR) as recorder:
        pushed_at = time.monotonic()
        player.push(tone(440, 3.0, RATE), turn_id=5)
        time.sleep(0.8)
        flushed_at = time.monotonic()
        heard_ms = player.flush()
        time.sleep(0.6)
        player.push(tone(880, 0.3, RATE), turn_id=6)  # the next turn plays cleanly
        player.end_turn(6)
        time.sleep(0.8)
        recording = recorder.snapshot()
    last = recording.last_sound_before(flushed_at + 0.5)
    assert last is not None
    heard_s = pcm_duration_s(recording.sound_between(pushed_at, flushed_at + 0.5), RATE)
    # Silence follows the flush (2.2 s of the tone were still queued; how fast: the benchmark) ...
    assert last - flushed_at < 0.1
    # ... and the player knows how much of the turn came out (within the device's uncertainty).
    assert heard_ms == pytest.approx(heard_s * 1000, abs=30)
    assert events[1].kind == "ended" and events[1].interrupted and events[1].turn_id == 5
    next_turn = np.frombuffer(recording.sound_between(flushed_at + 0.5), dtype="<i2")
    assert len(next_turn) / RATE == pytest.approx(0.3, abs=0.01)
    assert dominant_frequency(next_turn, RATE) == pytest.approx(880, abs=4)
    assert player.device_resets == 1


def test_audio_at_another_rate_is_resampled(engine: AudioEngine) -> None:
    player = engine.open_player(SPEAKER)
    with MonitorRecorder(MONITOR) as recorder:
        pushed_at = time.monotonic()
        sound = tone(500, 0.5, 16000)
        for i in range(0, len(sound), 3200):
            player.push(sound[i : i + 3200], turn_id=1, rate=16000)
        player.end_turn(1)
        time.sleep(0.9)
        recording = recorder.snapshot()
    played = np.frombuffer(recording.sound_between(pushed_at), dtype="<i2")
    assert len(played) / RATE == pytest.approx(0.5, abs=0.01)
    assert dominant_frequency(played, RATE) == pytest.approx(500, abs=3)


def test_bad_reply_audio_is_refused_with_a_message(engine: AudioEngine) -> None:
    player = engine.open_player(SPEAKER)
    with pytest.raises(AudioDeviceError, match="cannot be played"):
        player.push(bytes(100), turn_id=1, rate=3)
    with pytest.raises(AudioDeviceError, match="whole number of samples"):
        player.push(bytes(101), turn_id=1)
    assert not player.is_playing


def test_an_unknown_speaker_name_lists_the_real_ones(engine: AudioEngine) -> None:
    with pytest.raises(AudioDeviceError, match="no speaker called 'nope'") as info:
        engine.open_player("nope")
    assert SPEAKER in info.value.user_message and "--speaker-device" in info.value.user_message
