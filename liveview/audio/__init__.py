"""Microphone capture and reply playback on one audio thread, echo cancellation, jitter buffer.

Public API (thread-safe unless noted):
    ensure_qt_app()                      the QCoreApplication (created headless, reused in the GUI)
    list_audio_devices() -> AudioDevices inputs/outputs/defaults; `.text_only`, `.problem`
    AudioEngine(echo_mode, on_error)     start() / close(); open_microphone(...) / open_player(...)
    Microphone                           muted, level, level_dbfs, start(), stop(), close()
    ReplyPlayer                          push(pcm, turn_id, rate), end_turn, flush() -> heard ms,
                                         heard_ms(turn_id), is_playing, volume, underruns
    JitterBuffer, PlaybackEvent          pure, no Qt (what the player drains)
    EchoMode                             CANCEL (default), HALF_DUPLEX, OFF
    Listen                               --listen MIC (default), SYSTEM, BOTH
    SystemAudio                          the default output's loopback (engine.open_system_audio)
    SystemMix                            system audio mixed into the microphone's chunks (BOTH)
    pcm_rate_from_mime(mime) -> int      `audio/pcm;rate=N` (raises AudioDeviceError if malformed)

Who imports whom (no circles; tests/test_import_circles.py checks it):
    engine -> microphone, player, loopback -> thread, echo -> formats -> liveview.pcm
    player -> jitter -> preroll, stretch; player -> backlog; devices <- thread, microphone, player
    loopback -> listen; mix -> formats (pure); thread -> devices

The names are loaded on first use, so `liveview.audio.echo` or `.formats` can be imported (by the
CLI, the settings, the local server's tests) without loading Qt Multimedia.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from liveview.audio.devices import AudioDevices, ensure_qt_app, list_audio_devices
    from liveview.audio.echo import EchoMode
    from liveview.audio.engine import AudioEngine
    from liveview.audio.formats import MIC_RATE_HZ, REPLY_RATE_HZ, pcm_rate_from_mime
    from liveview.audio.jitter import JitterBuffer, PlaybackEvent
    from liveview.audio.listen import Listen
    from liveview.audio.loopback import SystemAudio
    from liveview.audio.microphone import Microphone
    from liveview.audio.mix import SystemMix
    from liveview.audio.player import ReplyPlayer

_WHERE = {
    "MIC_RATE_HZ": "formats",
    "REPLY_RATE_HZ": "formats",
    "pcm_rate_from_mime": "formats",
    "AudioDevices": "devices",
    "ensure_qt_app": "devices",
    "list_audio_devices": "devices",
    "EchoMode": "echo",
    "Listen": "listen",
    "SystemAudio": "loopback",
    "SystemMix": "mix",
    "AudioEngine": "engine",
    "JitterBuffer": "jitter",
    "PlaybackEvent": "jitter",
    "Microphone": "microphone",
    "ReplyPlayer": "player",
}

__all__ = [
    "MIC_RATE_HZ",
    "REPLY_RATE_HZ",
    "AudioDevices",
    "AudioEngine",
    "EchoMode",
    "JitterBuffer",
    "Listen",
    "Microphone",
    "PlaybackEvent",
    "ReplyPlayer",
    "SystemAudio",
    "SystemMix",
    "ensure_qt_app",
    "list_audio_devices",
    "pcm_rate_from_mime",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'liveview.audio' has no attribute {name!r}")
    return getattr(importlib.import_module(f"liveview.audio.{module}"), name)
