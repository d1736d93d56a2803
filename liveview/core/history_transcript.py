"""The history's side of a live Transcript: finished entries become kept turns, and kept turns
become entries again (for the read-only view and the one export format).

`HistoryRecorder` subscribes to a Transcript and hands each entry to the history sink once it
is closed (a turn that ended), and again if it changes after that (a reply cut off once kept,
grounding sources that came late): the writer updates the same turn. It runs on the event loop
and only builds a small record and enqueues it. It knows nothing of the controller.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType

from liveview.core.history import (
    SessionMeta,
    StoredSession,
    ToolCallRecord,
    TurnInput,
    TurnRecord,
    TurnRole,
)
from liveview.core.history_writer import HistorySink, SessionKey
from liveview.core.transcript import LATENCY_META_KEY, Entry, Role, Transcript

# The transcript's roles as kept: (role, how the user said it).
KEPT_ROLES: Mapping[Role, tuple[TurnRole, TurnInput | None]] = MappingProxyType(
    {
        Role.USER_SPEECH: (TurnRole.USER, TurnInput.SPOKEN),
        Role.USER_TEXT: (TurnRole.USER, TurnInput.TYPED),
        Role.MODEL: (TurnRole.MODEL, None),
        Role.CODE: (TurnRole.CODE, None),
        Role.CODE_RESULT: (TurnRole.CODE_RESULT, None),
        Role.TOOL: (TurnRole.TOOL, None),
        Role.NOTICE: (TurnRole.NOTICE, None),
    }
)
ENTRY_ROLES: Mapping[tuple[TurnRole, TurnInput | None], Role] = MappingProxyType(
    {kept: role for role, kept in KEPT_ROLES.items()}
)


def _tool_call(entry: Entry) -> ToolCallRecord:
    """The transcript writes a call as `name({json args})`: read the arguments back."""
    name = entry.meta.get("name", "")
    args: dict[str, object] = {}
    inner = entry.text[len(name) + 1 : -1] if entry.text.startswith(f"{name}(") else ""
    try:
        parsed = json.loads(inner) if inner else {}
        args = parsed if isinstance(parsed, dict) else {}
    except json.JSONDecodeError:
        args = {}
    return ToolCallRecord(entry.meta.get("id", ""), name, args, entry.meta.get("answer"))


def _latency(entry: Entry) -> float | None:
    try:
        return float(entry.meta[LATENCY_META_KEY])
    except (KeyError, ValueError):
        return None


def turn_from_entry(seq: int, entry: Entry) -> TurnRecord | None:
    """The turn to keep for a transcript entry; None for an entry with nothing in it."""
    if not entry.text.strip() and not entry.sources and entry.role is not Role.TOOL:
        return None
    role, how = KEPT_ROLES[entry.role]
    return TurnRecord(
        seq=seq,
        at=entry.started_at,
        role=role,
        text=entry.text,
        input=how,
        interrupted=entry.interrupted,
        heard_ms=entry.heard_ms,
        tool_calls=(_tool_call(entry),) if entry.role is Role.TOOL else (),
        sources=tuple(entry.sources),
        meta=dict(entry.meta),
        latency_ms=_latency(entry),
    )


def entry_from_turn(turn: TurnRecord) -> Entry:
    role = ENTRY_ROLES.get((turn.role, turn.input), Role.NOTICE)
    return Entry(
        role=role,
        text=turn.text,
        started_at=turn.at,
        open=False,
        interrupted=turn.interrupted,
        heard_ms=turn.heard_ms,
        sources=list(turn.sources),
        meta=dict(turn.meta),
    )


def transcript_of(session: StoredSession) -> Transcript:
    """A stored session as a (finished) Transcript: the read-only view and the exports."""
    transcript = Transcript()
    transcript.entries = [entry_from_turn(t.record) for t in session.turns]
    return transcript


def _no_frame() -> bytes | None:
    return None


class HistoryRecorder:
    """Keeps one session's finished turns. Call `finish()` when the session ends."""

    def __init__(
        self,
        transcript: Transcript,
        sink: HistorySink,
        meta: SessionMeta,
        *,
        frame: Callable[[], bytes | None] = _no_frame,
    ) -> None:
        """`frame()` returns the newest JPEG sent to the model (or None): asked once per user
        turn, when it ends, for its thumbnail. It must be cheap (return a reference)."""
        self._transcript = transcript
        self._sink = sink
        self._frame = frame
        self.key: SessionKey = sink.begin_session(meta)
        # A transcript may carry earlier sessions (the window keeps its panel): only what
        # comes after this point belongs to this session.
        self._start = len(transcript.entries)
        self._kept: dict[int, TurnRecord] = {}
        self._finished = False
        transcript.subscribe(self._on_changed)

    @property
    def start(self) -> int:
        """The first transcript entry of this session."""
        return self._start

    def _on_changed(self, index: int) -> None:
        if self._finished or index < self._start:
            return
        entry = self._transcript.entries[index]
        if not entry.open:
            self._keep(index, entry)

    def _keep(self, index: int, entry: Entry) -> None:
        record = turn_from_entry(index - self._start, entry)
        if record is None or self._kept.get(index) == record:
            return
        if index not in self._kept and record.role is TurnRole.USER:
            record = replace(record, frame_jpeg=self._frame())
        self._kept[index] = record
        self._sink.add_turn(self.key, record)

    def finish(self, *, tokens_used: int | None = None, cost_usd: float | None = None) -> None:
        """The session ended: keep the turn still in progress as it stands, and close the
        session. Later changes to the transcript are not recorded."""
        if self._finished:
            return
        for index in range(self._start, len(self._transcript.entries)):
            entry = self._transcript.entries[index]
            if entry.open:
                self._keep(index, entry)
        self._finished = True
        self._sink.end_session(self.key, tokens_used=tokens_used, cost_usd=cost_usd)
