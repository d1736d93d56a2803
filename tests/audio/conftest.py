"""Fixtures for the audio tests: a real PulseAudio server (started by `. scripts/test-env.sh`)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from liveview.audio import AudioEngine, EchoMode
from liveview.audio.probe import pulse_available

SPEAKER = "liveview_speaker"
MONITOR = "liveview_speaker.monitor"
MIC_FEED = "liveview_mic_feed"
MIC = "liveview_mic"


@pytest.fixture(scope="session")
def pulse() -> None:
    if not pulse_available():
        pytest.skip("no PulseAudio server: run the tests after `. scripts/test-env.sh`")


@pytest.fixture(scope="session")
def mic_feed_running(pulse: None) -> Iterator[None]:
    """An idle null sink starts slowly and its monitor stalls: keep a stream attached to it."""
    keeper = subprocess.Popen(
        ["pacat", "--latency-msec=30", f"--device={MIC_FEED}", "--volume=0", "/dev/zero"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield
    keeper.terminate()
    keeper.wait(5)


@pytest.fixture
def engine(pulse: None) -> Iterator[AudioEngine]:
    errors: list[Exception] = []
    eng = AudioEngine(EchoMode.OFF, on_error=errors.append)
    eng.start()
    yield eng
    eng.close()
    assert not errors, errors
