from __future__ import annotations

import base64
import json

import pytest

from liveview.protocol import messages as m
from tests.support.oracle import validate_client_message

FULL_SETUP = m.SetupConfig(
    model="gemini-3.1-flash-live-preview",
    response_modalities=("AUDIO",),
    temperature=0.4,
    max_output_tokens=512,
    media_resolution="MEDIA_RESOLUTION_LOW",
    voice_name="Kore",
    language_code="en-US",
    thinking_budget=0,
    include_thoughts=False,
    enable_affective_dialog=True,
    system_instruction="You watch my screen.",
    function_declarations=(
        m.FunctionDeclaration(
            "zoom_to_region",
            "Send a crop at full detail.",
            {"type": "OBJECT", "properties": {"x": {"type": "INTEGER"}}, "required": ["x"]},
        ),
        m.FunctionDeclaration("take_snapshot", "Send one sharp frame."),
    ),
    google_search=True,
    code_execution=True,
    activity_detection=m.ActivityDetection(
        disabled=False,
        start_sensitivity="START_SENSITIVITY_LOW",
        end_sensitivity="END_SENSITIVITY_HIGH",
        prefix_padding_ms=20,
        silence_duration_ms=500,
    ),
    activity_handling="START_OF_ACTIVITY_INTERRUPTS",
    turn_coverage="TURN_INCLUDES_ONLY_ACTIVITY",
    resumption_handle="handle-1",
    context_compression=True,
    compression_trigger_tokens=25_600,
    compression_target_tokens=12_800,
    proactive_audio=True,
)

MESSAGES: dict[str, m.ClientMessage] = {
    "setup_full": m.Setup(FULL_SETUP),
    "setup_minimal": m.Setup(
        m.SetupConfig(
            model="models/x",
            session_resumption=False,
            input_transcription=False,
            output_transcription=False,
        )
    ),
    "audio": m.AudioChunk(b"\x01\x00\x02\x00"),
    "audio_24k": m.AudioChunk(b"\x01\x00", sample_rate_hz=24_000),
    "video": m.VideoFrame(b"\xff\xd8\xff\xe0jpeg"),
    "text": m.RealtimeText("hello"),
    "activity_start": m.ActivityStart(),
    "activity_end": m.ActivityEnd(),
    "audio_stream_end": m.AudioStreamEnd(),
    "client_text": m.ClientTurns.typed("what is on screen?"),
    "client_turns": m.ClientTurns((m.Turn("user", "a"), m.Turn("model", "b")), turn_complete=False),
    "tool_response": m.ToolResponse(
        (
            m.FunctionResponse("call-1", "take_snapshot", {"result": "sent"}),
            m.FunctionResponse("call-2", "pause_video", {"ok": 1}, "SILENT", will_continue=True),
        )
    ),
}
BUILT = {name: message.to_wire() for name, message in MESSAGES.items()}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_every_message_validates_against_the_official_sdk(name: str) -> None:
    message = BUILT[name]
    assert len(message) == 1, "exactly one top-level field"
    validate_client_message(json.loads(m.to_json(MESSAGES[name])))


def test_full_setup_carries_every_field_where_the_service_expects_it() -> None:
    setup = BUILT["setup_full"]["setup"]
    assert setup["model"] == "models/gemini-3.1-flash-live-preview"
    gen = setup["generationConfig"]
    assert gen["speechConfig"] == {
        "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}},
        "languageCode": "en-US",
    }
    assert gen["thinkingConfig"] == {"thinkingBudget": 0, "includeThoughts": False}
    assert gen["mediaResolution"] == "MEDIA_RESOLUTION_LOW"
    # Transcription configs belong at the top level of setup, not in generationConfig.
    assert setup["inputAudioTranscription"] == {} and setup["outputAudioTranscription"] == {}
    assert "inputAudioTranscription" not in gen
    assert setup["sessionResumption"] == {"handle": "handle-1"}
    assert setup["contextWindowCompression"] == {
        "slidingWindow": {"targetTokens": 12_800},
        "triggerTokens": 25_600,
    }
    assert setup["tools"][1:] == [{"googleSearch": {}}, {"codeExecution": {}}]
    assert setup["realtimeInputConfig"]["automaticActivityDetection"]["silenceDurationMs"] == 500
    assert setup["systemInstruction"] == {"parts": [{"text": "You watch my screen."}]}
    assert setup["proactivity"] == {"proactiveAudio": True}


def test_minimal_setup_leaves_optional_parts_out() -> None:
    setup = BUILT["setup_minimal"]["setup"]
    assert set(setup) == {"model", "generationConfig"}
    assert setup["model"] == "models/x"


def test_resumption_without_handle_requests_handles() -> None:
    setup = m.build_setup(m.SetupConfig(model="x"))["setup"]
    assert setup["sessionResumption"] == {}
    assert "contextWindowCompression" not in setup


def test_compression_without_numbers_uses_service_defaults() -> None:
    setup = m.build_setup(m.SetupConfig(model="x", context_compression=True))["setup"]
    assert setup["contextWindowCompression"] == {"slidingWindow": {}}


def test_extra_fields_are_merged_into_setup() -> None:
    setup = m.build_setup(m.SetupConfig(model="x", extra={"historyConfig": {}}))["setup"]
    assert setup["historyConfig"] == {}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("gemini-x", "models/gemini-x"),
        (" models/y ", "models/y"),
        (
            "projects/p/locations/l/publishers/google/models/z",
            "projects/p/locations/l/publishers/google/models/z",
        ),
    ],
)
def test_model_resource_name(given: str, expected: str) -> None:
    assert m.model_resource_name(given) == expected


def test_media_blobs_are_base64_with_mime() -> None:
    blob = BUILT["audio"]["realtimeInput"]["audio"]
    assert blob["mimeType"] == "audio/pcm;rate=16000"
    assert base64.b64decode(blob["data"]) == b"\x01\x00\x02\x00"
    assert BUILT["video"]["realtimeInput"]["video"]["mimeType"] == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("audio", "realtimeInput.audio"),
        ("video", "realtimeInput.video"),
        ("setup_full", "setup"),
        ("client_text", "clientContent"),
        ("tool_response", "toolResponse"),
        ("audio_stream_end", "realtimeInput.audioStreamEnd"),
        ("activity_start", "realtimeInput.activityStart"),
        ("activity_end", "realtimeInput.activityEnd"),
        ("text", "realtimeInput.text"),
    ],
)
def test_message_kind(name: str, kind: str) -> None:
    message = MESSAGES[name]
    assert message.kind == kind
    top = kind.split(".")[0]
    assert set(BUILT[name]) == {top}


def test_roles_scheduling_and_will_continue_reach_the_wire() -> None:
    turns = BUILT["client_turns"]["clientContent"]
    assert [t["role"] for t in turns["turns"]] == ["user", "model"]
    assert turns["turnComplete"] is False
    responses = BUILT["tool_response"]["toolResponse"]["functionResponses"]
    assert "scheduling" not in responses[0] and "willContinue" not in responses[0]
    assert (responses[1]["scheduling"], responses[1]["willContinue"]) == ("SILENT", True)


def test_an_audio_chunk_knows_its_length_and_keeps_its_capture_time_out_of_equality() -> None:
    chunk = m.AudioChunk(b"\x00\x00" * 320, captured_at=5.0)
    assert chunk.duration_s == 0.02 == m.pcm_duration_s(chunk.pcm, 16_000)
    assert chunk == m.AudioChunk(b"\x00\x00" * 320, captured_at=9.0)


def test_the_base_message_has_no_wire_form() -> None:
    with pytest.raises(NotImplementedError):
        m.ClientMessage().to_wire()


def test_to_json_is_compact() -> None:
    assert m.to_json(m.RealtimeText("a b")) == '{"realtimeInput":{"text":"a b"}}'


@pytest.mark.parametrize(
    "message",
    [
        m.VideoFrame(bytes(range(256)) * 3),
        m.VideoFrame(b"", mime_type='image/"odd"\u00e9'),
        m.AudioChunk(b"\x01\x02" * 320, sample_rate_hz=24_000),
    ],
    ids=["video", "odd-mime", "audio"],
)
def test_media_messages_write_the_same_json_as_json_dumps(message: m.ClientMessage) -> None:
    # Written out directly (the payload is not scanned again): byte for byte json.dumps' text.
    expected = json.dumps(message.to_wire(), separators=(",", ":"), ensure_ascii=False)
    assert m.to_json(message) == expected
