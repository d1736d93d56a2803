"""Echo cancellation through real PulseAudio: the speaker's output is looped back into the mic."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from liveview.audio import AudioEngine, EchoMode
from liveview.audio.echo import EchoCanceller
from liveview.bench.pulse import MonitorRecorder, SinkFeeder, espeak_pcm, pactl
from tests.audio.conftest import MIC, MIC_FEED, MONITOR, SPEAKER
from tests.audio.signal_tools import envelope_match, power_db

pytestmark = pytest.mark.pulse

MODEL_TEXT = (
    "Good morning. Here is the weather for today: mostly sunny, light wind from the west, "
    "and a high of twenty two degrees. Tomorrow brings clouds and a little rain in the evening."
)
USER_TEXT = "Stop, wait a moment please."
LOOPBACK_VOLUME = "40%"  # the room: the echo arrives attenuated ...
LOOPBACK_LATENCY_MS = 50  # ... and late


@pytest.fixture
def room(speaker_running: None, mic_feed_running: None) -> Iterator[None]:
    """module-loopback from the speaker's monitor into the microphone's feed."""
    module = pactl(
        "load-module", "module-loopback", f"source={MONITOR}", f"sink={MIC_FEED}",
        f"latency_msec={LOOPBACK_LATENCY_MS}", "source_dont_move=true", "sink_dont_move=true",
    )  # fmt: skip
    try:
        listing = pactl("list", "sink-inputs")
        match = re.search(rf"Sink Input #(\d+)(?:(?!Sink Input #).)*?Owner Module: {module}\b",
                          listing, re.S)  # fmt: skip
        assert match, "the loopback's sink input is missing"
        pactl("set-sink-input-volume", match.group(1), LOOPBACK_VOLUME)
        time.sleep(0.5)
        yield
    finally:
        pactl("unload-module", module)


def test_the_model_voice_is_cancelled_and_the_user_still_heard(room: None) -> None:
    model = espeak_pcm(MODEL_TEXT, 24000)
    user = espeak_pcm(USER_TEXT, 16000, voice="en+f3")
    sent: list[bytes] = []
    lock = threading.Lock()

    def on_chunk(pcm: bytes, captured_at: float) -> None:
        with lock:
            sent.append(pcm)

    with AudioEngine(EchoMode.CANCEL) as engine, MonitorRecorder(MIC) as raw_mic:
        mic = engine.open_microphone(on_chunk, MIC, chunk_ms=20)
        player = engine.open_player(SPEAKER)
        time.sleep(0.3)
        start = time.monotonic()
        with lock:
            sent.clear()
        for i in range(0, len(model), 4800):
            player.push(model[i : i + 4800], turn_id=1)
        time.sleep(5.0)
        talk_at = time.monotonic()
        feeder = SinkFeeder(MIC_FEED, 16000)
        feeder.write(user)
        feeder.close()
        time.sleep(0.5)
        mic.close()
        recording = raw_mic.snapshot()
    with lock:
        out = np.frombuffer(b"".join(sent), dtype="<i2")
    raw16 = recording.samples[::1]  # parec records at 24 kHz
    # Steady state: 2.5 s to 4.5 s after the reply started, the model alone is talking.
    raw_echo = raw16[recording.index_at(start + 2.5) : recording.index_at(start + 4.5)]
    out_echo = out[int(2.5 * 16000) : int(4.5 * 16000)]
    erle = power_db(raw_echo) - power_db(out_echo)
    print(
        f"echo in {power_db(raw_echo):.1f} dB, out {power_db(out_echo):.1f} dB, ERLE {erle:.1f} dB"
    )
    assert power_db(raw_echo) > 40, "no echo reached the microphone: the loopback is not working"
    assert erle >= 25, f"echo only {erle:.1f} dB down"
    # Double talk: the user's voice must come through while the model still speaks.
    user_ref = np.frombuffer(user, dtype="<i2")
    talk = int((talk_at - start) * 16000)
    during = envelope_match(user_ref, out[talk - 3200 : talk + len(user_ref) + 8000])
    before = envelope_match(user_ref, out[: talk - 3200])  # the model alone: must not match
    print(f"user envelope match: while talking {during:.2f}, model alone {before:.2f}")
    assert during > 0.8, f"the user's voice was suppressed too (match {during:.2f})"
    assert before < during - 0.2


def test_the_canceller_removes_a_synthetic_echo() -> None:
    """Offline: no devices, exact 10 ms framing at mixed rates, whatever the chunk sizes."""
    far = np.frombuffer(espeak_pcm(MODEL_TEXT[:80], 24000), dtype="<i2")
    far16 = np.frombuffer(espeak_pcm(MODEL_TEXT[:80], 16000), dtype="<i2")
    delay = 16000 * 60 // 1000
    echo = (np.concatenate([np.zeros(delay), far16])[: len(far16)] * 0.3).astype("<i2")
    canceller = EchoCanceller()
    out = bytearray()
    for i in range(0, len(far16) // 120):  # odd 7.5 ms pieces, like the devices deliver
        canceller.feed_reverse(far[i * 180 : (i + 1) * 180].tobytes())
        out.extend(canceller.process(echo[i * 120 : (i + 1) * 120].tobytes()))
    cleaned = np.frombuffer(bytes(out), dtype="<i2")
    half = len(cleaned) // 2
    assert len(cleaned) == len(cleaned) // 160 * 160
    assert power_db(echo[half : len(cleaned)]) - power_db(cleaned[half:]) >= 25
