"""Client-message parsing (server/inbound.py) fed raw JSON: what each message becomes, and the
exact close code and reason for what the service refuses."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from liveview.server import inbound, texts
from liveview.server.inbound import (
    ActivityEnd,
    ActivityStart,
    Audio,
    AudioStreamEnd,
    ClientTurns,
    FunctionDecl,
    FunctionResult,
    Ignored,
    Setup,
    Text,
    ToolResponses,
    Video,
)
from liveview.server.inbound_errors import ClientProtocolError

PCM = bytes(range(16)) * 4
JPEG_START = b"\xff\xd8\xff\xe0fake jpeg"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def parse(message: dict[str, Any]) -> tuple[str, list[inbound.Item]]:
    """As the connection does it: the JSON text decoded, then parsed."""
    return inbound.parse_message(inbound.decode_json(json.dumps(message)))


def refusal(message: dict[str, Any] | str | bytes) -> tuple[int, str]:
    raw = message if isinstance(message, (str, bytes)) else json.dumps(message)
    with pytest.raises(ClientProtocolError) as caught:
        inbound.parse_message(inbound.decode_json(raw))
    return caught.value.code, caught.value.reason


# --- setup ------------------------------------------------------------------------------------


def test_minimal_setup_takes_the_documented_defaults() -> None:
    assert parse({"setup": {"model": "models/gemini-3.8-live"}}) == (
        "setup",
        [Setup(model="models/gemini-3.8-live")],
    )


def test_full_setup_is_read_field_by_field() -> None:
    body = {
        "model": "models/m",
        "generationConfig": {
            "responseModalities": ["AUDIO"],
            "mediaResolution": "MEDIA_RESOLUTION_LOW",
            "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "kore"}}},
        },
        "systemInstruction": {"parts": [{"text": "Be brief."}, {"text": "Be kind."}]},
        "tools": [
            {"googleSearch": {}},
            {"codeExecution": {}},
            {
                "functionDeclarations": [
                    {
                        "name": "zoom_to_region",
                        "behavior": "NON_BLOCKING",
                        "parameters": {
                            "type": "OBJECT",
                            "properties": {"x": {"type": "INTEGER"}, "y": {"type": "INTEGER"}},
                            "required": ["x"],
                        },
                    },
                    {"name": "take_snapshot", "behavior": "UNSPECIFIED"},
                ]
            },
        ],
        "realtimeInputConfig": {
            "automaticActivityDetection": {"disabled": True, "silenceDurationMs": 300},
            "activityHandling": "NO_INTERRUPTION",
        },
        "sessionResumption": {"handle": "h-1", "transparent": True},
        "contextWindowCompression": {
            "triggerTokens": "20000",  # int64: protobuf JSON writes it as a string
            "slidingWindow": {"targetTokens": 8000},
        },
        "inputAudioTranscription": {},
        "outputAudioTranscription": {},
    }
    _, [setup] = parse({"setup": body})
    assert setup == Setup(
        model="models/m",
        audio_out=True,
        voice="Kore",  # the canonical spelling
        media_resolution="MEDIA_RESOLUTION_LOW",
        system_text="Be brief. Be kind.",
        functions=(
            FunctionDecl("zoom_to_region", ("x", "y"), ("x",), "NON_BLOCKING"),
            FunctionDecl("take_snapshot", (), (), None),
        ),
        google_search=True,
        code_execution=True,
        vad_disabled=True,
        silence_duration_ms=300,
        interrupts=False,
        resumption=True,
        resume_handle="h-1",
        transparent_resumption=True,
        compression=True,
        trigger_tokens=20_000,
        target_tokens=8_000,
        input_transcription=True,
        output_transcription=True,
    )


def test_text_modality_means_no_audio_out() -> None:
    _, [setup] = parse(
        {"setup": {"model": "m", "generationConfig": {"responseModalities": ["TEXT"]}}}
    )
    assert isinstance(setup, Setup) and setup.audio_out is False


def test_snake_case_setup_reads_like_camel_case() -> None:
    snake = {
        "setup": {
            "model": "m",
            "generation_config": {"response_modalities": ["TEXT"]},
            "realtime_input_config": {"automatic_activity_detection": {"silence_duration_ms": 700}},
            "output_audio_transcription": {},
        }
    }
    _, [setup] = parse(snake)
    assert setup == Setup(
        model="m", audio_out=False, silence_duration_ms=700, output_transcription=True
    )


def test_setup_without_a_model_is_invalid_argument() -> None:
    assert refusal({"setup": {}}) == (1007, texts.INVALID_ARGUMENT)


def test_image_replies_are_invalid_argument() -> None:
    setup = {"setup": {"model": "m", "generationConfig": {"responseModalities": ["IMAGE"]}}}
    assert refusal(setup) == (1007, texts.INVALID_ARGUMENT)


def test_unknown_voice_is_invalid_argument() -> None:
    voice = {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Nobody"}}}
    setup = {"setup": {"model": "m", "generationConfig": {"speechConfig": voice}}}
    assert refusal(setup) == (1007, texts.INVALID_ARGUMENT)


def test_voice_with_text_replies_says_non_audio_request() -> None:
    voice = {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Puck"}}}
    gen = {"responseModalities": ["TEXT"], "speechConfig": voice}
    assert refusal({"setup": {"model": "m", "generationConfig": gen}}) == (
        1007,
        texts.NON_AUDIO_VOICE,
    )


def test_function_declaration_without_a_name_is_invalid_argument() -> None:
    setup = {"setup": {"model": "m", "tools": [{"functionDeclarations": [{"description": "x"}]}]}}
    assert refusal(setup) == (1007, texts.INVALID_ARGUMENT)


# --- realtimeInput ----------------------------------------------------------------------------


def test_audio_carries_pcm_and_the_rate_from_its_mime_type() -> None:
    message = {"realtimeInput": {"audio": {"mimeType": "audio/pcm;rate=24000", "data": b64(PCM)}}}
    assert parse(message) == ("realtimeInput", [Audio(PCM, 24_000)])


def test_audio_without_a_rate_is_16_khz() -> None:
    _, [item] = parse({"realtimeInput": {"audio": {"mimeType": "audio/pcm", "data": b64(PCM)}}})
    assert item == Audio(PCM, inbound.MIC_DEFAULT_RATE_HZ)


def test_url_safe_base64_is_accepted() -> None:
    data = b"\xfb\xff\xfe" * 4  # "+//+" in the standard alphabet, "-__-" in the URL-safe one
    safe = base64.urlsafe_b64encode(data).decode()
    assert "-" in safe or "_" in safe
    _, [item] = parse({"realtimeInput": {"audio": {"mimeType": "audio/pcm", "data": safe}}})
    assert item == Audio(data, 16_000)


@pytest.mark.parametrize(
    "blob",
    [
        {"mimeType": "audio/pcm", "data": "@@not base64"},
        {"mimeType": "audio/pcm;rate=500", "data": b64(PCM)},  # below any real rate
        {"mimeType": "audio/wav", "data": b64(PCM)},  # raw 16-bit PCM only
        {"mimeType": "image/jpeg", "data": b64(PCM)},
    ],
    ids=["bad-base64", "rate-too-low", "not-pcm", "image-as-audio"],
)
def test_bad_audio_is_invalid_argument(blob: dict[str, str]) -> None:
    assert refusal({"realtimeInput": {"audio": blob}}) == (1007, texts.INVALID_ARGUMENT)


def test_video_carries_the_jpeg_and_its_mime_type() -> None:
    message = {"realtimeInput": {"video": {"mimeType": "image/jpeg", "data": b64(JPEG_START)}}}
    assert parse(message) == ("realtimeInput", [Video(JPEG_START, "image/jpeg")])


def test_audio_as_video_is_invalid_argument() -> None:
    message = {"realtimeInput": {"video": {"mimeType": "audio/pcm", "data": b64(PCM)}}}
    assert refusal(message) == (1007, texts.INVALID_ARGUMENT)


def test_realtime_text_is_a_text_item_and_empty_text_is_nothing() -> None:
    assert parse({"realtimeInput": {"text": "hello"}}) == ("realtimeInput", [Text("hello")])
    assert parse({"realtimeInput": {"text": ""}}) == ("realtimeInput", [])


def test_activity_start_and_end() -> None:
    assert parse({"realtimeInput": {"activityStart": {}}})[1] == [ActivityStart()]
    assert parse({"realtimeInput": {"activityEnd": {}}})[1] == [ActivityEnd()]


def test_audio_stream_end_only_when_true() -> None:
    assert parse({"realtimeInput": {"audioStreamEnd": True}})[1] == [AudioStreamEnd()]
    assert parse({"realtimeInput": {"audioStreamEnd": False}})[1] == []


def test_several_fields_of_one_realtime_input_come_in_wire_order() -> None:
    body = {
        "activityEnd": {},
        "text": "said",
        "audio": {"mimeType": "audio/pcm", "data": b64(PCM)},
        "activityStart": {},
    }
    # audio, then the start, the text and the end: the order a push-to-talk turn needs
    assert parse({"realtimeInput": body})[1] == [
        Audio(PCM, 16_000),
        ActivityStart(),
        Text("said"),
        ActivityEnd(),
    ]


def test_deprecated_media_chunks_are_still_taken_by_mime_type() -> None:
    chunks = [
        {"mimeType": "audio/pcm;rate=8000", "data": b64(PCM)},
        {"mimeType": "image/png", "data": b64(JPEG_START)},
    ]
    assert parse({"realtimeInput": {"mediaChunks": chunks}})[1] == [
        Audio(PCM, 8_000),
        Video(JPEG_START, "image/png"),
    ]


def test_media_chunk_of_another_kind_is_invalid_argument() -> None:
    chunks = [{"mimeType": "video/mp4", "data": b64(JPEG_START)}]
    assert refusal({"realtimeInput": {"mediaChunks": chunks}}) == (1007, texts.INVALID_ARGUMENT)


# --- clientContent ----------------------------------------------------------------------------


def test_client_content_keeps_roles_texts_and_counts_images() -> None:
    image = {"inlineData": {"mimeType": "image/jpeg", "data": b64(JPEG_START)}}
    body = {
        "turns": [
            {"role": "user", "parts": [{"text": "what is this?"}, image]},
            {"role": "model", "parts": [{"text": "a picture"}]},
            {"parts": [{"text": "no role means user"}]},
        ],
        "turnComplete": True,
    }
    assert parse({"clientContent": body}) == (
        "clientContent",
        [
            ClientTurns(
                (("user", "what is this?"), ("model", "a picture"), ("user", "no role means user")),
                turn_complete=True,
                image_count=1,
            )
        ],
    )


def test_client_content_without_turn_complete_is_a_seed() -> None:
    body = {"turns": [{"role": "user", "parts": [{"text": "remember"}]}]}
    _, [turns] = parse({"clientContent": body})
    assert isinstance(turns, ClientTurns)
    assert turns.turn_complete is False and turns.texts == ("remember",)


@pytest.mark.parametrize("role", ["system", "assistant", "tool"])
def test_a_role_other_than_user_or_model_is_refused_in_the_service_words(role: str) -> None:
    body = {"turns": [{"role": role, "parts": [{"text": "x"}]}], "turnComplete": True}
    assert refusal({"clientContent": body}) == (1007, texts.INVALID_ROLE)


# --- toolResponse -----------------------------------------------------------------------------


def test_tool_response_results_keep_id_name_response_and_scheduling() -> None:
    body = {
        "functionResponses": [
            {"id": "c1", "name": "take_snapshot", "response": {"ok": True}},
            {
                "id": "c2",
                "name": "search",
                "response": {"hits": 3},
                "scheduling": "WHEN_IDLE",
                "willContinue": True,
            },
            {"id": "c3", "scheduling": "SCHEDULING_UNSPECIFIED"},
        ]
    }
    assert parse({"toolResponse": body}) == (
        "toolResponse",
        [
            ToolResponses(
                (
                    FunctionResult("c1", "take_snapshot", {"ok": True}),
                    FunctionResult("c2", "search", {"hits": 3}, "WHEN_IDLE", will_continue=True),
                    FunctionResult("c3", "", {}, None),
                )
            )
        ],
    )


def test_tool_response_without_an_id_is_invalid_argument() -> None:
    body = {"functionResponses": [{"name": "f", "response": {}}]}
    assert refusal({"toolResponse": body}) == (1007, texts.INVALID_ARGUMENT)


def test_context_update_is_accepted_and_ignored() -> None:
    assert parse({"contextUpdate": {}}) == ("contextUpdate", [Ignored("contextUpdate")])


def test_snake_case_top_level_key_is_reported_in_camel_case() -> None:
    assert parse({"realtime_input": {"audio_stream_end": True}}) == (
        "realtimeInput",
        [AudioStreamEnd()],
    )


# --- malformed, unknown and wrongly typed -----------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["not json at all", "[1, 2]", '"a string"', b"\xff\xfe\x00", "{"],
    ids=["garbage", "array", "string", "not-utf8", "cut-off"],
)
def test_what_is_not_a_json_object_says_invalid_json(raw: str | bytes) -> None:
    assert refusal(raw) == (1007, texts.invalid_json())


def test_bytes_and_text_frames_decode_alike() -> None:
    raw = '{"realtimeInput": {"text": "hi"}}'
    assert inbound.decode_json(raw.encode()) == inbound.decode_json(raw)


def test_json_nested_past_the_protobuf_limit_closes_1007() -> None:
    # Once a RecursionError out of the parser: the connection crashed (1011, empty reason).
    assert refusal("[" * 100_000) == (1007, texts.TOO_DEEP)
    deep: dict[str, Any] = {}
    for _ in range(inbound.MAX_JSON_DEPTH):
        deep = {"a": deep}
    labels = {"setup": {"model": "m", "labels": deep}}
    assert refusal(labels) == (1007, texts.TOO_DEEP)


def test_json_at_the_depth_limit_is_parsed() -> None:
    deep: dict[str, Any] = {}
    for _ in range(inbound.MAX_JSON_DEPTH - 3):  # setup, labels and the innermost {} make 100
        deep = {"a": deep}
    assert parse({"setup": {"model": "m", "labels": deep}}) == ("setup", [Setup(model="m")])


def test_two_top_level_messages_are_invalid_argument() -> None:
    both = {"setup": {"model": "m"}, "realtimeInput": {"text": "x"}}
    assert refusal(both) == (1007, texts.INVALID_ARGUMENT)


def test_empty_object_is_invalid_argument() -> None:
    assert refusal({}) == (1007, texts.INVALID_ARGUMENT)


@pytest.mark.parametrize(
    ("message", "name", "where"),
    [
        ({"bogus": {}}, "bogus", ""),
        ({"setup": {"model": "m", "bogusField": 1}}, "bogusField", "setup"),
        (
            {"setup": {"model": "m", "generationConfig": {"temprature": 1}}},
            "temprature",
            "setup.generation_config",
        ),
        ({"realtimeInput": {"audio": {"mime": "audio/pcm"}}}, "mime", "realtime_input.audio"),
    ],
    ids=["top-level", "setup", "nested", "blob"],
)
def test_unknown_field_is_named_with_its_path(
    message: dict[str, Any], name: str, where: str
) -> None:
    assert refusal(message) == (1007, texts.unknown_field(name, where))


@pytest.mark.parametrize(
    ("message", "where", "type_name", "value"),
    [
        ({"setup": {"model": 5}}, "setup.model", "TYPE_STRING", 5),
        ({"setup": "models/m"}, "setup", "LiveClientSetup", "models/m"),
        ({"realtimeInput": {"text": 5}}, "realtime_input.text", "TYPE_STRING", 5),
        (
            {"realtimeInput": {"audioStreamEnd": "yes"}},
            "realtime_input.audio_stream_end",
            "TYPE_BOOL",
            "yes",
        ),
        ({"clientContent": {"turns": "x"}}, "client_content.turns", "Content", "x"),
        (
            {"setup": {"model": "m", "generationConfig": {"responseModalities": ["BOGUS"]}}},
            "setup.generation_config.response_modalities[0]",
            "Modality",
            "BOGUS",
        ),
    ],
    ids=[
        "int-for-string",
        "string-for-message",
        "realtime-text",
        "string-for-bool",
        "string-for-list",
        "unknown-enum",
    ],
)
def test_wrong_type_names_the_field_and_the_expected_type(
    message: dict[str, Any], where: str, type_name: str, value: object
) -> None:
    assert refusal(message) == (1007, texts.invalid_value(where, type_name, value))


def test_a_bool_is_not_an_integer() -> None:
    aad = {"automaticActivityDetection": {"silenceDurationMs": True}}
    message = {"setup": {"model": "m", "realtimeInputConfig": aad}}
    where = "setup.realtime_input_config.automatic_activity_detection.silence_duration_ms"
    assert refusal(message) == (1007, texts.invalid_value(where, "TYPE_INT64", True))


def test_null_means_unset() -> None:
    assert parse({"setup": {"model": "m", "generationConfig": None, "tools": None}}) == (
        "setup",
        [Setup(model="m")],
    )
