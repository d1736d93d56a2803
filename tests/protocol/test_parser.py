from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from liveview.errors import RemoteProtocolError
from liveview.protocol import events as ev
from liveview.protocol.parser import audio_sample_rate_hz, parse_duration_s, parse_server_message
from tests.support.oracle import validate_server_message

PCM = b"\x00\x01" * 8
B64 = base64.b64encode(PCM).decode()

# (name, server message, expected events). Each message is first checked against the SDK's
# LiveServerMessage so the table cannot drift from what the service really sends.
CASES: list[tuple[str, dict[str, Any], list[ev.Event]]] = [
    ("setup_complete", {"setupComplete": {}}, [ev.SetupComplete()]),
    (
        "text_part",
        {"serverContent": {"modelTurn": {"parts": [{"text": "hi"}]}}},
        [ev.ModelText("hi")],
    ),
    (
        "thought_part",
        {"serverContent": {"modelTurn": {"parts": [{"text": "hm", "thought": True}]}}},
        [ev.ModelText("hm", thought=True)],
    ),
    (
        "audio_part",
        {
            "serverContent": {
                "modelTurn": {
                    "parts": [{"inlineData": {"mimeType": "audio/pcm;rate=24000", "data": B64}}]
                }
            }
        },
        [ev.ModelAudio(PCM, "audio/pcm;rate=24000", 24_000)],
    ),
    (
        "image_part",
        {
            "serverContent": {
                "modelTurn": {"parts": [{"inlineData": {"mimeType": "image/png", "data": B64}}]}
            }
        },
        [ev.ModelInlineData(PCM, "image/png")],
    ),
    (
        "code_and_result",
        {
            "serverContent": {
                "modelTurn": {
                    "parts": [
                        {"executableCode": {"code": "print(1)", "language": "PYTHON"}},
                        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}},
                    ]
                }
            }
        },
        [ev.ExecutableCode("print(1)", "PYTHON"), ev.CodeExecutionResult("OUTCOME_OK", "1\n")],
    ),
    (
        "transcriptions_around_parts",
        {
            "serverContent": {
                "outputTranscription": {"text": " world", "finished": True},
                "modelTurn": {"parts": [{"text": "x"}]},
                "inputTranscription": {"text": "hello"},
            }
        },
        [ev.InputTranscription("hello"), ev.ModelText("x"), ev.OutputTranscription(" world", True)],
    ),
    (
        "grounding",
        {
            "serverContent": {
                "groundingMetadata": {
                    "groundingChunks": [
                        {"web": {"uri": "https://a.example", "title": "A"}},
                        {"web": {}},
                    ],
                    "webSearchQueries": ["q1"],
                }
            }
        },
        [ev.Grounding((ev.GroundingSource("A", "https://a.example"),), ("q1",))],
    ),
    (
        "end_of_turn",
        {
            "serverContent": {
                "generationComplete": True,
                "turnComplete": True,
                "turnCompleteReason": "NEED_MORE_INPUT",
                "waitingForInput": True,
            }
        },
        [ev.GenerationComplete(), ev.TurnComplete("NEED_MORE_INPUT"), ev.WaitingForInput()],
    ),
    (
        "barge_in",
        {"serverContent": {"interrupted": True, "turnComplete": True}},
        [ev.Interrupted(), ev.TurnComplete()],
    ),
    (
        "tool_call",
        {"toolCall": {"functionCalls": [{"id": "c1", "name": "zoom", "args": {"x": 1}}]}},
        [ev.ToolCall((ev.FunctionCall("c1", "zoom", {"x": 1}),))],
    ),
    (
        "tool_cancel",
        {"toolCallCancellation": {"ids": ["c1", "c2"]}},
        [ev.ToolCallCancellation(("c1", "c2"))],
    ),
    ("go_away", {"goAway": {"timeLeft": "50s"}}, [ev.GoAway(50.0)]),
    ("go_away_fraction", {"goAway": {"timeLeft": "0.250s"}}, [ev.GoAway(0.25)]),
    (
        "resumption",
        {
            "sessionResumptionUpdate": {
                "newHandle": "h2",
                "resumable": True,
                "lastConsumedClientMessageIndex": "7",
            }
        },
        [ev.SessionResumptionUpdate("h2", True, 7)],
    ),
    (
        "resumption_mid_turn",
        {"sessionResumptionUpdate": {}},
        [ev.SessionResumptionUpdate("", False, None)],
    ),
    (
        "usage",
        {
            "usageMetadata": {
                "promptTokenCount": 10,
                "responseTokenCount": "5",
                "totalTokenCount": 15,
                "promptTokensDetails": [{"modality": "AUDIO", "tokenCount": 10}],
            }
        },
        [
            ev.UsageMetadata(
                10, 5, 15, {"promptTokensDetails": [{"modality": "AUDIO", "tokenCount": 10}]}
            )
        ],
    ),
    (
        "several_sections_in_one_message",
        {
            "usageMetadata": {"totalTokenCount": 3},
            "serverContent": {"turnComplete": True},
            "goAway": {"timeLeft": "1s"},
        },
        [ev.TurnComplete(), ev.UsageMetadata(0, 0, 3, {}), ev.GoAway(1.0)],
    ),
    (
        "unknown_fields_ignored",
        {
            "serverContent": {
                "modelTurn": {"parts": [{"text": "a", "someNewThing": 1}]},
                "brandNewField": {"x": 1},
            },
            "liveFeatureOfNextYear": {"x": 1},
        },
        [ev.ModelText("a")],
    ),
    (
        "todays_fields",
        {
            "serverContent": {
                "interimInputTranscription": {"text": "what is th"},
                "turnComplete": True,
                "turnCompleteReason": "NEED_MORE_INPUT",
                "waitingForInput": True,
                "interactionStatus": "IDLE",
            },
            "voiceActivity": {"voiceActivityType": "ACTIVITY_END", "audioOffset": "1.5s"},
        },
        [
            ev.InterimInputTranscription("what is th"),
            ev.TurnComplete("NEED_MORE_INPUT"),
            ev.WaitingForInput(),
            ev.InteractionStatus("IDLE"),
            ev.VoiceActivity("ACTIVITY_END", 1.5),
        ],
    ),
    (
        "interaction_in_progress",
        {"serverContent": {"interactionStatus": "IN_PROGRESS"}},
        [ev.InteractionStatus("IN_PROGRESS")],
    ),
    (
        "unspecified_status_is_nothing",
        {"serverContent": {"interactionStatus": "INTERACTION_STATUS_UNSPECIFIED"}},
        [],
    ),
    ("session_id", {"setupComplete": {"sessionId": "abc"}}, [ev.SetupComplete("abc")]),
    (
        "search_entry_point",
        {
            "serverContent": {
                "groundingMetadata": {
                    "searchEntryPoint": {"renderedContent": "<div>chips</div>"},
                    "webSearchQueries": ["q"],
                }
            }
        },
        [ev.Grounding((), ("q",), "<div>chips</div>")],
    ),
]


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=[c[0] for c in CASES])
def test_parse_table(name: str, message: dict[str, Any], expected: list[ev.Event]) -> None:
    if name != "unknown_fields_ignored":
        validate_server_message(message)
    # The service sends JSON in binary frames; text frames must work too.
    assert parse_server_message(json.dumps(message).encode()) == expected
    assert parse_server_message(json.dumps(message)) == expected


def _snake_case(obj: Any) -> Any:
    import re

    if isinstance(obj, dict):
        return {re.sub(r"(?<!^)([A-Z])", r"_\1", k).lower(): _snake_case(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_snake_case(v) for v in obj]
    return obj


@pytest.mark.parametrize(("name", "message", "expected"), CASES, ids=[c[0] for c in CASES])
def test_snake_case_is_accepted_too(
    name: str, message: dict[str, Any], expected: list[ev.Event]
) -> None:
    events = parse_server_message(json.dumps(_snake_case(message)))
    if name == "usage":  # details keep the keys as sent
        assert [type(e) for e in events] == [ev.UsageMetadata]
    else:
        assert events == expected


def test_null_sections_are_skipped() -> None:
    assert parse_server_message('{"setupComplete": null, "goAway": {"timeLeft": null}}') == [
        ev.GoAway(0.0)
    ]


def test_url_safe_base64_is_accepted() -> None:
    data = b"\xfb\xff\xfe"
    msg = {
        "serverContent": {
            "modelTurn": {
                "parts": [
                    {
                        "inlineData": {
                            "mimeType": "audio/pcm",
                            "data": base64.urlsafe_b64encode(data).decode(),
                        }
                    }
                ]
            }
        }
    }
    assert parse_server_message(json.dumps(msg)) == [ev.ModelAudio(data, "audio/pcm", 24_000)]


MALFORMED = [
    b"\xff\xfe not utf8",
    "not json",
    "[1, 2]",
    '{"setupComplete": 1}',
    '{"serverContent": []}',
    '{"serverContent": {"modelTurn": {"parts": {}}}}',
    '{"serverContent": {"modelTurn": {"parts": [1]}}}',
    '{"serverContent": {"modelTurn": {"parts": [{"text": 5}]}}}',
    '{"serverContent": {"modelTurn": {"parts": [{"text": "a", "thought": "yes"}]}}}',
    '{"serverContent": {"modelTurn": {"parts": [{"inlineData": {"mimeType": "audio/pcm", "data": "!!"}}]}}}',
    '{"serverContent": {"modelTurn": {"parts": [{"inlineData": {"mimeType": "audio/pcm;rate=fast", "data": ""}}]}}}',
    '{"serverContent": {"interrupted": "yes"}}',
    '{"serverContent": {"inputTranscription": "hello"}}',
    '{"serverContent": {"groundingMetadata": {"groundingChunks": "x"}}}',
    '{"toolCall": {"functionCalls": [{"id": 1, "name": "f"}]}}',
    '{"toolCall": {"functionCalls": [{"id": "1", "name": "f", "args": []}]}}',
    '{"toolCallCancellation": {"ids": [1]}}',
    '{"goAway": {"timeLeft": "soon"}}',
    '{"goAway": {"timeLeft": true}}',
    '{"goAway": {"timeLeft": -1}}',
    '{"usageMetadata": {"totalTokenCount": "many"}}',
    '{"usageMetadata": {"totalTokenCount": false}}',
    '{"sessionResumptionUpdate": {"resumable": 1}}',
    '{"sessionResumptionUpdate": {"lastConsumedClientMessageIndex": 1.5}}',
    "[" * 100_000,
]


@pytest.mark.parametrize("data", MALFORMED)
def test_malformed_input_raises_only_the_remote_protocol_error(data: str | bytes) -> None:
    with pytest.raises(RemoteProtocolError):
        parse_server_message(data)


@pytest.mark.parametrize(
    ("text", "seconds"), [("50s", 50.0), ("1.5s", 1.5), (".5s", 0.5), (12, 12.0), (0.25, 0.25)]
)
def test_durations(text: str | float, seconds: float) -> None:
    assert parse_duration_s(text) == seconds


@pytest.mark.parametrize(
    ("mime", "rate"),
    [("audio/pcm;rate=24000", 24_000), ("audio/pcm; rate=16000", 16_000), ("audio/pcm", 24_000)],
)
def test_audio_rates(mime: str, rate: int) -> None:
    assert audio_sample_rate_hz(mime) == rate


@pytest.mark.parametrize("mime", ["audio/pcm;rate=", "audio/pcm;rate=12", "audio/pcm;rate=x"])
def test_unusable_audio_rates(mime: str) -> None:
    with pytest.raises(RemoteProtocolError, match="sample rate"):
        audio_sample_rate_hz(mime)
