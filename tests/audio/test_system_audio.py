"""--listen system on a real PulseAudio: what another process plays on the default sink reaches the
local server; liveview's own spoken reply, playing on the same sink, comes back far below it; a
missing monitor and a removed output are said, and the session goes on."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from liveview.audio.formats import StreamResampler
from liveview.audio.loopback import NO_LOOPBACK_MACOS, find_loopback
from liveview.bench.pulse import KeepRunning, MonitorRecorder, SinkFeeder, espeak_pcm, pactl
from liveview.core.session_audio import AudioPlan
from liveview.errors import AudioDeviceError
from liveview.protocol import events as ev
from liveview.server.app import LocalLiveServer
from tests.audio.conftest import MONITOR, SPEAKER
from tests.audio.sessions import wait_for
from tests.audio.signal_tools import envelope_match, power_db

pytestmark = pytest.mark.pulse
RATE = 16000
OTHER_TEXT = "The quarterly meeting starts at nine. Please bring the budget figures and the plan."
SELF_ECHO_LIMIT_DB = 25.0


def to_16k(samples24k: np.ndarray) -> bytes:
    return StreamResampler(24000, RATE).process_bytes(samples24k.astype("<i2").tobytes(), last=True)


def received_audio(server: LocalLiveServer) -> np.ndarray:
    """Every realtimeInput.audio blob the local server received on its first connection."""
    blobs = [
        m["realtimeInput"]["audio"]["data"]
        for m in server.received[0]
        if "audio" in m.get("realtimeInput", {})
    ]
    return np.frombuffer(b"".join(base64.b64decode(b) for b in blobs), dtype="<i2")


async def test_what_another_program_plays_reaches_the_local_server(session_factory) -> None:  # type: ignore[no-untyped-def]
    speech = espeak_pcm(OTHER_TEXT, RATE)
    async with session_factory(AudioPlan(mic=False, speaker=False, listen="system")) as s:
        assert s.audio.state.system and s.audio.mic is None and s.audio.player is None
        await asyncio.sleep(0.5)
        with MonitorRecorder(MONITOR) as monitor:
            played_at = time.monotonic()
            player = await asyncio.to_thread(SinkFeeder, SPEAKER, RATE)  # another process
            await asyncio.to_thread(player.write, speech)
            await asyncio.to_thread(player.close)  # returns once pacat has played it all
            await asyncio.sleep(0.5)
            level = s.audio.system_level
            end = time.monotonic()
            recording = monitor.snapshot()
        sent = s.sent.between(played_at, end)
        await asyncio.sleep(0.3)
        got = received_audio(s.server)  # type: ignore[attr-defined]
    # What the default sink carried (the monitor, recorded by parec) is what was sent.
    played = np.frombuffer(to_16k(recording.samples[recording.index_at(played_at) :]), "<i2")
    reference = np.frombuffer(speech, dtype="<i2")
    match, to_reference = envelope_match(played, sent), envelope_match(reference, sent)
    print(f"sent {power_db(sent):.1f} dB, played {power_db(played):.1f} dB; envelope match "
          f"with the sink {match:.2f}, with the speech {to_reference:.2f}")  # fmt: skip
    assert power_db(played) > 60, "the other program's speech did not play on the sink"
    assert match > 0.8, "what the sink played is not what was sent"
    assert abs(power_db(sent) - power_db(played)) < 3  # at its own level
    # The server got what was sent (its record of realtimeInput.audio), speech and all.
    assert len(got) >= len(sent) and envelope_match(played, got) > 0.8
    assert 0.0 <= level <= 1.0


async def test_liveview_own_reply_comes_back_far_below_what_else_plays(session_factory) -> None:  # type: ignore[no-untyped-def]
    plan = AudioPlan(mic=False, speaker=True, listen="system", echo="off")
    other = espeak_pcm(OTHER_TEXT, RATE, voice="en+f3")
    # Push-to-talk: the server's voice detection would take the other program's speech for the
    # user talking over the reply and cut it off; this test wants both to play at once.
    async with session_factory(plan, push_to_talk=True) as s:
        with MonitorRecorder(MONITOR) as monitor:
            s.controller.send_text("describe everything you can, at length")
            await wait_for(lambda: s.audio.player.is_playing)
            started = time.monotonic()
            await asyncio.sleep(2.0)  # the reply alone: what comes back of it is the self-echo
            alone_end = time.monotonic()
            feeder = await asyncio.to_thread(SinkFeeder, SPEAKER, RATE)  # and now someone else
            talk_at = time.monotonic()
            await asyncio.to_thread(feeder.write, other)
            await asyncio.sleep(0.5)
            still_playing = s.audio.player.is_playing
            await asyncio.to_thread(feeder.close)
            talk_end = time.monotonic()
            recording = monitor.snapshot()
    # Steady state (past the canceller's first half second): the reply alone.
    window = (started + 0.5, alone_end)
    raw = recording.samples[recording.index_at(window[0]) : recording.index_at(window[1])]
    sent = s.sent.between(*window)
    whole = s.sent.between(started, alone_end)
    raw_whole = recording.samples[recording.index_at(started) : recording.index_at(alone_end)]
    down = power_db(raw) - power_db(sent)
    down_whole = power_db(raw_whole) - power_db(whole)
    print(f"self-echo: monitor {power_db(raw):.1f} dB, sent {power_db(sent):.1f} dB: {down:.1f} dB "
          f"below (from the first sound: {down_whole:.1f} dB)")  # fmt: skip
    assert power_db(raw) > 40, "the reply did not play on the default sink"
    assert down >= SELF_ECHO_LIMIT_DB, f"the model's own voice came back only {down:.1f} dB down"
    # Another program's speech over the reply still gets through, loud (the canceller's
    # suppressor shapes it while both play: its envelope match is printed, not asserted).
    assert still_playing, "the reply ended before the other speech: nothing was double talk"
    over = s.sent.between(talk_at, talk_end)
    during = envelope_match(np.frombuffer(other, dtype="<i2"), over)
    print(f"other speech over the reply: {power_db(over):.1f} dB sent, envelope match {during:.2f}")
    assert power_db(over) - power_db(sent) > 20


def run_script(
    script: str, env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    # A file, not `python -c`: soundcard names its client after sys.argv[1] when argv[0] is "-c".
    path = tmp_path / "find_loopback.py"
    path.write_text(textwrap.dedent(script))
    return subprocess.run(
        [sys.executable, str(path)], env=env, capture_output=True, text=True, timeout=60
    )


FIND = """
from liveview.audio.loopback import find_loopback
from liveview.errors import AudioDeviceError
try:
    print("FOUND", find_loopback().id)
except AudioDeviceError as exc:
    print("ERROR", exc.user_message)
"""


@pytest.fixture
def bare_pulse(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A real PulseAudio with nothing loaded but its socket: no output, so no monitor at all."""
    runtime = tmp_path / "pulse"
    runtime.mkdir()
    env = dict(os.environ, PULSE_RUNTIME_PATH=str(runtime), PULSE_STATE_PATH=str(runtime))
    env.pop("PULSE_SERVER", None)
    daemon = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--system=false",
         "--disallow-exit", "--use-pid-file=false", "-L", "module-native-protocol-unix"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode:
            assert time.monotonic() < deadline, "the bare PulseAudio did not start"
            time.sleep(0.1)
        yield env
    finally:
        daemon.terminate()
        daemon.wait(10)


def test_no_monitor_source_is_a_clear_message(bare_pulse: dict[str, str], tmp_path: Path) -> None:
    done = run_script(FIND, bare_pulse, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "ERROR There is no output to listen to (no default speaker). System audio is off; the "
        "microphone still works."
    )


def test_no_sound_server_and_macos_are_clear_messages(tmp_path: Path) -> None:
    env = dict(os.environ, PULSE_SERVER=f"unix:{tmp_path}/none", PULSE_RUNTIME_PATH=str(tmp_path))
    done = run_script(FIND, env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ERROR System audio needs a sound server (PulseAudio or PipeWire")
    assert "the microphone still works" in done.stdout
    with pytest.raises(AudioDeviceError) as info:
        find_loopback(platform="darwin")
    assert info.value.user_message == NO_LOOPBACK_MACOS and "loopback device" in NO_LOOPBACK_MACOS


def test_the_default_output_is_listened_to(speaker_running: None) -> None:
    assert find_loopback().id == f"{SPEAKER}.monitor"  # scripts/test-env.sh's default sink


@pytest.fixture
def vanishing_default() -> Iterator[str]:
    """A null sink made the default output for the test; the test unloads it (module id)."""
    module = pactl("load-module", "module-null-sink", "sink_name=lv_system",
                   "sink_properties=device.description=lv_system")  # fmt: skip
    pactl("set-default-sink", "lv_system")
    keeper = KeepRunning("lv_system")
    try:
        yield module
    finally:
        keeper.close()
        pactl("set-default-sink", SPEAKER)
        if "lv_system" in pactl("list", "short", "sinks"):
            pactl("unload-module", module)


async def test_an_output_removed_mid_session_is_said_and_the_session_goes_on(
    session_factory,
    vanishing_default: str,  # type: ignore[no-untyped-def]
) -> None:
    async with session_factory(AudioPlan(mic=False, speaker=False, listen="system")) as s:
        assert s.audio.system is not None and s.audio.state.system
        await asyncio.sleep(0.5)
        chunks = len(s.sent.chunks)
        assert chunks > 10, "nothing was listened to before the output went"
        await asyncio.to_thread(pactl, "unload-module", vanishing_default)
        await wait_for(lambda: any("System audio stopped" in n for n in s.notices()), 10)
        assert not s.audio.state.system and s.audio.system is None
        stopped = len(s.sent.chunks)
        await asyncio.sleep(0.5)
        assert len(s.sent.chunks) == stopped  # nothing else is quietly listened to instead
        s.controller.send_text("what do you see?")  # the session goes on
        await wait_for(lambda: s.count(ev.TurnComplete) >= 1)
    notice = next(n for n in s.notices() if "System audio stopped" in n)
    assert notice == (
        "System audio stopped: 'Monitor of lv_system' is gone (its output was removed). "
        "The session goes on."
    )
