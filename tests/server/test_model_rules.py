"""The local server holds every model of the catalogue to today's rules (issue 12), each rule
both ways: what the service refuses closes with its code and reason, what it takes opens.

The expectations are written out here from PROTOCOL.md, not read from the catalogue, so a
mistake in the shared table shows as a failure."""

from __future__ import annotations

from typing import Any

import pytest

from liveview.server import LocalLiveServer
from liveview.server.texts import fit_reason
from tests.support.peer import (
    Msg,
    client_text,
    closed_with,
    content,
    open_peer,
    relaxed_text_setup,
    reply_text,
)

INVALID = "Request contains an invalid argument."


def setup(model: str, *, modalities: list[str] | None = None, **fields: Any) -> Msg:
    body: Msg = {
        "model": f"models/{model}",
        "generationConfig": {"responseModalities": modalities or ["AUDIO"]},
        "outputAudioTranscription": {},
    }
    for key, value in fields.items():
        if key in ("thinkingConfig", "enableAffectiveDialog", "mediaResolution"):
            body["generationConfig"][key] = value
        else:
            body[key] = value
    return {"setup": body}


REFUSED = [
    ("text-on-3.8", setup("gemini-3.8-live", modalities=["TEXT"]), (1007, INVALID)),
    ("audio+text-on-3.8", setup("gemini-3.8-live", modalities=["AUDIO", "TEXT"]), (1007, INVALID)),
    (
        "text-on-2.5",
        setup("gemini-2.5-flash-native-audio-latest", modalities=["TEXT"]),
        (1007, "Cannot extract voices from a non-audio request."),
    ),
    (
        "text-on-3.1",
        setup("gemini-3.1-flash-live-preview", modalities=["TEXT"]),
        (1011, "Internal error encountered."),
    ),
    (
        "thinking-on-3.8",
        setup("gemini-3.8-live", thinkingConfig={"thinkingLevel": "LOW"}),
        (1007, INVALID),
    ),
    (
        "budget-on-3.x",
        setup("gemini-3.8-live-extended-thinking", thinkingConfig={"thinkingBudget": 512}),
        (1007, INVALID),
    ),
    (
        "level-on-2.5",
        setup("gemini-2.5-flash-native-audio-latest", thinkingConfig={"thinkingLevel": "HIGH"}),
        (1007, INVALID),
    ),
    ("code-execution", setup("gemini-3.8-live", tools=[{"codeExecution": {}}]), (1007, INVALID)),
    (
        "proactive-audio-off-on-3.8",
        setup("gemini-3.8-live", proactivity={"proactiveAudio": False}),
        (1007, INVALID),
    ),
    (
        "affective-dialog-on-3.8",
        setup("gemini-3.8-live", enableAffectiveDialog=True),
        (1007, INVALID),
    ),
    (
        "blocking-on-async-only",
        setup(
            "gemini-3.8-live-extended-thinking",
            tools=[{"functionDeclarations": [{"name": "f", "behavior": "BLOCKING"}]}],
        ),
        (1007, INVALID),
    ),
    (
        "non-blocking-on-sync-only",
        setup(
            "gemini-3.1-flash-live-preview",
            tools=[{"functionDeclarations": [{"name": "f", "behavior": "NON_BLOCKING"}]}],
        ),
        (1007, INVALID),
    ),
]

ACCEPTED = [
    ("audio-on-3.8", setup("gemini-3.8-live")),
    ("level-on-extended", setup("gemini-3.8-live-extended-thinking",
                                thinkingConfig={"thinkingLevel": "HIGH"})),
    ("budget-on-2.5", setup("gemini-2.5-flash-native-audio-latest",
                            thinkingConfig={"thinkingBudget": 1024})),
    ("level-on-3.1", setup("gemini-3.1-flash-live-preview",
                           thinkingConfig={"thinkingLevel": "MINIMAL"})),
    ("proactive-audio-on-3.8", setup("gemini-3.8-live", proactivity={"proactiveAudio": True})),
    ("affective-on-2.5", setup("gemini-2.5-flash-native-audio-latest",
                               enableAffectiveDialog=True)),
    ("search-on-3.8", setup("gemini-3.8-live", tools=[{"googleSearch": {}}])),
    ("media-resolution", setup("gemini-3.8-live", mediaResolution="MEDIA_RESOLUTION_LOW")),
    ("languages-on-3.8", setup("gemini-3.8-live",
                               inputAudioTranscription={"languageCodes": ["en-US", "de-DE"]})),
]  # fmt: skip


@pytest.mark.parametrize(("name", "message", "close"), REFUSED, ids=[r[0] for r in REFUSED])
async def test_a_setting_the_model_refuses_closes_the_session(
    server: LocalLiveServer, name: str, message: Msg, close: tuple[int, str]
) -> None:
    peer = await open_peer(server.url, message, wait_setup_complete=False)
    assert await closed_with(peer) == close


@pytest.mark.parametrize(("name", "message"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
async def test_a_setting_the_model_takes_opens_the_session(
    server: LocalLiveServer, name: str, message: Msg
) -> None:
    peer = await open_peer(server.url, message)  # asserts setupComplete came first
    await peer.close()


@pytest.mark.parametrize(
    ("model", "version"),
    [
        ("gemini-9-live-from-the-future", "v1beta"),  # unknown
        ("gemini-3.8-flash", "v1beta"),  # exists, but not for live sessions
        ("gemini-2.0-flash-live-001", "v1beta"),  # retired
    ],
)
async def test_unknown_non_live_and_retired_models_close_1008(
    server: LocalLiveServer, model: str, version: str
) -> None:
    peer = await open_peer(server.url, setup(model), wait_setup_complete=False)
    assert await closed_with(peer) == (
        1008,
        f"models/{model} is not found for API version {version}, or is not supported for "
        "bidiGenerateContent",
    )


def bare(model: str, **body: Any) -> Msg:
    return {"setup": {"model": f"models/{model}", **body}}


PATHS = [
    (
        "voice config",
        bare("gemini-3.8-live", generationConfig={
            "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voice": "x"}}}}),
        'Invalid JSON payload received. Unknown name "voice" at '
        "'setup.generation_config.speech_config.voice_config.prebuilt_voice_config': "
        "Cannot find field.",
    ),
    (
        "function declaration",
        setup("gemini-3.8-live", tools=[{"functionDeclarations": [{"name": "f", "mode": 1}]}]),
        'Invalid JSON payload received. Unknown name "mode" at '
        "'setup.tools[0].function_declarations[0]': Cannot find field.",
    ),
    (
        "bad enum value",
        bare("gemini-3.8-live", generationConfig={"mediaResolution": "MEDIA_RESOLUTION_HUGE"}),
        "Invalid JSON payload received. Invalid value at "
        "'setup.generation_config.media_resolution' (MediaResolution), "
        '"MEDIA_RESOLUTION_HUGE"',
    ),
    (
        "enum in a list",
        setup("gemini-3.8-live", modalities=["SMELL"]),
        "Invalid JSON payload received. Invalid value at "
        "'setup.generation_config.response_modalities[0]' (Modality), \"SMELL\"",
    ),
    (
        "a string where a number goes",
        setup("gemini-3.8-live", contextWindowCompression={"triggerTokens": "lots"}),
        "Invalid JSON payload received. Invalid value at "
        "'setup.context_window_compression.trigger_tokens' (TYPE_INT64), \"lots\"",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("where", "message", "reason"), PATHS, ids=[p[0] for p in PATHS])
async def test_unknown_fields_and_bad_values_close_1007_with_their_path(
    server: LocalLiveServer, where: str, message: Msg, reason: str
) -> None:
    peer = await open_peer(server.url, message, wait_setup_complete=False)
    # A close frame carries at most 123 bytes of reason: the service's text is cut there too.
    assert await closed_with(peer) == (1007, fit_reason(reason))


async def test_an_unknown_field_later_in_the_session_closes_it_too(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url, setup("gemini-3.8-live"))
    await peer.send({"realtimeInput": {"video": {"mimeType": "image/jpeg", "data": "", "fps": 1}}})
    assert await closed_with(peer) == (
        1007,
        "Invalid JSON payload received. Unknown name \"fps\" at 'realtime_input.video': "
        "Cannot find field.",
    )


async def test_text_replies_on_3_8_arrive_through_the_transcription(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url, setup("gemini-3.8-live"))
    await peer.send(client_text("what do you see"))
    messages = await peer.turn()
    assert 'You typed "what do you see"' in reply_text(messages)
    assert not any(
        "text" in part
        for m in messages
        for part in content(m).get("modelTurn", {}).get("parts", [])
    ), "no text parts: the words come only as the transcription of the audio"
    # The service sends each audio part's transcription in the same serverContent.
    with_audio = [m for m in messages if content(m).get("modelTurn")]
    assert with_audio and any("outputTranscription" in content(m) for m in with_audio)
    await peer.close()


async def test_relaxed_mode_takes_any_model_and_text_replies(
    relaxed_server: LocalLiveServer,
) -> None:
    peer = await open_peer(relaxed_server.url, relaxed_text_setup())
    await peer.send(client_text("plain text please"))
    messages = await peer.turn()
    parts = [p for m in messages for p in content(m).get("modelTurn", {}).get("parts", [])]
    assert parts and all("text" in p for p in parts)
    assert 'You typed "plain text please"' in reply_text(messages)
    await peer.close()


async def test_resumption_index_only_for_transparent_resumption(server: LocalLiveServer) -> None:
    for transparent, expected in ((False, False), (True, True)):
        resumption = {"transparent": True} if transparent else {}
        peer = await open_peer(server.url, setup("gemini-3.8-live", sessionResumption=resumption))
        update = (await peer.recv())["sessionResumptionUpdate"]
        assert ("lastConsumedClientMessageIndex" in update) is expected
        await peer.close()


async def test_setup_complete_carries_the_session_id(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, setup("gemini-3.8-live"), wait_setup_complete=False)
    first = await peer.recv()
    assert first["setupComplete"]["sessionId"] == server.connections[-1].session_id != ""
    await peer.close()
