"""The one exception tree of liveview.

LiveViewError
├── LocalError            something on this machine: configuration, devices, files
│   ├── ConfigError       bad settings or command-line values (exit code 3)
│   │   └── UsageError    the command line is ambiguous or malformed (exit code 2)
│   │       └── UnsupportedSettingError  a setting the chosen model does not take
│   ├── CaptureError      a frame source could not open or failed mid-stream
│   ├── AudioDeviceError  no sound server, a device gone, a format refused
│   └── LocalProtocolError  liveview itself tried to break the protocol (a bug)
└── RemoteError           something the far end did
    ├── RemoteProtocolError  the server sent something that is not the protocol
    ├── ConnectionFailedError the endpoint could not be reached or dropped (transient)
    └── ServiceError      the service closed the session with a code and reason
        ├── FatalServiceError     bad key/argument/model/quota/location: never retried
        └── TransientServiceError 1011 internal / unavailable: retried with backoff

Every error carries a message written for the person using the app: what happened and what to do,
and, when one setting fixes it, which (`setting`), so no caller ever matches message text.
Standard library only, so `protocol/` may import it.
"""

from __future__ import annotations

from enum import Enum, IntEnum


class Setting(Enum):
    """A setting the user can change to fix an error; the value is where the window shows it."""

    API_KEY = "Connection > API key"
    BACKEND = "Connection > Backend"
    URL = "Connection > URL"
    MODEL = "Model & voice > Model"
    VOICE = "Model & voice > Voice"
    REPLY_MODE = "Model & voice > Spoken replies"
    THINKING = "Model & voice > Thinking"
    TRANSCRIPTION_LANGUAGE = "Model & voice > Transcription languages"
    MEDIA_RESOLUTION = "Video > Media resolution"
    GOOGLE_SEARCH = "Tools > Google Search"
    CODE_EXECUTION = "Tools > Code execution"
    FUNCTIONS = "Tools > liveview's functions"
    HOTKEYS = "Desktop > Global hotkeys"
    SETUP_EXTRA = "the extra setup fields"

    @property
    def tab(self) -> str:
        """The Settings tab that holds it ("Connection", "Model & voice", ...)."""
        return self.value.split(" > ")[0]

    @property
    def label(self) -> str:
        return self.value.split(" > ")[-1]


class LiveViewError(Exception):
    """Root of every error liveview raises on purpose."""

    def __init__(self, message: str = "", *, setting: Setting | None = None) -> None:
        super().__init__(message)
        # The setting that fixes this, when one does (the window opens Settings there).
        self.setting = setting

    @property
    def user_message(self) -> str:
        return str(self)


class LocalError(LiveViewError):
    """Something on this machine went wrong."""


class ConfigError(LocalError):
    """Invalid settings or command-line values."""


class UsageError(ConfigError):
    """The command line asks for something ambiguous (several windows match --source window:)
    or malformed: the user must say it differently. Headless exits with code 2."""


class UnsupportedSettingError(UsageError):
    """A setting the chosen model does not take (`--tools code` on gemini-3.8-live)."""


class CaptureError(LocalError):
    """A frame source could not be opened or failed while streaming."""


class AudioDeviceError(LocalError):
    """An audio device is missing, vanished, or refused the format."""


class LocalProtocolError(LocalError):
    """liveview tried to do something the protocol forbids (e.g. media before setupComplete)."""


class RemoteError(LiveViewError):
    """Something the far end did."""


class RemoteProtocolError(RemoteError):
    """The server sent a message that is not valid Live protocol."""


class ConnectionFailedError(RemoteError):
    """The endpoint could not be reached, or the connection dropped without a close frame."""


class ServiceError(RemoteError):
    """The service closed the session with a WebSocket close code and a reason text."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        reason: str = "",
        setting: Setting | None = None,
    ) -> None:
        super().__init__(message, setting=setting)
        self.code = code
        self.reason = reason


class FatalServiceError(ServiceError):
    """Bad key, bad argument, unknown or retired model, quota, location: retrying cannot help."""


class TransientServiceError(ServiceError):
    """Internal error or unavailable: retry with backoff, capped."""


class ExitCode(IntEnum):
    """How a liveview process ends, the same for every command and the window."""

    OK = 0
    FAILED = 1  # a self-test or a check that did not pass
    USAGE = 2  # the command line must say it differently (a setting the model does not take)
    CONFIG = 3  # configuration or authentication: retrying will not help
    CONNECTION = 4  # the endpoint could not be reached / the connection could not be held


def exit_code_for(error: LiveViewError) -> ExitCode:
    if isinstance(error, UsageError):
        return ExitCode.USAGE
    if isinstance(error, (ConfigError, FatalServiceError)):
        return ExitCode.CONFIG
    return ExitCode.CONNECTION
