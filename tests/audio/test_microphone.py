"""The microphone through real PulseAudio: speech played into a virtual mic comes out as chunks."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from liveview.audio import AudioEngine
from liveview.bench.pulse import SinkFeeder, espeak_pcm
from liveview.errors import AudioDeviceError
from tests.audio.conftest import MIC, MIC_FEED
from tests.audio.signal_tools import align

pytestmark = pytest.mark.pulse
RATE = 16000


class Chunks:
    def __init__(self) -> None:
        self.items: list[tuple[bytes, float, float]] = []
        self._lock = threading.Lock()

    def __call__(self, pcm: bytes, captured_at: float) -> None:
        with self._lock:
            self.items.append((pcm, captured_at, time.monotonic()))

    def audio(self) -> np.ndarray:
        with self._lock:
            return np.frombuffer(b"".join(c[0] for c in self.items), dtype="<i2")


@pytest.mark.parametrize("native_format", [True, False], ids=["16k-from-device", "resampled"])
def test_speech_fed_into_the_mic_comes_out_as_16k_chunks(
    engine: AudioEngine, mic_feed_running: None, native_format: bool
) -> None:
    speech = espeak_pcm("Hello liveview, this is a microphone test.", RATE)
    chunks = Chunks()
    mic = engine.open_microphone(chunks, MIC, chunk_ms=20, native_format=native_format)
    assert ("resampled" in mic.format_note) is not native_format
    time.sleep(0.3)
    feeder = SinkFeeder(MIC_FEED, RATE)
    feeder.write(speech)
    feeder.close()  # returns once pacat has played it all
    time.sleep(0.4)
    mic.close()
    assert {len(c[0]) for c in chunks.items} == {640}  # 20 ms of 16 kHz mono Int16
    assert all(c[1] <= c[2] for c in chunks.items)  # captured before delivered
    fed = np.frombuffer(speech, dtype="<i2")
    _lag, correlation = align(fed, chunks.audio())
    assert correlation > 0.9, f"mic audio does not match what was fed (r={correlation:.2f})"
    assert mic.level_dbfs < -60  # the last chunk was after the speech: quiet


def test_muted_mic_sends_nothing_and_unmutes_at_once(
    engine: AudioEngine, mic_feed_running: None
) -> None:
    chunks = Chunks()
    mic = engine.open_microphone(chunks, MIC, chunk_ms=40)
    mic.muted = True
    time.sleep(0.3)
    assert chunks.items == []
    mic.muted = False
    time.sleep(0.3)
    assert chunks.items and {len(c[0]) for c in chunks.items} == {1280}
    mic.stop()
    time.sleep(0.1)
    count = len(chunks.items)
    time.sleep(0.2)
    assert len(chunks.items) == count and not mic.active
    mic.start()
    time.sleep(0.3)
    assert len(chunks.items) > count


def test_bad_microphone_settings_are_clear_errors(engine: AudioEngine) -> None:
    with pytest.raises(AudioDeviceError, match="no microphone called 'ghost'") as info:
        engine.open_microphone(lambda pcm, t: None, "ghost")
    assert MIC in info.value.user_message and "--mic-device" in info.value.user_message
    with pytest.raises(AudioDeviceError, match="20, 30 or 40 ms"):
        engine.open_microphone(lambda pcm, t: None, MIC, chunk_ms=25)
