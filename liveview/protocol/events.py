"""Server events: what one server message means, as frozen dataclasses.

One server message can carry several fields; the parser yields one event per fact, in the order
a client should act on them (see parser.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    """Base class of every server event."""


@dataclass(frozen=True)
class SetupComplete(Event):
    """setupComplete: the session is configured; media may flow now."""

    session_id: str = ""  # setupComplete.sessionId, when the service gives one


@dataclass(frozen=True)
class ModelText(Event):
    """serverContent.modelTurn.parts[].text (thought parts are flagged, not dropped)."""

    text: str
    thought: bool = False


@dataclass(frozen=True)
class ModelAudio(Event):
    """serverContent.modelTurn.parts[].inlineData with an audio/pcm mime type, already decoded."""

    data: bytes
    mime_type: str
    sample_rate_hz: int


@dataclass(frozen=True)
class ModelInlineData(Event):
    """serverContent.modelTurn.parts[].inlineData that is not audio (images, files)."""

    data: bytes
    mime_type: str


@dataclass(frozen=True)
class ExecutableCode(Event):
    """serverContent.modelTurn.parts[].executableCode: code the model runs with codeExecution."""

    code: str
    language: str


@dataclass(frozen=True)
class CodeExecutionResult(Event):
    """serverContent.modelTurn.parts[].codeExecutionResult."""

    outcome: str
    output: str


@dataclass(frozen=True)
class InputTranscription(Event):
    """serverContent.inputTranscription: what the user said, as the service heard it."""

    text: str
    finished: bool = False


@dataclass(frozen=True)
class InterimInputTranscription(Event):
    """serverContent.interimInputTranscription: a guess at what the user is saying, replaced by
    later ones and by the final inputTranscription."""

    text: str


@dataclass(frozen=True)
class OutputTranscription(Event):
    """serverContent.outputTranscription: the text of the model's spoken reply."""

    text: str
    finished: bool = False


@dataclass(frozen=True)
class GroundingSource:
    title: str
    uri: str


@dataclass(frozen=True)
class Grounding(Event):
    """serverContent.groundingMetadata: the web sources a reply used."""

    sources: tuple[GroundingSource, ...]
    queries: tuple[str, ...] = ()
    # searchEntryPoint.renderedContent: the search suggestions as HTML, which the terms of
    # Search grounding require to be shown as delivered.
    rendered_content: str = ""


@dataclass(frozen=True)
class Interrupted(Event):
    """serverContent.interrupted: the user barged in; drop all queued playback now."""


@dataclass(frozen=True)
class GenerationComplete(Event):
    """serverContent.generationComplete: the model has produced everything for this turn."""


@dataclass(frozen=True)
class TurnComplete(Event):
    """serverContent.turnComplete (with turnCompleteReason when the service gives one)."""

    reason: str = ""


@dataclass(frozen=True)
class WaitingForInput(Event):
    """serverContent.waitingForInput: the model waits for the user."""


@dataclass(frozen=True)
class InteractionStatus(Event):
    """serverContent.interactionStatus (extended thinking): IN_PROGRESS while the model works in
    the background, possibly over several spoken turns; IDLE once the whole request is done."""

    status: str

    @property
    def idle(self) -> bool:
        return self.status == "IDLE"


@dataclass(frozen=True)
class VoiceActivity(Event):
    """voiceActivity: the service's voice detection heard the user start or stop."""

    kind: str  # ACTIVITY_START | ACTIVITY_END
    audio_offset_s: float | None = None


@dataclass(frozen=True)
class FunctionCall:
    id: str
    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ToolCall(Event):
    """toolCall.functionCalls: answer each with a toolResponse carrying its id."""

    calls: tuple[FunctionCall, ...]


@dataclass(frozen=True)
class ToolCallCancellation(Event):
    """toolCallCancellation.ids: these calls must not be answered any more."""

    ids: tuple[str, ...]


@dataclass(frozen=True)
class GoAway(Event):
    """goAway: the connection will be cut after time_left_s; reconnect before then."""

    time_left_s: float


@dataclass(frozen=True)
class SessionResumptionUpdate(Event):
    """sessionResumptionUpdate: keep new_handle when resumable is true."""

    new_handle: str
    resumable: bool
    last_consumed_client_message_index: int | None = None


@dataclass(frozen=True)
class UsageMetadata(Event):
    """usageMetadata: token counts so far."""

    prompt_token_count: int = 0
    response_token_count: int = 0
    total_token_count: int = 0
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ProtocolErrorEvent(Event):
    """A server message that was not valid Live protocol. It was skipped; the session goes on."""

    message: str
