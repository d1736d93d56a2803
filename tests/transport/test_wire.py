"""Inspector summaries: kinds, mime types and sizes, never payloads, handles or keys."""

from __future__ import annotations

import pytest

from liveview.protocol import events as ev
from liveview.protocol.messages import (
    ActivityStart,
    AudioChunk,
    ClientMessage,
    ClientTurns,
    FunctionResponse,
    RealtimeText,
    Setup,
    SetupConfig,
    ToolResponse,
    VideoFrame,
)
from liveview.protocol.parser import parse_server_message
from liveview.transport.wire import (
    format_size,
    server_message_kind,
    summarize_client_message,
    summarize_server_events,
    wire_size,
)


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0 B"), (640, "640 B"), (9_600, "9.6 kB"), (43_210, "43 kB"), (1_250_000, "1.2 MB")],
)
def test_format_size(n: int, text: str) -> None:
    assert format_size(n) == text


def test_wire_size_counts_utf8_bytes() -> None:
    assert wire_size("abc") == 3
    assert wire_size("é") == 2


@pytest.mark.parametrize(
    ("message", "summary"),
    [
        (AudioChunk(b"\x00" * 640), "audio/pcm;rate=16000 640 B"),
        (AudioChunk(b"\x00" * 641, 24_000), "audio/pcm;rate=24000 641 B"),
        (VideoFrame(b"\xff" * 43_000), "image/jpeg 43 kB"),
        (RealtimeText("secret words"), "12 chars"),
        (ClientTurns.typed("my private question"), "1 turn, 19 chars, turnComplete"),
        (ActivityStart(), ""),
        (
            ToolResponse((FunctionResponse("id1", "get_weather", {"t": "hot"}),)),
            "1 response: get_weather",
        ),
        (
            Setup(SetupConfig(model="gemini-x", resumption_handle="HANDLE-SECRET")),
            "model=models/gemini-x resuming",
        ),
    ],
)
def test_client_summaries(message: ClientMessage, summary: str) -> None:
    assert summarize_client_message(message) == summary


def test_client_summaries_never_carry_payloads() -> None:
    for message in (
        RealtimeText("secret words"),
        ClientTurns.typed("my private question"),
        Setup(SetupConfig(model="m", resumption_handle="HANDLE-SECRET")),
        ToolResponse((FunctionResponse("id1", "f", {"t": "PAYLOAD"}),)),
    ):
        summary = summarize_client_message(message)
        for secret in ("secret", "private", "HANDLE-SECRET", "PAYLOAD"):
            assert secret not in summary


def test_server_summaries() -> None:
    raw = (
        b'{"serverContent":{"modelTurn":{"parts":[{"text":"hidden reply"},'
        b'{"inlineData":{"mimeType":"audio/pcm;rate=24000","data":"' + b"A" * 12_800 + b'"}}]},'
        b'"outputTranscription":{"text":"spoken words"},"turnComplete":true},'
        b'"usageMetadata":{"totalTokenCount":42},'
        b'"sessionResumptionUpdate":{"newHandle":"HANDLE-123","resumable":true},'
        b'"goAway":{"timeLeft":"50s"}}'
    )
    events = parse_server_message(raw)
    assert server_message_kind(events) == (
        "serverContent+usageMetadata+sessionResumptionUpdate+goAway"
    )
    summary = summarize_server_events(events)
    assert summary == (
        "text 12 chars, audio/pcm;rate=24000 9.6 kB, outputTranscription 12 chars, "
        "turnComplete, usageMetadata total=42 tokens, sessionResumptionUpdate resumable=true, "
        "goAway timeLeft=50s"
    )
    for secret in ("hidden", "spoken", "HANDLE-123"):
        assert secret not in summary


def test_every_event_type_has_a_summary() -> None:
    events: list[ev.Event] = [
        ev.SetupComplete(),
        ev.ModelText("t", thought=True),
        ev.ModelInlineData(b"123", "image/png"),
        ev.ExecutableCode("print(1)", "PYTHON"),
        ev.CodeExecutionResult("OUTCOME_OK", "1"),
        ev.InputTranscription("hey", finished=True),
        ev.Grounding((ev.GroundingSource("a", "https://a"),)),
        ev.Interrupted(),
        ev.GenerationComplete(),
        ev.TurnComplete("REASON"),
        ev.WaitingForInput(),
        ev.ToolCall((ev.FunctionCall("1", "lookup"),)),
        ev.ToolCallCancellation(("1", "2")),
    ]
    assert summarize_server_events(events).split(", ") == [
        "setupComplete",
        "thought 1 chars",
        "image/png 3 B",
        "executableCode PYTHON 8 chars",
        "codeExecutionResult OUTCOME_OK",
        "inputTranscription 3 chars finished",
        "grounding 1 sources",
        "interrupted",
        "generationComplete",
        "turnComplete REASON",
        "waitingForInput",
        "toolCall lookup",
        "toolCallCancellation 2 ids",
    ]
    assert (
        server_message_kind(events) == "setupComplete+serverContent+toolCall+toolCallCancellation"
    )
    assert server_message_kind([]) == "empty"
