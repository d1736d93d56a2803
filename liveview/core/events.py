"""Events the session core emits to its listeners (the window, headless mode, the events file).

Protocol events (liveview.protocol.events) are forwarded as they are; these are the core's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from liveview.errors import LiveViewError, Setting
from liveview.transport.wire import Direction


class ConnectionState(Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    ERROR = "error"
    ENDED = "ended"


@dataclass(frozen=True)
class SessionOpening:
    """A session is about to connect to `description` (never a key)."""

    description: str


@dataclass(frozen=True)
class StateChanged:
    state: ConnectionState
    detail: str = ""


class NoticeLevel(Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Notice:
    """Something the user should read once (e.g. "no audio device: text only")."""

    message: str
    level: NoticeLevel = NoticeLevel.INFO


@dataclass(frozen=True)
class SessionFailed:
    """The session stopped for good; `error.user_message` says what to do."""

    error: LiveViewError

    @property
    def setting(self) -> Setting | None:
        """The setting that fixes it, when one does."""
        return self.error.setting


@dataclass(frozen=True)
class UserText:
    """A typed turn the user sent (or queued while reconnecting)."""

    text: str
    queued: bool = False


@dataclass(frozen=True)
class ReplyCutOff:
    """The user barged in; heard_ms of the reply had actually been played."""

    heard_ms: float


@dataclass(frozen=True)
class ToolAnswered:
    """liveview answered the model's function call `call_id` with `result`."""

    call_id: str
    name: str
    result: dict[str, Any]


@dataclass(frozen=True)
class Reconnected:
    """A new connection carries the session on (resumed=False: a fresh session)."""

    resumed: bool
    gap_s: float
    reason: str


@dataclass(frozen=True)
class WireMessage:
    """One message on the wire, for the protocol inspector. Never carries a payload or a key."""

    direction: Direction
    kind: str
    size: int
    summary: str
    at: float


@dataclass(frozen=True)
class ProtocolProblem:
    """A malformed server message was skipped; the session goes on."""

    message: str
