"""What the history keeps: sessions, turns and search hits, as frozen records (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

TITLE_MAX_CHARS = 80  # the list shows the first user words, cut at a word boundary


class TurnRole(StrEnum):
    USER = "user"
    MODEL = "model"
    TOOL = "tool"  # a function call and its answer
    CODE = "code"
    CODE_RESULT = "code_result"
    NOTICE = "notice"  # what liveview itself said (reconnects, errors)


class TurnInput(StrEnum):
    SPOKEN = "spoken"
    TYPED = "typed"


@dataclass(frozen=True)
class SessionMeta:
    """What is known when a session starts."""

    started_at: float  # unix seconds
    backend: str = ""
    model: str = ""
    source: str = ""
    profile: str = ""


@dataclass(frozen=True)
class ToolCallRecord:
    id: str
    name: str
    args: Mapping[str, Any] = field(default_factory=dict)
    result: str | None = None  # None: not answered (yet)


@dataclass(frozen=True)
class TurnRecord:
    """One finished turn. Writing the same `seq` of a session again updates that turn (a reply
    cut off after it was kept, sources that arrived late)."""

    seq: int
    at: float
    role: TurnRole
    text: str
    input: TurnInput | None = None
    interrupted: bool = False
    heard_ms: float | None = None
    tool_calls: tuple[ToolCallRecord, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()  # (title, uri)
    meta: Mapping[str, str] = field(default_factory=dict)
    latency_ms: float | None = None
    # The frame the model had at a user turn (the JPEG as sent); the writer makes the thumbnail
    # off the event loop. Not compared: a re-sent turn without it keeps its thumbnail.
    frame_jpeg: bytes | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class StoredTurn:
    id: int
    record: TurnRecord
    has_thumbnail: bool


@dataclass(frozen=True)
class SessionSummary:
    id: int
    started_at: float
    ended_at: float | None
    title: str
    backend: str
    model: str
    turns: int
    thumbnail: bytes | None = None


@dataclass(frozen=True)
class StoredSession:
    id: int
    meta: SessionMeta
    ended_at: float | None
    title: str
    tokens_used: int | None
    cost_usd: float | None
    turns: tuple[StoredTurn, ...]


def title_from(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0] or words[:limit]
    return cut + "…"


@dataclass(frozen=True)
class SearchHit:
    session_id: int
    turn_id: int
    started_at: float
    title: str
    role: TurnRole
    snippet: str
    score: float  # bm25: lower is better
    hits_in_session: int  # matching turns of that session among those ranked
