"""Parsing of *client* messages, written apart from the client's builders on purpose.

The server must not share the client's mistakes: everything here is checked against the wire
format in PROTOCOL.md, both casings are accepted (as the service does), unknown field names are
refused with protobuf's own wording, and every failure is one `ClientProtocolError` carrying the
close code and reason the service would send.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any

from liveview.server import texts
from liveview.server.inbound_errors import ClientProtocolError
from liveview.server.schema_check import check_client_message

Obj = dict[str, Any]
MIC_DEFAULT_RATE_HZ = 16_000
_RATE_RE = re.compile(r"(?:^|;)\s*rate\s*=\s*(\d+)\s*(?:;|$)", re.IGNORECASE)
# Protobuf's JSON parser refuses objects and arrays nested deeper than this (its default
# recursion limit); deeper input must close 1007, not crash the parsers here (RecursionError).
MAX_JSON_DEPTH = 100


@dataclass(frozen=True)
class FunctionDecl:
    name: str
    parameter_names: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    behavior: str | None = None  # BLOCKING | NON_BLOCKING | None (the model's default)


@dataclass(frozen=True)
class Setup:
    model: str
    audio_out: bool = True
    voice: str | None = None
    media_resolution: str | None = None
    system_text: str = ""
    functions: tuple[FunctionDecl, ...] = ()
    google_search: bool = False
    code_execution: bool = False
    vad_disabled: bool = False
    silence_duration_ms: int | None = None
    interrupts: bool = True  # realtimeInputConfig.activityHandling != NO_INTERRUPTION
    resumption: bool = False
    resume_handle: str | None = None
    # sessionResumption.transparent (Vertex): the server says which client messages it
    # consumed (lastConsumedClientMessageIndex), so the client can replay the rest.
    transparent_resumption: bool = False
    compression: bool = False
    trigger_tokens: int | None = None
    target_tokens: int | None = None
    input_transcription: bool = False
    output_transcription: bool = False

    def function(self, name: str) -> FunctionDecl | None:
        return next((f for f in self.functions if f.name == name), None)


@dataclass(frozen=True)
class Audio:
    pcm: bytes
    rate_hz: int


@dataclass(frozen=True)
class Video:
    data: bytes
    mime_type: str


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class ActivityStart:
    pass


@dataclass(frozen=True)
class ActivityEnd:
    pass


@dataclass(frozen=True)
class AudioStreamEnd:
    pass


@dataclass(frozen=True)
class ClientTurns:
    turns: tuple[tuple[str, str], ...]  # (role, text): role is "user" or "model"
    turn_complete: bool
    image_count: int = 0

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.turns)


# clientContent roles the service takes; another closes 1007 as the service does.
CONTENT_ROLES = ("user", "model")


@dataclass(frozen=True)
class FunctionResult:
    id: str
    name: str
    response: Obj = field(default_factory=dict)
    scheduling: str | None = None  # SILENT | WHEN_IDLE | INTERRUPT (NON_BLOCKING calls)
    will_continue: bool = False  # more responses to this call follow


@dataclass(frozen=True)
class ToolResponses:
    results: tuple[FunctionResult, ...]


@dataclass(frozen=True)
class Ignored:
    """A message the local server accepts but has no use for (contextUpdate)."""

    key: str


Item = (
    Setup | Audio | Video | Text | ActivityStart | ActivityEnd | AudioStreamEnd | ClientTurns
    | ToolResponses | Ignored
)  # fmt: skip


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _get(obj: Obj, camel: str) -> Any:
    """obj[camel] or obj[snake_case]: the service accepts both casings."""
    if camel in obj:
        return obj[camel]
    return obj.get(_snake(camel))


def _obj(value: Any, *, optional: bool = True) -> Obj:
    if value is None and optional:
        return {}
    if not isinstance(value, dict):
        raise ClientProtocolError()
    return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ClientProtocolError()
    return value


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ClientProtocolError()
    return value


def _opt_int(value: Any) -> int | None:
    # Protobuf JSON writes int32 as a number but int64 as a string; accept both.
    if value is None:
        return None
    if isinstance(value, bool):
        raise ClientProtocolError()
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ClientProtocolError()


def _bool(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ClientProtocolError()
    return value


def decode_json(raw: str | bytes) -> Obj:
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ClientProtocolError(texts.invalid_json()) from exc
    except RecursionError as exc:  # nested far past MAX_JSON_DEPTH
        raise ClientProtocolError(texts.TOO_DEEP) from exc
    if not isinstance(message, dict):
        raise ClientProtocolError(texts.invalid_json())
    if _depth_exceeds(message, MAX_JSON_DEPTH):
        raise ClientProtocolError(texts.TOO_DEEP)
    return message


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Objects and arrays nested more than `limit` deep (iterative: no recursion to overflow)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if not isinstance(item, list):
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in item)
    return False


def parse_message(message: Obj) -> tuple[str, list[Item]]:
    """One decoded client message -> (its top-level key in camelCase, what it carries)."""
    check_client_message(message)  # every field and enum value, as the service's parser does
    if len(message) != 1:
        raise ClientProtocolError()  # LiveClientMessage is a oneof
    (key,) = message
    top = _camel(key)
    body = _obj(message[key], optional=False)
    if top == "setup":
        return top, [parse_setup(body)]
    if top == "realtimeInput":
        return top, _parse_realtime(body)
    if top == "clientContent":
        return top, [_parse_client_content(body)]
    if top == "toolResponse":
        return top, [_parse_tool_response(body)]
    return top, [Ignored(top)]


def _parse_generation(gen: Obj) -> tuple[bool, str | None, str | None]:
    modalities = _list(_get(gen, "responseModalities"))
    if any(m not in ("AUDIO", "TEXT") for m in modalities):
        raise ClientProtocolError()  # IMAGE / VIDEO replies: no Live model has them
    audio_out = not modalities or "AUDIO" in modalities
    resolution = _opt_str(_get(gen, "mediaResolution"))
    speech = _obj(_get(gen, "speechConfig"))
    voice_cfg = _obj(_get(_obj(_get(speech, "voiceConfig")), "prebuiltVoiceConfig"))
    voice = _opt_str(_get(voice_cfg, "voiceName"))
    if voice is not None:
        canonical = {v.lower(): v for v in texts.VOICES}.get(voice.lower())
        if canonical is None:
            raise ClientProtocolError()
        if not audio_out:
            raise ClientProtocolError(texts.NON_AUDIO_VOICE)
        voice = canonical
    return audio_out, voice, resolution


def _parse_tools(tools: list[Any]) -> tuple[tuple[FunctionDecl, ...], bool, bool]:
    decls: list[FunctionDecl] = []
    search = code = False
    for tool in tools:
        tool = _obj(tool, optional=False)
        search = search or _get(tool, "googleSearch") is not None
        code = code or _get(tool, "codeExecution") is not None
        for decl in _list(_get(tool, "functionDeclarations")):
            decl = _obj(decl, optional=False)
            name = _opt_str(_get(decl, "name"))
            if not name:
                raise ClientProtocolError()
            params = _obj(_get(decl, "parameters") or _get(decl, "parametersJsonSchema"))
            props = _obj(_get(params, "properties"))
            required = tuple(str(r) for r in _list(_get(params, "required")))
            behavior = _opt_str(_get(decl, "behavior"))
            if behavior == "UNSPECIFIED":
                behavior = None
            decls.append(FunctionDecl(name, tuple(props), required, behavior))
    return tuple(decls), search, code


def _system_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    parts = _list(_get(_obj(value), "parts"))
    return " ".join(str(_get(_obj(p), "text") or "") for p in parts).strip()


def parse_setup(body: Obj) -> Setup:
    model = _opt_str(_get(body, "model"))
    if not model:
        raise ClientProtocolError()
    audio_out, voice, resolution = _parse_generation(_obj(_get(body, "generationConfig")))
    functions, search, code = _parse_tools(_list(_get(body, "tools")))
    ric = _obj(_get(body, "realtimeInputConfig"))
    aad = _obj(_get(ric, "automaticActivityDetection"))
    handling = _opt_str(_get(ric, "activityHandling"))
    resumption = _get(body, "sessionResumption")
    compression = _get(body, "contextWindowCompression")
    comp = _obj(compression)
    return Setup(
        model=model,
        audio_out=audio_out,
        voice=voice,
        media_resolution=resolution,
        system_text=_system_text(_get(body, "systemInstruction")),
        functions=functions,
        google_search=search,
        code_execution=code,
        vad_disabled=_bool(_get(aad, "disabled")),
        silence_duration_ms=_opt_int(_get(aad, "silenceDurationMs")),
        interrupts=handling != "NO_INTERRUPTION",
        resumption=resumption is not None,
        resume_handle=_opt_str(_get(_obj(resumption), "handle")) or None,
        transparent_resumption=_bool(_get(_obj(resumption), "transparent")),
        compression=compression is not None,
        trigger_tokens=_opt_int(_get(comp, "triggerTokens")),
        target_tokens=_opt_int(_get(_obj(_get(comp, "slidingWindow")), "targetTokens")),
        input_transcription=_get(body, "inputAudioTranscription") is not None,
        output_transcription=_get(body, "outputAudioTranscription") is not None,
    )


def _blob(value: Any) -> tuple[str, bytes]:
    blob = _obj(value, optional=False)
    mime = _opt_str(_get(blob, "mimeType")) or ""
    raw = _opt_str(_get(blob, "data")) or ""
    try:
        # Protobuf JSON decoders accept the URL-safe alphabet too.
        data = base64.b64decode(raw.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ClientProtocolError() from exc
    return mime, data


def input_rate_hz(mime_type: str) -> int:
    """`audio/pcm;rate=16000` -> 16000; no rate means the documented 16 kHz input rate."""
    if not mime_type.lower().startswith("audio/pcm"):
        raise ClientProtocolError()
    match = _RATE_RE.search(mime_type)
    rate = int(match.group(1)) if match else MIC_DEFAULT_RATE_HZ
    if not 1_000 <= rate <= 384_000:
        raise ClientProtocolError()
    return rate


def _media(mime: str, data: bytes) -> Item:
    if mime.lower().startswith("audio/"):
        return Audio(data, input_rate_hz(mime))
    if mime.lower().startswith("image/"):
        return Video(data, mime)
    raise ClientProtocolError()


def _parse_realtime(body: Obj) -> list[Item]:
    items: list[Item] = []
    for chunk in _list(_get(body, "mediaChunks")):  # deprecated, still accepted by the service
        items.append(_media(*_blob(chunk)))
    if _get(body, "audio") is not None:
        mime, data = _blob(_get(body, "audio"))
        items.append(Audio(data, input_rate_hz(mime)))
    if _get(body, "video") is not None:
        mime, data = _blob(_get(body, "video"))
        if not mime.lower().startswith("image/"):
            raise ClientProtocolError()
        items.append(Video(data, mime))
    if _get(body, "activityStart") is not None:
        items.append(ActivityStart())
    text = _opt_str(_get(body, "text"))
    if text:
        items.append(Text(text))
    if _get(body, "activityEnd") is not None:
        items.append(ActivityEnd())
    if _bool(_get(body, "audioStreamEnd")):
        items.append(AudioStreamEnd())
    return items


def _parse_client_content(body: Obj) -> ClientTurns:
    found: list[tuple[str, str]] = []
    images = 0
    for turn in _list(_get(body, "turns")):
        turn = _obj(turn, optional=False)
        role = _opt_str(_get(turn, "role")) or "user"
        if role not in CONTENT_ROLES:
            raise ClientProtocolError(texts.INVALID_ROLE)
        for part in _list(_get(turn, "parts")):
            part = _obj(part, optional=False)
            text = _opt_str(_get(part, "text"))
            if text:
                found.append((role, text))
            if _get(part, "inlineData") is not None:
                images += 1
    return ClientTurns(tuple(found), _bool(_get(body, "turnComplete")), images)


def _parse_tool_response(body: Obj) -> ToolResponses:
    results: list[FunctionResult] = []
    for item in _list(_get(body, "functionResponses")):
        item = _obj(item, optional=False)
        call_id = _opt_str(_get(item, "id"))
        if not call_id:
            raise ClientProtocolError()  # PROTOCOL.md: `id` is required
        name = _opt_str(_get(item, "name")) or ""
        scheduling = _opt_str(_get(item, "scheduling"))
        results.append(
            FunctionResult(
                call_id,
                name,
                _obj(_get(item, "response")),
                scheduling=None if scheduling == "SCHEDULING_UNSPECIFIED" else scheduling,
                will_continue=_bool(_get(item, "willContinue")),
            )
        )
    return ToolResponses(tuple(results))
