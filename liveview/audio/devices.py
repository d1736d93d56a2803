"""Audio devices through Qt Multimedia: the Qt application object, listing, lookup by name."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QLoggingCategory
from PySide6.QtMultimedia import QAudioDevice, QMediaDevices

from liveview.errors import AudioDeviceError

# What to look at when Qt lists no device, in each OS's terms: PulseAudio/PipeWire are Linux's
# sound servers; Windows (WASAPI) and macOS (CoreAudio) have theirs built in.
_NO_AUDIO_HINTS = {
    "win32": "No audio device was found (is one connected and enabled in Settings > System > "
    "Sound?)",
    "darwin": "No audio device was found (is one connected, and selected in System Settings > "
    "Sound?)",
}


def no_audio_message(platform: str = sys.platform) -> str:
    """What the user is told when there is no audio device at all, on this OS."""
    hint = _NO_AUDIO_HINTS.get(
        platform, "No sound server or audio device was found (is PulseAudio/PipeWire running?)"
    )
    return f"{hint}; liveview runs text-only: no microphone, no spoken replies."


NO_AUDIO_MESSAGE = no_audio_message()

_app_lock = threading.Lock()
_app: QCoreApplication | None = None


def ensure_qt_app() -> QCoreApplication:
    """The process's Qt application; creates a QCoreApplication when none exists (headless).

    In GUI mode the QApplication already exists and is returned. Call this from the main thread
    before starting an AudioEngine: Qt wants its application object born there.
    """
    global _app
    with _app_lock:
        app = QCoreApplication.instance()
        if app is None:
            app = QCoreApplication(["liveview"])
            _app = app  # keep it alive for the life of the process
        if not _quiet_rules_set:
            _quiet_qt_multimedia()
        return app


_quiet_rules_set = False


def _quiet_qt_multimedia() -> None:
    """The "pipewire library not found" probe and the FFmpeg banner are noise on stderr.

    QT_LOGGING_RULES from the environment still wins, for debugging.
    """
    global _quiet_rules_set
    QLoggingCategory.setFilterRules(
        "qt.multimedia.symbolsresolver.warning=false\nqt.multimedia.ffmpeg.info=false"
    )
    _quiet_rules_set = True


@dataclass(frozen=True)
class AudioDevices:
    """Device names (descriptions, as the user sees them in the system's sound settings)."""

    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    default_input: str | None = None
    default_output: str | None = None

    @property
    def has_input(self) -> bool:
        return bool(self.inputs)

    @property
    def has_output(self) -> bool:
        return bool(self.outputs)

    @property
    def text_only(self) -> bool:
        """No device at all (typically no sound server): run the session text-only."""
        return not self.inputs and not self.outputs

    @property
    def problem(self) -> str | None:
        """A message to show once when audio is missing, else None."""
        if self.text_only:
            return NO_AUDIO_MESSAGE
        if not self.inputs:
            return "No microphone was found; liveview plays replies but cannot listen."
        if not self.outputs:
            return "No speaker or headphones were found; replies are shown as text only."
        return None


def list_audio_devices() -> AudioDevices:
    """What Qt sees right now. Never raises: an empty result means text-only (see `.problem`)."""
    ensure_qt_app()
    default_in = QMediaDevices.defaultAudioInput()
    default_out = QMediaDevices.defaultAudioOutput()
    return AudioDevices(
        inputs=[d.description() for d in QMediaDevices.audioInputs()],
        outputs=[d.description() for d in QMediaDevices.audioOutputs()],
        default_input=None if default_in.isNull() else default_in.description(),
        default_output=None if default_out.isNull() else default_out.description(),
    )


def find_device(name: str | None, *, output: bool) -> QAudioDevice:
    """The device called `name` (its description, or its system id), or the default for None."""
    ensure_qt_app()
    kind = "speaker" if output else "microphone"
    devices = QMediaDevices.audioOutputs() if output else QMediaDevices.audioInputs()
    if not devices:
        raise AudioDeviceError(NO_AUDIO_MESSAGE)
    if name is None:
        default = (
            QMediaDevices.defaultAudioOutput() if output else QMediaDevices.defaultAudioInput()
        )
        return default if not default.isNull() else devices[0]
    for device in devices:
        if name in (device.description(), bytes(device.id().data()).decode(errors="replace")):
            return device
    known = ", ".join(repr(d.description()) for d in devices)
    flag = "--speaker-device" if output else "--mic-device"
    raise AudioDeviceError(f"There is no {kind} called {name!r}. Choose one of: {known} ({flag}).")
