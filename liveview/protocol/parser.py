"""Turn one server message (text or bytes of JSON) into events.

Accepts camelCase and snake_case field names; ignores unknown fields (the API grows); raises
RemoteProtocolError, and nothing else, for anything that is not a valid server message.

Order of events from one message: setupComplete; serverContent as interrupted (drop playback
first), inputTranscription, interimInputTranscription, the modelTurn parts in order,
outputTranscription, grounding, generationComplete, turnComplete, waitingForInput,
interactionStatus; then voiceActivity, toolCall, toolCallCancellation, usageMetadata,
sessionResumptionUpdate, goAway.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any

from liveview.errors import RemoteProtocolError
from liveview.protocol import events as ev

DEFAULT_REPLY_SAMPLE_RATE_HZ = 24_000
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)s\s*$")
_RATE_RE = re.compile(r"(?:^|;)\s*rate\s*=\s*([^;]*)", re.IGNORECASE)

Obj = dict[str, Any]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _field(obj: Obj, camel: str) -> Any:
    """obj[camel], or obj[snake_case(camel)]: the service accepts and may echo either casing."""
    if camel in obj:
        return obj[camel]
    return obj.get(_snake(camel))


def _has(obj: Obj, camel: str) -> bool:
    return camel in obj or _snake(camel) in obj


def _obj(value: Any, where: str) -> Obj:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RemoteProtocolError(f"server message field {where} should be an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RemoteProtocolError(f"server message field {where} should be a list")
    return value


def _str(value: Any, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RemoteProtocolError(f"server message field {where} should be a string")
    return value


def _bool(value: Any, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise RemoteProtocolError(f"server message field {where} should be true or false")
    return value


def _int(value: Any, where: str) -> int:
    # Protobuf's JSON mapping writes int64 as a string; accept both.
    if value is None:
        return 0
    if isinstance(value, bool):
        raise RemoteProtocolError(f"server message field {where} should be a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    raise RemoteProtocolError(f"server message field {where} should be a number")


def parse_duration_s(value: Any, where: str = "goAway.timeLeft") -> float:
    """Protobuf Duration JSON ("50s", "1.5s") or a bare number of seconds."""
    if isinstance(value, bool):
        raise RemoteProtocolError(f"{where} is not a duration")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION_RE.match(value)):
        seconds = float(m.group(1))
    else:
        raise RemoteProtocolError(f"{where} is not a duration: {value!r:.40}")
    if seconds < 0:
        raise RemoteProtocolError(f"{where} is negative")
    return seconds


def audio_sample_rate_hz(mime_type: str) -> int:
    """`audio/pcm;rate=24000` -> 24000; no rate means the documented 24 kHz output rate."""
    m = _RATE_RE.search(mime_type)
    if m is None:
        return DEFAULT_REPLY_SAMPLE_RATE_HZ
    raw = m.group(1).strip()
    if not raw.isdigit() or not 1000 <= int(raw) <= 384_000:
        raise RemoteProtocolError(f"server sent audio with an unusable sample rate: {mime_type!r}")
    return int(raw)


def _b64(value: Any, where: str) -> bytes:
    text = _str(value, where)
    try:
        # Accept the URL-safe alphabet too: protobuf JSON decoders do.
        return base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RemoteProtocolError(f"server message field {where} is not valid base64") from exc


def _part_events(part: Obj) -> list[ev.Event]:
    out: list[ev.Event] = []
    if _has(part, "text"):
        thought = _bool(_field(part, "thought"), "part.thought")
        out.append(ev.ModelText(_str(_field(part, "text"), "part.text"), thought=thought))
    if _has(part, "inlineData"):
        blob = _obj(_field(part, "inlineData"), "part.inlineData")
        mime = _str(_field(blob, "mimeType"), "inlineData.mimeType")
        data = _b64(_field(blob, "data"), "inlineData.data")
        if mime.lower().startswith("audio/pcm"):
            out.append(ev.ModelAudio(data, mime, audio_sample_rate_hz(mime)))
        else:
            out.append(ev.ModelInlineData(data, mime))
    if _has(part, "executableCode"):
        code = _obj(_field(part, "executableCode"), "part.executableCode")
        out.append(
            ev.ExecutableCode(
                code=_str(_field(code, "code"), "executableCode.code"),
                language=_str(_field(code, "language"), "executableCode.language"),
            )
        )
    if _has(part, "codeExecutionResult"):
        res = _obj(_field(part, "codeExecutionResult"), "part.codeExecutionResult")
        out.append(
            ev.CodeExecutionResult(
                outcome=_str(_field(res, "outcome"), "codeExecutionResult.outcome"),
                output=_str(_field(res, "output"), "codeExecutionResult.output"),
            )
        )
    return out


def _transcription(value: Any, where: str) -> tuple[str, bool]:
    t = _obj(value, where)
    return _str(_field(t, "text"), f"{where}.text"), _bool(_field(t, "finished"), where)


def _grounding(value: Any) -> ev.Grounding:
    meta = _obj(value, "groundingMetadata")
    sources = []
    for chunk in _list(_field(meta, "groundingChunks"), "groundingMetadata.groundingChunks"):
        web = _obj(_field(_obj(chunk, "groundingChunk"), "web"), "groundingChunk.web")
        uri = _str(_field(web, "uri"), "web.uri")
        if uri:
            sources.append(
                ev.GroundingSource(title=_str(_field(web, "title"), "web.title"), uri=uri)
            )
    queries = _list(_field(meta, "webSearchQueries"), "groundingMetadata.webSearchQueries")
    entry = _obj(_field(meta, "searchEntryPoint"), "groundingMetadata.searchEntryPoint")
    rendered = _str(_field(entry, "renderedContent"), "searchEntryPoint.renderedContent")
    return ev.Grounding(
        tuple(sources), tuple(_str(q, "webSearchQueries[]") for q in queries), rendered
    )


def _server_content(value: Any) -> list[ev.Event]:
    sc = _obj(value, "serverContent")
    out: list[ev.Event] = []
    if _bool(_field(sc, "interrupted"), "serverContent.interrupted"):
        out.append(ev.Interrupted())
    if _has(sc, "inputTranscription"):
        text, finished = _transcription(_field(sc, "inputTranscription"), "inputTranscription")
        out.append(ev.InputTranscription(text, finished))
    if _has(sc, "interimInputTranscription"):
        text, _ = _transcription(_field(sc, "interimInputTranscription"), "interimTranscription")
        out.append(ev.InterimInputTranscription(text))
    turn = _obj(_field(sc, "modelTurn"), "serverContent.modelTurn")
    for part in _list(_field(turn, "parts"), "modelTurn.parts"):
        out.extend(_part_events(_obj(part, "modelTurn.parts[]")))
    if _has(sc, "outputTranscription"):
        text, finished = _transcription(_field(sc, "outputTranscription"), "outputTranscription")
        out.append(ev.OutputTranscription(text, finished))
    if _has(sc, "groundingMetadata"):
        out.append(_grounding(_field(sc, "groundingMetadata")))
    if _bool(_field(sc, "generationComplete"), "serverContent.generationComplete"):
        out.append(ev.GenerationComplete())
    if _bool(_field(sc, "turnComplete"), "serverContent.turnComplete"):
        reason = _str(_field(sc, "turnCompleteReason"), "serverContent.turnCompleteReason")
        out.append(ev.TurnComplete(reason))
    if _bool(_field(sc, "waitingForInput"), "serverContent.waitingForInput"):
        out.append(ev.WaitingForInput())
    status = _str(_field(sc, "interactionStatus"), "serverContent.interactionStatus")
    if status and status != "INTERACTION_STATUS_UNSPECIFIED":
        out.append(ev.InteractionStatus(status))
    return out


def _tool_call(value: Any) -> ev.ToolCall:
    calls = []
    for raw in _list(_field(_obj(value, "toolCall"), "functionCalls"), "toolCall.functionCalls"):
        call = _obj(raw, "functionCalls[]")
        calls.append(
            ev.FunctionCall(
                id=_str(_field(call, "id"), "functionCall.id"),
                name=_str(_field(call, "name"), "functionCall.name"),
                args=_obj(_field(call, "args"), "functionCall.args"),
            )
        )
    return ev.ToolCall(tuple(calls))


def _tool_cancel(value: Any) -> ev.ToolCallCancellation:
    ids = _list(_field(_obj(value, "toolCallCancellation"), "ids"), "toolCallCancellation.ids")
    return ev.ToolCallCancellation(tuple(_str(i, "toolCallCancellation.ids[]") for i in ids))


def _usage(value: Any) -> ev.UsageMetadata:
    u = _obj(value, "usageMetadata")
    counts = {"promptTokenCount", "responseTokenCount", "totalTokenCount"}
    counts |= {_snake(name) for name in counts}
    details = {k: v for k, v in u.items() if k not in counts}
    return ev.UsageMetadata(
        prompt_token_count=_int(_field(u, "promptTokenCount"), "promptTokenCount"),
        response_token_count=_int(_field(u, "responseTokenCount"), "responseTokenCount"),
        total_token_count=_int(_field(u, "totalTokenCount"), "totalTokenCount"),
        details=details,
    )


def _resumption(value: Any) -> ev.SessionResumptionUpdate:
    u = _obj(value, "sessionResumptionUpdate")
    index = _field(u, "lastConsumedClientMessageIndex")
    return ev.SessionResumptionUpdate(
        new_handle=_str(_field(u, "newHandle"), "sessionResumptionUpdate.newHandle"),
        resumable=_bool(_field(u, "resumable"), "sessionResumptionUpdate.resumable"),
        last_consumed_client_message_index=(
            None if index is None else _int(index, "lastConsumedClientMessageIndex")
        ),
    )


def _setup_complete(value: Any) -> list[ev.Event]:
    body = _obj(value, "setupComplete")
    return [ev.SetupComplete(_str(_field(body, "sessionId"), "setupComplete.sessionId"))]


def _voice_activity(value: Any) -> ev.VoiceActivity:
    body = _obj(value, "voiceActivity")
    kind = _str(_field(body, "voiceActivityType"), "voiceActivity.voiceActivityType")
    offset = _field(body, "audioOffset")
    where = "voiceActivity.audioOffset"
    return ev.VoiceActivity(kind, None if offset is None else parse_duration_s(offset, where))


def _go_away(value: Any) -> ev.GoAway:
    return ev.GoAway(parse_duration_s(_field(_obj(value, "goAway"), "timeLeft") or "0s"))


_SECTIONS: tuple[tuple[str, Callable[[Any], list[ev.Event]]], ...] = (
    ("setupComplete", _setup_complete),
    ("serverContent", _server_content),
    ("voiceActivity", lambda v: [_voice_activity(v)]),
    ("toolCall", lambda v: [_tool_call(v)]),
    ("toolCallCancellation", lambda v: [_tool_cancel(v)]),
    ("usageMetadata", lambda v: [_usage(v)]),
    ("sessionResumptionUpdate", lambda v: [_resumption(v)]),
    ("goAway", lambda v: [_go_away(v)]),
)


def decode_json(data: str | bytes) -> Obj:
    """The server's JSON arrives in binary frames (observed); accept text frames too."""
    try:
        text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
        message = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise RemoteProtocolError("server sent a message that is not JSON") from exc
    if not isinstance(message, dict):
        raise RemoteProtocolError("server sent JSON that is not an object")
    return message


def parse_server_message(data: str | bytes) -> list[ev.Event]:
    """All events of one server message, in the order documented above."""
    message = decode_json(data)
    out: list[ev.Event] = []
    for camel, handler in _SECTIONS:
        if _has(message, camel):
            value = _field(message, camel)
            if value is None:
                continue
            out.extend(handler(value))
    return out
