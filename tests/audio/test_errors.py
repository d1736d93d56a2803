"""No sound server at all: liveview says so once and runs text-only."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from liveview.audio import AudioEngine, EchoMode, list_audio_devices
from liveview.audio.devices import NO_AUDIO_MESSAGE
from liveview.bench.pulse import MonitorRecorder, pactl, tone
from liveview.errors import AudioDeviceError
from tests.audio.conftest import MONITOR, SPEAKER

pytestmark = pytest.mark.pulse

SCRIPT = textwrap.dedent(
    """
    from liveview.audio import AudioEngine, list_audio_devices
    from liveview.errors import AudioDeviceError

    devices = list_audio_devices()
    print("TEXT_ONLY", devices.text_only)
    print("PROBLEM", devices.problem)
    with AudioEngine() as engine:
        for open_device in (engine.open_player, lambda: engine.open_microphone(print)):
            try:
                open_device()
            except AudioDeviceError as exc:
                print("ERROR", exc.user_message)
    """
)


def test_no_sound_server_means_text_only_with_a_clear_message(tmp_path: os.PathLike[str]) -> None:
    env = dict(
        os.environ, PULSE_SERVER=f"unix:{tmp_path}/nothing-here", PULSE_RUNTIME_PATH=str(tmp_path)
    )
    env.pop("PIPEWIRE_RUNTIME_DIR", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "TEXT_ONLY True" in lines
    assert f"PROBLEM {NO_AUDIO_MESSAGE}" in lines
    assert lines.count(f"ERROR {NO_AUDIO_MESSAGE}") == 2
    assert "Traceback" not in done.stderr


def test_the_test_server_lists_its_devices(speaker_running: None) -> None:
    devices = list_audio_devices()
    assert "liveview_speaker" in devices.outputs and "liveview_mic" in devices.inputs
    assert devices.default_output == "liveview_speaker" and devices.default_input == "liveview_mic"
    assert devices.problem is None and not devices.text_only


def _sink_inputs_on(sink: str) -> list[str]:
    """The server's stream ids playing to `sink` (pactl list short: id, sink id, client, ...)."""
    sink_ids = [line.split()[0] for line in pactl("list", "short", "sinks").splitlines()
                if line.split()[1] == sink]  # fmt: skip
    return [line.split()[0] for line in pactl("list", "short", "sink-inputs").splitlines()
            if line.split()[1] in sink_ids]  # fmt: skip


def test_a_speaker_removed_mid_session_is_reported_and_the_session_goes_on(
    speaker_running: None,
) -> None:
    """The test server (PulseAudio 16, scripts/test-env.sh) decides the outcome: unloading the
    null sink leaves the player's stream stalled (Qt 6.11 reports no error and the server asks for
    no more audio), so the stall watchdog must say so once, close it, and let the rest go on."""
    module = pactl(
        "load-module", "module-null-sink", "sink_name=lv_vanishing",
        "sink_properties=device.description=lv_vanishing",
    )  # fmt: skip
    # Qt learns of a new sink from PulseAudio's events, a moment later (longer on a busy machine).
    deadline = time.monotonic() + 10
    while "lv_vanishing" not in list_audio_devices().outputs and time.monotonic() < deadline:
        time.sleep(0.05)
    errors: list[AudioDeviceError] = []
    with AudioEngine(EchoMode.OFF, on_error=errors.append) as engine:
        player = engine.open_player("lv_vanishing")
        time.sleep(0.3)
        streams = _sink_inputs_on("lv_vanishing")
        assert len(streams) == 1, "the player's stream is not on the sink"
        pactl("unload-module", module)
        deadline = time.monotonic() + 10
        while not errors and time.monotonic() < deadline:
            time.sleep(0.05)
        player.push(bytes(4800), turn_id=1)  # the core may still push: never raises
        assert [str(e) for e in errors] == [
            "The speaker 'lv_vanishing' stopped taking audio; it may have been removed. "
            "Replies continue as text; choose another output to hear them."
        ]
        assert engine.player is None and engine.running
        # The session goes on: another speaker opens on the same engine and plays.
        with MonitorRecorder(MONITOR) as recorder:
            pushed = time.monotonic()
            engine.open_player(SPEAKER).push(tone(440, 0.3, 24000), turn_id=2)
            time.sleep(0.8)
            assert recorder.snapshot().first_sound_after(pushed) is not None
        assert len(errors) == 1
