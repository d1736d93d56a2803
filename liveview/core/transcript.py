"""The conversation as it streams: a pure model the side panel and the exports read.

Feed it every event (protocol or core) with `apply(event, at)`; `at` is wall-clock seconds
(time.time()) so exports carry real timestamps.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from liveview.core import events as core
from liveview.protocol import events as ev

# The reply's latency (core.LatencyMeasured) rides on its entry, in milliseconds.
LATENCY_META_KEY = "latency_ms"


class Role(Enum):
    USER_SPEECH = "user_speech"  # inputTranscription
    USER_TEXT = "user_text"  # typed turns
    MODEL = "model"  # output transcription / text parts
    CODE = "code"  # executableCode
    CODE_RESULT = "code_result"  # codeExecutionResult
    TOOL = "tool"  # a function call and its answer
    NOTICE = "notice"  # reconnects, errors, what liveview itself says


@dataclass
class Entry:
    role: Role
    text: str
    started_at: float
    open: bool = True
    interrupted: bool = False
    heard_ms: float | None = None
    sources: list[tuple[str, str]] = field(default_factory=list)  # (title, uri)
    meta: dict[str, str] = field(default_factory=dict)


class Transcript:
    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self._listeners: list[Callable[[int], None]] = []
        self._handlers = self._build_handlers()
        self._pending_latency_ms: str | None = None  # measured before the reply's first words

    def subscribe(self, listener: Callable[[int], None]) -> None:
        """listener(index) is called whenever entry `index` was added or changed."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[int], None]) -> None:
        self._listeners = [f for f in self._listeners if f != listener]

    def _changed(self, index: int) -> None:
        for listener in self._listeners:
            listener(index)

    def _open_entry(self, role: Role) -> int | None:
        if role is Role.MODEL:
            # A reply stays open until its turnComplete or interruption: words of it that arrive
            # after the user typed a new turn (the service had not seen it yet) still belong to it.
            index = self._last_model()
            return index if index is not None and self.entries[index].open else None
        for i in range(len(self.entries) - 1, -1, -1):
            entry = self.entries[i]
            if entry.role is role and entry.open:
                return i
            if entry.role in (Role.MODEL, Role.USER_SPEECH, Role.USER_TEXT) and entry.role != role:
                return None
        return None

    def add_entry(self, entry: Entry) -> int:
        """A finished entry from elsewhere (a kept conversation being continued)."""
        return self._add(entry)

    def _add(self, entry: Entry) -> int:
        self.entries.append(entry)
        self._changed(len(self.entries) - 1)
        return len(self.entries) - 1

    def _append_text(self, role: Role, text: str, at: float, *, close: bool = False) -> None:
        index = self._open_entry(role)
        if index is None:
            index = self._add(Entry(role, "", at))
        entry = self.entries[index]
        entry.text += text
        if close:
            entry.open = False
        self._changed(index)

    def _close(self, role: Role) -> int | None:
        index = self._open_entry(role)
        if index is not None:
            self.entries[index].open = False
            self._changed(index)
        return index

    def _last_model(self) -> int | None:
        for i in range(len(self.entries) - 1, -1, -1):
            if self.entries[i].role is Role.MODEL:
                return i
        return None

    def apply(self, event: object, at: float) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event, at)

    def _build_handlers(self) -> dict[type, Callable[[Any, float], object]]:
        return {
            ev.InputTranscription: lambda e, at: self._append_text(
                Role.USER_SPEECH, e.text, at, close=e.finished
            ),
            core.UserText: self._on_user_text,
            ev.OutputTranscription: self._on_model_text,
            ev.ModelText: self._on_model_text,
            ev.ExecutableCode: lambda e, at: self._add(
                Entry(Role.CODE, e.code, at, open=False, meta={"language": e.language})
            ),
            ev.CodeExecutionResult: lambda e, at: self._add(
                Entry(Role.CODE_RESULT, e.output, at, open=False, meta={"outcome": e.outcome})
            ),
            ev.ToolCall: self._on_tool_call,
            ev.ToolCallCancellation: lambda e, at: self._finish_tools(e.ids, "cancelled"),
            ev.Grounding: lambda e, at: self._attach_sources(e),
            ev.Interrupted: lambda e, at: self._mark_interrupted(None),
            core.ReplyCutOff: lambda e, at: self._mark_interrupted(e.heard_ms),
            ev.TurnComplete: lambda e, at: (self._close(Role.MODEL), self._close(Role.USER_SPEECH)),
            core.Reconnected: self._on_reconnected,
            core.LatencyMeasured: self._on_latency,
            core.SessionFailed: lambda e, at: self._notice(e.error.user_message, "error", at),
            core.Notice: lambda e, at: self._notice(e.message, e.level, at),
        }

    def _on_user_text(self, event: core.UserText, at: float) -> None:
        self._close(Role.USER_SPEECH)
        meta = {"queued": "yes"} if event.queued else {}
        self._add(Entry(Role.USER_TEXT, event.text, at, open=False, meta=meta))

    def _on_model_text(self, event: ev.OutputTranscription | ev.ModelText, at: float) -> None:
        if isinstance(event, ev.ModelText) and event.thought:
            return
        self._close(Role.USER_SPEECH)
        self._append_text(Role.MODEL, event.text, at)
        self._attach_latency()

    def _on_latency(self, event: core.LatencyMeasured, at: float) -> None:
        # Spoken replies: the first sound comes before the first words of the transcript.
        self._pending_latency_ms = f"{event.seconds * 1000:.0f}"
        self._attach_latency()

    def _attach_latency(self) -> None:
        index = self._open_entry(Role.MODEL)
        if self._pending_latency_ms is None or index is None:
            return
        self.entries[index].meta[LATENCY_META_KEY] = self._pending_latency_ms
        self._pending_latency_ms = None
        self._changed(index)

    def _on_tool_call(self, event: ev.ToolCall, at: float) -> None:
        for call in event.calls:
            args = json.dumps(call.args, sort_keys=True)
            meta = {"id": call.id, "name": call.name}
            self._add(Entry(Role.TOOL, f"{call.name}({args})", at, meta=meta))

    def _on_reconnected(self, event: core.Reconnected, at: float) -> None:
        self._close(Role.MODEL)  # a reply cut by the drop does not go on in the new connection
        what = "resumed" if event.resumed else "started a fresh session"
        self._notice(f"Reconnected ({event.reason}); {what}.", "info", at)

    def _notice(self, message: str, level: str | Enum, at: float) -> None:
        # meta is JSON (exports, history): the level's name, not the enum.
        name = level.value if isinstance(level, Enum) else str(level)
        self._add(Entry(Role.NOTICE, message, at, open=False, meta={"level": name}))

    def record_tool_answer(self, call_id: str, answer: str) -> None:
        self._finish_tools((call_id,), answer)

    def _finish_tools(self, ids: tuple[str, ...], outcome: str) -> None:
        for i, entry in enumerate(self.entries):
            if entry.role is Role.TOOL and entry.meta.get("id") in ids and entry.open:
                entry.open = False
                entry.meta["answer"] = outcome
                self._changed(i)

    def _attach_sources(self, event: ev.Grounding) -> None:
        index = self._last_model()
        if index is None:
            index = self._add(Entry(Role.MODEL, "", 0.0))
        entry = self.entries[index]
        # groundingMetadata may come again for the same reply: each source is listed once.
        for source in event.sources:
            pair = (source.title or source.uri, source.uri)
            if pair not in entry.sources:
                entry.sources.append(pair)
        if event.rendered_content:
            # searchEntryPoint.renderedContent: Google's search suggestions, shown as
            # delivered (the terms of Search grounding require it); the newest one stands.
            entry.meta["search_entry_point"] = event.rendered_content
        self._changed(index)

    def _mark_interrupted(self, heard_ms: float | None) -> None:
        index = self._last_model()
        if index is None:
            return
        entry = self.entries[index]
        entry.interrupted = True
        entry.open = False
        if heard_ms is not None:
            entry.heard_ms = heard_ms
        self._changed(index)

    # -- export -------------------------------------------------------------------------------

    def to_json(self, session: Mapping[str, object] | None = None) -> str:
        """`session`: what is known of a kept session (history export), written first."""
        rows = []
        for entry in self.entries:
            row = asdict(entry)
            row["role"] = entry.role.value
            row["time"] = iso_time(entry.started_at)
            del row["open"]
            rows.append(row)
        doc: dict[str, object] = {"session": dict(session)} if session else {}
        doc["conversation"] = rows
        return json.dumps(doc, indent=2, ensure_ascii=False)

    def to_markdown(self, subtitle: str = "") -> str:
        lines = ["# liveview conversation", ""]
        if subtitle:
            lines += [f"*{subtitle}*", ""]
        for entry in self.entries:
            latency = entry.meta.get(LATENCY_META_KEY)
            after = f" · replied after {latency} ms" if latency else ""
            lines.append(f"**{ROLE_LABELS[entry.role]}** · {iso_time(entry.started_at)}{after}")
            lines.append("")
            if entry.role in (Role.CODE, Role.CODE_RESULT):
                lines += [f"```{entry.meta.get('language', '').lower()}", entry.text, "```"]
            else:
                lines.append(entry.text.strip() or "…")
            if entry.role is Role.TOOL and "answer" in entry.meta:
                lines.append(f"→ {entry.meta['answer']}")
            if entry.interrupted:
                heard = _heard_text(entry.heard_ms)
                lines.append(f"*(cut off by the user{heard})*")
            lines += [f"- [{title}]({uri})" for title, uri in entry.sources]
            lines.append("")
        return "\n".join(lines)


ROLE_LABELS = {  # how each role is named in the panel and the exports
    Role.USER_SPEECH: "You (spoken)",
    Role.USER_TEXT: "You",
    Role.MODEL: "Model",
    Role.CODE: "Code",
    Role.CODE_RESULT: "Code result",
    Role.TOOL: "Tool call",
    Role.NOTICE: "liveview",
}


def _heard_text(heard_ms: float | None) -> str:
    if heard_ms is None:
        return ""
    if heard_ms < 50:
        return " before any of it was heard"
    return f" after {heard_ms / 1000:.1f} s"


def iso_time(at: float) -> str:
    return datetime.fromtimestamp(at, tz=UTC).astimezone().isoformat(timespec="seconds")
