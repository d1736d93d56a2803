from __future__ import annotations

import numpy as np
import pytest

from liveview.audio.formats import (
    SILENCE_DBFS,
    StreamResampler,
    bytes_for_ms,
    check_pcm16,
    level_dbfs,
    level_unit,
    pcm_rate_from_mime,
    to_mono_int16,
)
from liveview.bench.pulse import dominant_frequency, tone
from liveview.errors import AudioDeviceError


@pytest.mark.parametrize(
    ("mime", "rate"),
    [
        ("audio/pcm;rate=24000", 24000),
        ("audio/pcm; rate=16000", 16000),
        ("AUDIO/PCM;RATE=44100", 44100),
        ("audio/pcm", 24000),
        ("audio/L16;rate=8000;channels=1", 8000),
    ],
)
def test_pcm_rate_from_mime(mime: str, rate: int) -> None:
    assert pcm_rate_from_mime(mime) == rate


@pytest.mark.parametrize(
    ("mime", "words"),
    [
        ("audio/pcm;rate=abc", "malformed rate"),
        ("audio/pcm;rate=", "malformed rate"),
        ("audio/pcm;rate=-5", "malformed rate"),
        ("audio/pcm;rate=5", "cannot be played"),
        ("audio/pcm;rate=9999999", "cannot be played"),
        ("audio/mp3", "plays only audio/pcm"),
    ],
)
def test_bad_mime_is_a_clear_error(mime: str, words: str) -> None:
    with pytest.raises(AudioDeviceError, match=words) as info:
        pcm_rate_from_mime(mime)
    assert "session goes on" in info.value.user_message


def test_odd_length_pcm_is_refused() -> None:
    with pytest.raises(AudioDeviceError, match="whole number of samples"):
        check_pcm16(b"\x00\x01\x02")


def test_levels() -> None:
    assert level_dbfs(bytes(640)) == SILENCE_DBFS
    full_sine = tone(440, 0.1, 16000, amplitude=32767)
    assert level_dbfs(full_sine) == pytest.approx(-3.01, abs=0.1)
    assert level_unit(-3.01) == pytest.approx(0.95, abs=0.01)
    assert level_unit(-80.0) == 0.0


def test_stream_resampler_keeps_pitch_and_length() -> None:
    source = tone(1000, 1.0, 16000)
    resampler = StreamResampler(16000, 24000)
    out = b"".join(
        resampler.process_bytes(source[i : i + 640]) for i in range(0, len(source), 640)
    ) + resampler.process_bytes(b"", last=True)
    samples = np.frombuffer(out, dtype="<i2")
    assert abs(len(samples) - 24000) <= 2
    assert dominant_frequency(samples, 24000) == pytest.approx(1000, abs=2)


def test_to_mono_int16_averages_channels_and_converts_formats() -> None:
    stereo = np.array([[1000, 3000], [-2000, -4000]], dtype="<i2").tobytes()
    assert to_mono_int16(stereo, "int16", 2).tolist() == [2000, -3000]
    floats = np.array([0.5, -0.5], dtype="<f4").tobytes()
    assert to_mono_int16(floats, "float", 1).tolist() == [16384, -16384]
    assert bytes_for_ms(20, 16000) == 640
