"""--listen: the option and the plan it makes, the mixer, and both sources mixed on real devices."""

from __future__ import annotations

import argparse
import asyncio
import time

import numpy as np
import pytest

from liveview.audio.echo import EchoMode
from liveview.audio.listen import Listen
from liveview.audio.mix import SystemMix
from liveview.bench.pulse import SinkFeeder, espeak_pcm
from liveview.cli.options import add_session_options, audio_plan_from_args
from liveview.core.session_audio import AudioPlan
from tests.audio.conftest import MIC_FEED, SPEAKER
from tests.audio.signal_tools import envelope_match, power_db


def plan(*argv: str, headless: bool = True) -> AudioPlan:
    parser = argparse.ArgumentParser()
    add_session_options(parser)
    return audio_plan_from_args(parser.parse_args(list(argv)), headless=headless)


def test_the_option_makes_the_plan() -> None:
    assert plan().listen is Listen.MIC and not plan().mic  # headless: nothing unless asked
    assert (
        plan("--listen", "system").listen_mode is Listen.SYSTEM
        and not plan("--listen", "system").mic
    )
    assert plan("--listen", "both").mic  # both means the microphone too
    assert not plan("--listen", "system", "--mic").mic  # system alone sends no microphone
    assert plan("--listen", "both", "--no-mic").mic is False
    assert plan(headless=False).mic and plan("--echo", "half-duplex").echo is EchoMode.HALF_DUPLEX
    parser = argparse.ArgumentParser()
    add_session_options(parser)
    with pytest.raises(SystemExit):  # argparse names the choices
        parser.parse_args(["--listen", "speakers"])


def test_plans_parse_their_strings_and_name_the_choices() -> None:
    assert AudioPlan(listen="BOTH").listen_mode is Listen.BOTH
    assert AudioPlan(echo="half_duplex").echo_mode is EchoMode.HALF_DUPLEX
    with pytest.raises(ValueError, match="choose mic, system, both"):
        AudioPlan(listen="speakers").listen_mode  # noqa: B018
    with pytest.raises(ValueError, match="choose cancel, half-duplex, off"):
        AudioPlan(echo="loud").echo_mode  # noqa: B018


def test_the_mixer_adds_what_is_held_and_bounds_it() -> None:
    mix = SystemMix(backlog_ms=10)  # 160 samples
    mic = np.full(320, 1000, dtype="<i2").tobytes()
    assert mix.mix(mic) == mic  # nothing held: the microphone alone
    mix.add(np.full(100, 32000, dtype="<i2").tobytes())
    out = np.frombuffer(mix.mix(mic), dtype="<i2")
    assert out[:100].tolist() == [32767] * 100 and out[100:].tolist() == [1000] * 220  # clipped
    mix.add(np.arange(400, dtype="<i2").tobytes())  # 400 samples into room for 160
    assert mix.dropped_bytes == 480
    out = np.frombuffer(mix.mix(mic), dtype="<i2")
    assert out[:160].tolist() == list(range(240 + 1000, 400 + 1000))  # the newest were kept


@pytest.mark.pulse
async def test_both_sends_the_microphone_and_the_computer_mixed_with_each_level(
    session_factory,
    mic_feed_running: None,  # type: ignore[no-untyped-def]
) -> None:
    voice = espeak_pcm("Hello, can you hear me over the video?", 16000)
    video = espeak_pcm("Welcome back to the channel, today we cook pasta.", 16000, voice="en+f3")
    async with session_factory(AudioPlan(mic=True, speaker=False, listen="both")) as s:
        assert s.audio.mic is not None and s.audio.system is not None and s.audio.state.system
        await asyncio.sleep(0.5)
        start = time.monotonic()
        mic_feed = await asyncio.to_thread(SinkFeeder, MIC_FEED, 16000)
        await asyncio.to_thread(mic_feed.write, voice)
        sink = await asyncio.to_thread(SinkFeeder, SPEAKER, 16000)
        await asyncio.to_thread(sink.write, video)
        levels = []
        for _ in range(20):
            levels.append(s.audio.levels)
            await asyncio.sleep(0.1)
        await asyncio.to_thread(mic_feed.close)
        await asyncio.to_thread(sink.close)
        sent = s.sent.between(start, time.monotonic())
    voice_match = envelope_match(np.frombuffer(voice, dtype="<i2"), sent)
    video_match = envelope_match(np.frombuffer(video, dtype="<i2"), sent)
    print(f"both: sent {power_db(sent):.1f} dB; voice {voice_match:.2f}, video {video_match:.2f}")
    assert power_db(sent) > 60
    assert max(m for m, _ in levels) > 0.3 and max(x for _, x in levels) > 0.3  # each level shown
    # One stream to the model at the microphone's pace: 20 ms chunks, not two streams.
    assert {len(p) for _, p in s.sent.chunks} == {640}
