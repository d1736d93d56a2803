"""Fixtures for the audio tests: a real PulseAudio server (started by `. scripts/test-env.sh`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from liveview.audio import AudioEngine, EchoMode
from liveview.bench.pulse import KeepRunning, pulse_available
from tests.audio.sessions import live_session

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
    """An idle null sink renders seconds ahead and its monitor lags: keep one stream attached."""
    keeper = KeepRunning(MIC_FEED)
    yield
    keeper.close()


@pytest.fixture(scope="session")
def speaker_running(pulse: None) -> Iterator[None]:
    keeper = KeepRunning(SPEAKER)
    yield
    keeper.close()


@pytest.fixture
def engine(speaker_running: None) -> Iterator[AudioEngine]:
    errors: list[Exception] = []
    eng = AudioEngine(EchoMode.OFF, on_error=errors.append)
    eng.start()
    yield eng
    eng.close()
    assert not errors, errors


@pytest.fixture
def session_factory(speaker_running: None) -> Callable[..., Any]:
    """`async with session_factory(plan) as s`: see tests/audio/sessions.py."""
    return live_session
