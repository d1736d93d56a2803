"""The wire format: setup first, binary camelCase frames, casing, paths, auth and close codes."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from liveview.server import PATHS, LocalLiveServer
from tests.support.peer import (
    GEMINI_PATH,
    audio_setup,
    client_text,
    closed_with,
    content,
    is_turn_complete,
    open_peer,
    reply_text,
    solid_jpeg,
    text_setup,
    video,
)

INVALID = "Request contains an invalid argument."


async def test_text_turn_streams_parts_then_generation_then_turn_complete(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url)
    await peer.send(client_text("hello there"))
    messages = await peer.turn()
    kinds = [next(iter(content(m))) for m in messages if content(m)]
    assert kinds[-2:] == ["generationComplete", "turnComplete"]
    parts = [k for k in kinds if k == "modelTurn"]
    assert len(parts) >= 2, "the reply is streamed in several parts"
    assert kinds.index("generationComplete") > max(
        i for i, k in enumerate(kinds) if k == "modelTurn"
    )
    assert 'You typed "hello there"' in reply_text(messages)
    usage = messages[-1]["usageMetadata"]
    assert usage["promptTokenCount"] >= 1
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["responseTokenCount"]
    assert set(peer.frame_types) == {bytes}, "the service answers in binary frames"
    await peer.close()


async def test_snake_case_client_messages_are_accepted(server: LocalLiveServer) -> None:
    setup = {
        "setup": {
            "model": "models/gemini-3.8-live",
            "generation_config": {"response_modalities": ["AUDIO"]},
            "output_audio_transcription": {},
            "realtime_input_config": {"activity_handling": "START_OF_ACTIVITY_INTERRUPTS"},
        }
    }
    peer = await open_peer(server.url, setup)
    await peer.send(
        {
            "client_content": {
                "turns": [{"role": "user", "parts": [{"text": "snake"}]}],
                "turn_complete": True,
            }
        }
    )
    messages = await peer.turn()
    assert '"snake"' in reply_text(messages)
    # and text frames from the client are as good as binary ones
    await peer.send(json.dumps({"realtime_input": {"text": "again"}}).encode())
    assert '"again"' in reply_text(await peer.turn())
    await peer.close()


@pytest.mark.parametrize(
    "first",
    [
        video(solid_jpeg((0, 0, 255))),  # media before setup
        client_text("hi"),
        {"toolResponse": {"functionResponses": [{"id": "x", "name": "f", "response": {}}]}},
    ],
    ids=["media", "client-content", "tool-response"],
)
async def test_anything_but_setup_first_is_closed_1007(
    server: LocalLiveServer, first: dict
) -> None:
    peer = await open_peer(server.url, first, wait_setup_complete=False)
    assert await closed_with(peer) == (1007, INVALID)


@pytest.mark.parametrize(
    ("raw", "reason_start"),
    [
        ("not json at all", "Invalid JSON payload received."),
        ("[1, 2]", "Invalid JSON payload received."),
        (json.dumps({"setup": {"model": "models/m"}, "clientContent": {}}), INVALID),
        (json.dumps({"setup": {"model": "models/m", "bogusField": 1}}), "Invalid JSON payload"),
        (json.dumps({"setup": {}}), INVALID),
        (
            json.dumps({"setup": "models/m"}),
            "Invalid JSON payload received. Invalid value at 'setup'",
        ),
    ],
    ids=["garbage", "array", "two-keys", "unknown-field", "no-model", "setup-not-object"],
)
async def test_bad_first_message_is_closed_1007(
    server: LocalLiveServer, raw: str, reason_start: str
) -> None:
    peer = await open_peer(server.url, raw, wait_setup_complete=False)  # type: ignore[arg-type]
    code, reason = await closed_with(peer)
    assert code == 1007
    assert reason.startswith(reason_start)


async def test_unknown_field_reason_names_the_field(server: LocalLiveServer) -> None:
    peer = await open_peer(
        server.url, {"setup": {"model": "models/m", "bogusField": 1}}, wait_setup_complete=False
    )
    _code, reason = await closed_with(peer)
    assert '"bogusField"' in reason and "'setup'" in reason


async def test_second_setup_and_bad_realtime_input_close_1007(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send(text_setup())
    assert await closed_with(peer) == (1007, INVALID)
    peer = await open_peer(server.url)
    await peer.send({"realtimeInput": {"audio": {"mimeType": "audio/pcm", "data": "@@not base64"}}})
    assert await closed_with(peer) == (1007, INVALID)


@pytest.mark.parametrize("path", sorted(PATHS))
async def test_every_service_path_is_served(server: LocalLiveServer, path: str) -> None:
    peer = await open_peer(server.url, path=path)
    await peer.close()


async def test_unknown_path_is_404_at_the_upgrade(server: LocalLiveServer) -> None:
    with pytest.raises(InvalidStatus) as caught:
        await connect(server.url + "/ws/nope", compression=None)
    assert caught.value.response.status_code == 404


async def test_api_key_checked_in_every_place_a_client_may_put_it() -> None:
    async with LocalLiveServer(api_key="sekrit") as server:
        for path, headers in [
            (GEMINI_PATH, {"x-goog-api-key": "sekrit"}),
            (GEMINI_PATH + "?key=sekrit", None),
            (GEMINI_PATH, {"Authorization": "Bearer sekrit"}),
            (GEMINI_PATH.replace("v1beta", "v1alpha") + "Constrained?access_token=sekrit", None),
        ]:
            peer = await open_peer(server.url, path=path, headers=headers)
            await peer.close()
        peer = await open_peer(
            server.url, headers={"x-goog-api-key": "wrong"}, wait_setup_complete=False
        )
        assert await closed_with(peer) == (1007, "API key not valid. Please pass a valid API key.")


async def test_retired_model_is_closed_1008_naming_model_and_version() -> None:
    async with LocalLiveServer(retired_models=frozenset({"gemini-old"})) as server:
        setup = {"setup": {"model": "models/gemini-old"}}
        path = GEMINI_PATH.replace("v1beta", "v1")
        peer = await open_peer(server.url, setup, path=path, wait_setup_complete=False)
        assert await closed_with(peer) == (
            1008,
            "models/gemini-old is not found for API version v1, or is not supported for "
            "bidiGenerateContent",
        )


async def test_voice_names_are_validated(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, audio_setup(voice="NotAVoice"), wait_setup_complete=False)
    assert await closed_with(peer) == (1007, INVALID)
    # A voice on a TEXT request (gemini-2.5 native audio, as observed).
    setup = text_setup(model="models/gemini-2.5-flash-native-audio-latest")
    setup["setup"]["generationConfig"] = {
        "responseModalities": ["TEXT"],
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Puck"}}},
    }
    peer = await open_peer(server.url, setup, wait_setup_complete=False)
    assert await closed_with(peer) == (1007, "Cannot extract voices from a non-audio request.")


async def test_usage_counts_images_by_media_resolution(server: LocalLiveServer) -> None:
    setup = text_setup()
    setup["setup"]["generationConfig"]["mediaResolution"] = "MEDIA_RESOLUTION_LOW"
    peer = await open_peer(server.url, setup)
    for _ in range(3):
        await peer.send(video(solid_jpeg((10, 200, 10))))
    await peer.send({"realtimeInput": {"text": "count"}})
    messages = await peer.until(is_turn_complete)
    details = {
        d["modality"]: d["tokenCount"] for d in messages[-1]["usageMetadata"]["promptTokensDetails"]
    }
    assert details["IMAGE"] == 3 * 64
    await peer.close()
