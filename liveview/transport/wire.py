"""One-line summaries of wire traffic for the protocol inspector and debug logs.

A summary names the kind, mime types, sizes and counts; never a payload (audio, images, typed or
spoken text, resumption handles) and never a credential.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

from liveview.protocol import events as ev
from liveview.protocol.messages import message_kind

Direction = Literal["in", "out"]


class WireHook(Protocol):
    def __call__(self, direction: Direction, kind: str, size: int, summary: str) -> None: ...


def format_size(n_bytes: int) -> str:
    """Decimal units, the way a network inspector shows them: 640 B, 9.6 kB, 43 kB, 1.2 MB."""
    if n_bytes < 1000:
        return f"{n_bytes} B"
    if n_bytes < 1_000_000:
        kb = n_bytes / 1000
        return f"{kb:.1f} kB" if kb < 10 else f"{kb:.0f} kB"
    return f"{n_bytes / 1_000_000:.1f} MB"


def wire_size(text: str) -> int:
    """Bytes `text` takes on the wire (UTF-8); base64-heavy frames are ASCII, so this is cheap."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _b64_len(data: Any) -> int:
    if not isinstance(data, str):
        return 0
    return len(data) * 3 // 4 - data[-2:].count("=")


def _blob(blob: Any) -> str:
    if not isinstance(blob, Mapping):
        return "blob"
    mime = blob.get("mimeType", blob.get("mime_type", "?"))
    return f"{mime} {format_size(_b64_len(blob.get('data')))}"


def _chars(text: Any) -> str:
    return f"{len(text) if isinstance(text, str) else 0} chars"


def _setup_summary(body: Mapping[str, Any]) -> str:
    words = [f"model={body.get('model', '?')}"]
    resumption = body.get("sessionResumption")
    if isinstance(resumption, Mapping) and resumption.get("handle"):
        words.append("resuming")
    if "contextWindowCompression" in body:
        words.append("compression")
    return " ".join(words)


def _client_content_summary(body: Mapping[str, Any]) -> str:
    turns = body.get("turns") or []
    chars = sum(
        len(part.get("text", ""))
        for turn in turns
        if isinstance(turn, Mapping)
        for part in turn.get("parts", [])
        if isinstance(part, Mapping) and isinstance(part.get("text", ""), str)
    )
    done = ", turnComplete" if body.get("turnComplete") else ""
    return f"{len(turns)} turn{'s' * (len(turns) != 1)}, {chars} chars{done}"


def summarize_client_message(message: Mapping[str, Any]) -> str:
    kind = message_kind(message)
    (top,) = message.keys()
    body = message[top]
    if not isinstance(body, Mapping):
        return ""
    if top == "setup":
        return _setup_summary(body)
    if kind in ("realtimeInput.audio", "realtimeInput.video"):
        return _blob(body.get(kind.split(".")[1]))
    if kind == "realtimeInput.text":
        return _chars(body.get("text"))
    if top == "clientContent":
        return _client_content_summary(body)
    if top == "toolResponse":
        responses = body.get("functionResponses") or []
        names = ", ".join(str(r.get("name", "?")) for r in responses if isinstance(r, Mapping))
        return f"{len(responses)} response{'s' * (len(responses) != 1)}: {names}"
    return ""


def _event_summary(event: ev.Event) -> str:
    if isinstance(event, ev.ModelText):
        return f"{'thought' if event.thought else 'text'} {_chars(event.text)}"
    if isinstance(event, (ev.ModelAudio, ev.ModelInlineData)):
        return f"{event.mime_type} {format_size(len(event.data))}"
    if isinstance(event, (ev.InputTranscription, ev.OutputTranscription)):
        name = "input" if isinstance(event, ev.InputTranscription) else "output"
        name += "Transcription"
        return f"{name} {_chars(event.text)}{' finished' if event.finished else ''}"
    if isinstance(event, ev.ExecutableCode):
        return f"executableCode {event.language} {_chars(event.code)}"
    if isinstance(event, ev.CodeExecutionResult):
        return f"codeExecutionResult {event.outcome}"
    if isinstance(event, ev.Grounding):
        return f"grounding {len(event.sources)} sources"
    if isinstance(event, ev.TurnComplete):
        return f"turnComplete {event.reason}".strip()
    if isinstance(event, ev.ToolCall):
        return "toolCall " + ", ".join(call.name for call in event.calls)
    if isinstance(event, ev.ToolCallCancellation):
        return f"toolCallCancellation {len(event.ids)} ids"
    if isinstance(event, ev.GoAway):
        return f"goAway timeLeft={event.time_left_s:g}s"
    if isinstance(event, ev.SessionResumptionUpdate):
        # The handle resumes the session: treat it like a credential, never show it.
        return f"sessionResumptionUpdate resumable={str(event.resumable).lower()}"
    if isinstance(event, ev.UsageMetadata):
        return f"usageMetadata total={event.total_token_count} tokens"
    name = type(event).__name__
    return name[0].lower() + name[1:]


_SECTION_OF: tuple[tuple[type[ev.Event] | tuple[type[ev.Event], ...], str], ...] = (
    (ev.SetupComplete, "setupComplete"),
    (ev.ToolCall, "toolCall"),
    (ev.ToolCallCancellation, "toolCallCancellation"),
    (ev.UsageMetadata, "usageMetadata"),
    (ev.SessionResumptionUpdate, "sessionResumptionUpdate"),
    (ev.GoAway, "goAway"),
)


def server_message_kind(events: Sequence[ev.Event]) -> str:
    """The top-level fields one server message carried, e.g. `serverContent+usageMetadata`."""
    sections: list[str] = []
    for event in events:
        section = next((name for cls, name in _SECTION_OF if isinstance(event, cls)), None)
        section = section or "serverContent"
        if section not in sections:
            sections.append(section)
    return "+".join(sections) or "empty"


def summarize_server_events(events: Sequence[ev.Event]) -> str:
    return ", ".join(_event_summary(event) for event in events)
