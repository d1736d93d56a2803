"""Every client message of the Live protocol as a frozen dataclass (h11's symmetry: the server's
messages are typed events, the client's are typed messages).

`message.to_wire()` is its JSON object, with exactly one top-level key, in camelCase (the service
accepts both casings but answers in camelCase; we send what it sends); `LiveSession.send()`
checks a message against the session's state and serialises it once. `SetupConfig` is what a
`setup` can carry; `build_setup` is its wire form (the server's tests send it as liveview does).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from liveview.pcm import pcm_duration_s  # standard library only, shared with server/ and audio/

JsonDict = dict[str, Any]

MIC_SAMPLE_RATE_HZ = 16_000
AUDIO_PCM_MIME_PREFIX = "audio/pcm"

MEDIA_RESOLUTIONS = ("MEDIA_RESOLUTION_LOW", "MEDIA_RESOLUTION_MEDIUM", "MEDIA_RESOLUTION_HIGH")
ACTIVITY_HANDLING = ("START_OF_ACTIVITY_INTERRUPTS", "NO_INTERRUPTION")
TURN_COVERAGE = (
    "TURN_INCLUDES_ONLY_ACTIVITY",
    "TURN_INCLUDES_ALL_INPUT",
    # gemini-3.8-live's default: every frame sent is paid for.
    "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO",
)
START_SENSITIVITY = ("START_SENSITIVITY_HIGH", "START_SENSITIVITY_LOW")
END_SENSITIVITY = ("END_SENSITIVITY_HIGH", "END_SENSITIVITY_LOW")
MODALITIES = ("AUDIO", "TEXT")
THINKING_LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH")
# functionDeclarations[].behavior; functionResponses[].scheduling (NON_BLOCKING calls only).
BEHAVIORS = ("BLOCKING", "NON_BLOCKING")
SCHEDULING = ("SILENT", "WHEN_IDLE", "INTERRUPT")


@dataclass(frozen=True)
class ActivityDetection:
    """realtimeInputConfig.automaticActivityDetection; disabled=True means push-to-talk."""

    disabled: bool = False
    start_sensitivity: str | None = None
    end_sensitivity: str | None = None
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None


@dataclass(frozen=True)
class FunctionDeclaration:
    name: str
    description: str
    # An OpenAPI-style schema object ({"type": "OBJECT", "properties": {...}}), or None.
    parameters: Mapping[str, Any] | None = None
    # BLOCKING / NON_BLOCKING; None leaves it to the model's default (3.8: NON_BLOCKING).
    behavior: str | None = None


@dataclass(frozen=True)
class SetupConfig:
    """Everything `setup` can carry. None means "leave it to the service's default"."""

    model: str
    response_modalities: tuple[str, ...] = ("AUDIO",)
    temperature: float | None = None
    max_output_tokens: int | None = None
    media_resolution: str | None = None
    voice_name: str | None = None
    language_code: str | None = None
    thinking_budget: int | None = None  # Gemini 2.5
    thinking_level: str | None = None  # Gemini 3.x: MINIMAL | LOW | MEDIUM | HIGH
    include_thoughts: bool | None = None
    enable_affective_dialog: bool | None = None
    system_instruction: str | None = None
    function_declarations: tuple[FunctionDeclaration, ...] = ()
    google_search: bool = False
    code_execution: bool = False
    activity_detection: ActivityDetection | None = None
    activity_handling: str | None = None
    turn_coverage: str | None = None
    # sessionResumption is always requested (PROTOCOL.md: the only way past the ~10 min connection
    # lifetime); `resumption_handle` resumes an earlier session.
    session_resumption: bool = True
    resumption_handle: str | None = None
    # contextWindowCompression.slidingWindow; without it audio+video sessions end after ~2 min.
    context_compression: bool = False
    compression_trigger_tokens: int | None = None
    compression_target_tokens: int | None = None
    input_transcription: bool = True
    # inputAudioTranscription.languageCodes (BCP-47), where the model takes them.
    input_transcription_languages: tuple[str, ...] = ()
    output_transcription: bool = True
    # historyConfig.initialHistoryInClientContent: earlier turns are seeded with clientContent.
    history_in_client_content: bool = False
    proactive_audio: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def model_resource_name(model: str) -> str:
    """`gemini-x` -> `models/gemini-x`; full resource names (models/..., projects/...) pass."""
    model = model.strip()
    if model.startswith(("models/", "projects/", "tunedModels/")):
        return model
    return f"models/{model}"


def _generation_config(cfg: SetupConfig) -> JsonDict:
    gen: JsonDict = {"responseModalities": list(cfg.response_modalities)}
    if cfg.temperature is not None:
        gen["temperature"] = cfg.temperature
    if cfg.max_output_tokens is not None:
        gen["maxOutputTokens"] = cfg.max_output_tokens
    if cfg.media_resolution is not None:
        gen["mediaResolution"] = cfg.media_resolution
    speech: JsonDict = {}
    if cfg.voice_name:
        speech["voiceConfig"] = {"prebuiltVoiceConfig": {"voiceName": cfg.voice_name}}
    if cfg.language_code:
        speech["languageCode"] = cfg.language_code
    if speech:
        gen["speechConfig"] = speech
    thinking: JsonDict = {}
    if cfg.thinking_budget is not None:
        thinking["thinkingBudget"] = cfg.thinking_budget
    if cfg.thinking_level is not None:
        thinking["thinkingLevel"] = cfg.thinking_level
    if cfg.include_thoughts is not None:
        thinking["includeThoughts"] = cfg.include_thoughts
    if thinking:
        gen["thinkingConfig"] = thinking
    if cfg.enable_affective_dialog is not None:
        gen["enableAffectiveDialog"] = cfg.enable_affective_dialog
    return gen


def _tools(cfg: SetupConfig) -> list[JsonDict]:
    tools: list[JsonDict] = []
    if cfg.function_declarations:
        decls = []
        for decl in cfg.function_declarations:
            d: JsonDict = {"name": decl.name, "description": decl.description}
            if decl.parameters is not None:
                d["parameters"] = dict(decl.parameters)
            if decl.behavior is not None:
                d["behavior"] = decl.behavior
            decls.append(d)
        tools.append({"functionDeclarations": decls})
    if cfg.google_search:
        tools.append({"googleSearch": {}})
    if cfg.code_execution:
        tools.append({"codeExecution": {}})
    return tools


def _realtime_input_config(cfg: SetupConfig) -> JsonDict:
    ric: JsonDict = {}
    ad = cfg.activity_detection
    if ad is not None:
        aad: JsonDict = {"disabled": ad.disabled}
        if ad.start_sensitivity is not None:
            aad["startOfSpeechSensitivity"] = ad.start_sensitivity
        if ad.end_sensitivity is not None:
            aad["endOfSpeechSensitivity"] = ad.end_sensitivity
        if ad.prefix_padding_ms is not None:
            aad["prefixPaddingMs"] = ad.prefix_padding_ms
        if ad.silence_duration_ms is not None:
            aad["silenceDurationMs"] = ad.silence_duration_ms
        ric["automaticActivityDetection"] = aad
    if cfg.activity_handling is not None:
        ric["activityHandling"] = cfg.activity_handling
    if cfg.turn_coverage is not None:
        ric["turnCoverage"] = cfg.turn_coverage
    return ric


def _compression(cfg: SetupConfig) -> JsonDict:
    window: JsonDict = {}
    if cfg.compression_target_tokens is not None:
        window["targetTokens"] = cfg.compression_target_tokens
    comp: JsonDict = {"slidingWindow": window}
    if cfg.compression_trigger_tokens is not None:
        comp["triggerTokens"] = cfg.compression_trigger_tokens
    return comp


def build_setup(cfg: SetupConfig) -> JsonDict:
    """The first message of every connection."""
    setup: JsonDict = {
        "model": model_resource_name(cfg.model),
        "generationConfig": _generation_config(cfg),
    }
    if cfg.system_instruction:
        setup["systemInstruction"] = {"parts": [{"text": cfg.system_instruction}]}
    tools = _tools(cfg)
    if tools:
        setup["tools"] = tools
    ric = _realtime_input_config(cfg)
    if ric:
        setup["realtimeInputConfig"] = ric
    if cfg.session_resumption:
        setup["sessionResumption"] = (
            {"handle": cfg.resumption_handle} if cfg.resumption_handle else {}
        )
    if cfg.context_compression:
        setup["contextWindowCompression"] = _compression(cfg)
    # Transcription configs sit at the top level of setup, not inside generationConfig.
    if cfg.input_transcription:
        languages = list(cfg.input_transcription_languages)
        setup["inputAudioTranscription"] = {"languageCodes": languages} if languages else {}
    if cfg.output_transcription:
        setup["outputAudioTranscription"] = {}
    if cfg.proactive_audio is not None:
        setup["proactivity"] = {"proactiveAudio": cfg.proactive_audio}
    if cfg.history_in_client_content:
        setup["historyConfig"] = {"initialHistoryInClientContent": True}
    setup.update(cfg.extra)
    return {"setup": setup}


def _blob(data: bytes, mime_type: str) -> JsonDict:
    return {"mimeType": mime_type, "data": base64.b64encode(data).decode("ascii")}


def _realtime_blob_json(key: str, data: bytes, mime_type: str) -> str:
    """to_json of {"realtimeInput": {key: blob}}, written out directly. The base64 alphabet
    needs no JSON escaping, so json.dumps scanning and copying the payload again is pure cost:
    ~1 ms of the event loop's CPU per 130 KB frame here, against ~0.05 ms for this."""
    return "".join(
        (
            '{"realtimeInput":{',
            json.dumps(key),
            ':{"mimeType":',
            json.dumps(mime_type, ensure_ascii=False),
            ',"data":"',
            base64.b64encode(data).decode("ascii"),
            '"}}}',
        )
    )


@dataclass(frozen=True)
class ClientMessage:
    """Base class of every client message; `kind` labels it for the inspector and logs."""

    kind: ClassVar[str] = ""

    def to_wire(self) -> JsonDict:
        raise NotImplementedError

    def to_json(self) -> str:
        """The compact JSON text of to_wire() (media messages write theirs directly)."""
        return json.dumps(self.to_wire(), separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Setup(ClientMessage):
    """The first message of every connection, once."""

    config: SetupConfig
    kind: ClassVar[str] = "setup"

    def to_wire(self) -> JsonDict:
        return build_setup(self.config)


@dataclass(frozen=True)
class AudioChunk(ClientMessage):
    """realtimeInput.audio: 16-bit little-endian mono PCM (a 20 ms mic chunk)."""

    pcm: bytes
    sample_rate_hz: int = MIC_SAMPLE_RATE_HZ
    # When the microphone captured it (kept across a reconnect; not part of the message).
    captured_at: float = field(default=0.0, compare=False)
    kind: ClassVar[str] = "realtimeInput.audio"

    @property
    def duration_s(self) -> float:
        return pcm_duration_s(self.pcm, self.sample_rate_hz)

    def to_wire(self) -> JsonDict:
        mime = f"{AUDIO_PCM_MIME_PREFIX};rate={self.sample_rate_hz}"
        return {"realtimeInput": {"audio": _blob(self.pcm, mime)}}

    def to_json(self) -> str:
        mime = f"{AUDIO_PCM_MIME_PREFIX};rate={self.sample_rate_hz}"
        return _realtime_blob_json("audio", self.pcm, mime)


@dataclass(frozen=True)
class VideoFrame(ClientMessage):
    """realtimeInput.video: one still image (the service consumes ~1 frame/s)."""

    jpeg: bytes
    mime_type: str = "image/jpeg"
    kind: ClassVar[str] = "realtimeInput.video"

    def to_wire(self) -> JsonDict:
        return {"realtimeInput": {"video": _blob(self.jpeg, self.mime_type)}}

    def to_json(self) -> str:
        return _realtime_blob_json("video", self.jpeg, self.mime_type)


@dataclass(frozen=True)
class RealtimeText(ClientMessage):
    """realtimeInput.text: text as part of the realtime stream (no turn boundary)."""

    text: str
    kind: ClassVar[str] = "realtimeInput.text"

    def to_wire(self) -> JsonDict:
        return {"realtimeInput": {"text": self.text}}


@dataclass(frozen=True)
class ActivityStart(ClientMessage):
    """Push-to-talk pressed (only valid with automatic activity detection disabled)."""

    kind: ClassVar[str] = "realtimeInput.activityStart"

    def to_wire(self) -> JsonDict:
        return {"realtimeInput": {"activityStart": {}}}


@dataclass(frozen=True)
class ActivityEnd(ClientMessage):
    kind: ClassVar[str] = "realtimeInput.activityEnd"

    def to_wire(self) -> JsonDict:
        return {"realtimeInput": {"activityEnd": {}}}


@dataclass(frozen=True)
class AudioStreamEnd(ClientMessage):
    """The mic was paused: lets the service flush its voice-activity state (automatic
    activity detection only)."""

    kind: ClassVar[str] = "realtimeInput.audioStreamEnd"

    def to_wire(self) -> JsonDict:
        return {"realtimeInput": {"audioStreamEnd": True}}


@dataclass(frozen=True)
class Turn:
    role: str  # "user" | "model"
    text: str


@dataclass(frozen=True)
class ClientTurns(ClientMessage):
    """clientContent: typed turns. turnComplete interrupts a running generation (3.8 always);
    without it the turns are context, and the model waits for more."""

    turns: tuple[Turn, ...]
    turn_complete: bool = True
    kind: ClassVar[str] = "clientContent"

    @classmethod
    def typed(cls, text: str) -> ClientTurns:
        """One typed user turn that asks for a reply."""
        return cls((Turn("user", text),), turn_complete=True)

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(turn.text for turn in self.turns)

    def to_wire(self) -> JsonDict:
        turns = [{"role": t.role, "parts": [{"text": t.text}]} for t in self.turns]
        return {"clientContent": {"turns": turns, "turnComplete": self.turn_complete}}


@dataclass(frozen=True)
class FunctionResponse:
    id: str
    name: str
    response: Mapping[str, Any]
    # NON_BLOCKING calls: when the model takes the answer in (SILENT | WHEN_IDLE | INTERRUPT).
    scheduling: str | None = None
    # More answers to this call follow (a long task reporting progress).
    will_continue: bool | None = None

    def to_wire(self) -> JsonDict:
        out: JsonDict = {"id": self.id, "name": self.name, "response": dict(self.response)}
        if self.scheduling is not None:
            out["scheduling"] = self.scheduling
        if self.will_continue is not None:
            out["willContinue"] = self.will_continue
        return out


@dataclass(frozen=True)
class ToolResponse(ClientMessage):
    """toolResponse: every response carries the id of the call it answers."""

    responses: tuple[FunctionResponse, ...]
    kind: ClassVar[str] = "toolResponse"

    def to_wire(self) -> JsonDict:
        return {"toolResponse": {"functionResponses": [r.to_wire() for r in self.responses]}}


# The markers that ride in the audio lane, in order with the chunks they delimit.
AUDIO_MARKERS = (ActivityStart, ActivityEnd, AudioStreamEnd)


def to_json(message: ClientMessage) -> str:
    """Serialise compactly: base64 payloads dominate, separators matter at 5 fps."""
    return message.to_json()
