"""One-line summaries of wire traffic for the protocol inspector and debug logs.

A summary names the kind, mime types, sizes and counts; never a payload (audio, images, typed or
spoken text, resumption handles) and never a credential.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from liveview.protocol import events as ev
from liveview.protocol import messages as msg


class Direction(Enum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True)
class WireRecord:
    """One message on the wire, for the inspector and the statistics: never a payload."""

    direction: Direction
    kind: str  # "realtimeInput.video", "serverContent+usageMetadata", "malformed", ...
    size: int  # bytes on the wire
    summary: str
    message: msg.ClientMessage | None = None  # what was sent (outgoing only)


class WireHook(Protocol):
    def __call__(self, record: WireRecord) -> None: ...


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


def _blob(mime: str, size: int) -> str:
    return f"{mime} {format_size(size)}"


def _chars(text: str) -> str:
    return f"{len(text)} chars"


def _setup_summary(config: msg.SetupConfig) -> str:
    words = [f"model={msg.model_resource_name(config.model)}"]
    if config.resumption_handle:
        words.append("resuming")
    if config.context_compression:
        words.append("compression")
    return " ".join(words)


def summarize_client_message(message: msg.ClientMessage) -> str:
    """Kinds, mime types, sizes and counts; never the audio, the picture or the words."""
    if isinstance(message, msg.Setup):
        return _setup_summary(message.config)
    if isinstance(message, msg.AudioChunk):
        return _blob(f"audio/pcm;rate={message.sample_rate_hz}", len(message.pcm))
    if isinstance(message, msg.VideoFrame):
        return _blob(message.mime_type, len(message.jpeg))
    if isinstance(message, msg.RealtimeText):
        return _chars(message.text)
    if isinstance(message, msg.ClientTurns):
        count, chars = len(message.turns), sum(len(t) for t in message.texts)
        done = ", turnComplete" if message.turn_complete else ""
        return f"{count} turn{'s' * (count != 1)}, {chars} chars{done}"
    if isinstance(message, msg.ToolResponse):
        names = ", ".join(r.name for r in message.responses)
        count = len(message.responses)
        return f"{count} response{'s' * (count != 1)}: {names}"
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
