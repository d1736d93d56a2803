"""The official SDK's own client holds a session with the local server.

google-genai always connects with wss:// and an SSL context when given an API key, so its
`ws_connect` is pointed at plain ws:// here (scheme rewritten, SSL context dropped); everything
else (URI path, headers, setup, message parsing) is the SDK's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google import genai
from google.genai import live, types

from liveview.server import LocalLiveServer

KEY = "local-test-key"


@pytest.fixture
def sdk_over_plain_ws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = live.ws_connect

    def plain(uri: str, **kwargs: Any) -> Any:
        kwargs.pop("ssl", None)
        return real(uri.replace("wss://", "ws://", 1), **kwargs)

    monkeypatch.setattr(live, "ws_connect", plain)
    yield


def sdk_client(server: LocalLiveServer) -> genai.Client:
    base_url = server.url.replace("ws://", "http://", 1)
    return genai.Client(api_key=KEY, http_options=types.HttpOptions(base_url=base_url))


async def test_sdk_transcribed_turn(sdk_over_plain_ws: None) -> None:
    """The SDK's own client, as a user of gemini-3.8-live reads text: AUDIO with its
    transcription (TEXT is refused by today's models)."""
    async with LocalLiveServer(api_key=KEY, use_espeak=False, audio_pacing=0.25) as server:
        config = types.LiveConnectConfig(
            response_modalities=[types.Modality.AUDIO],
            output_audio_transcription=types.AudioTranscriptionConfig(),
            session_resumption=types.SessionResumptionConfig(),
            context_window_compression=types.ContextWindowCompressionConfig(
                sliding_window=types.SlidingWindow()
            ),
        )
        client = sdk_client(server)
        async with client.aio.live.connect(model="gemini-3.8-live", config=config) as session:
            await session.send_client_content(
                turns=types.Content(role="user", parts=[types.Part(text="hi from the SDK")]),
                turn_complete=True,
            )
            texts, done, handles = [], False, []
            async for message in session.receive():
                spoken = message.server_content and message.server_content.output_transcription
                if spoken and spoken.text:
                    texts.append(spoken.text)
                if (
                    message.session_resumption_update
                    and message.session_resumption_update.new_handle
                ):
                    handles.append(message.session_resumption_update.new_handle)
                done = done or bool(message.server_content and message.server_content.turn_complete)
            assert done
            assert 'You typed "hi from the SDK"' in "".join(texts)
        info = server.connections[0]
        assert info.path.endswith(".GenerativeService.BidiGenerateContent")
        assert info.setup is not None and info.setup.model == "models/gemini-3.8-live"
        assert info.setup.compression and info.setup.resumption


async def test_sdk_audio_session_with_realtime_input(sdk_over_plain_ws: None) -> None:
    # Speech at 10x real time: its bytes and transcript are counted, not its pace.
    async with LocalLiveServer(api_key=KEY, audio_pacing=0.1) as server:
        config = types.LiveConnectConfig(
            response_modalities=[types.Modality.AUDIO],
            speech_config=types.SpeechConfig(
                voice_config=types.VoiceConfig(
                    prebuilt_voice_config=types.PrebuiltVoiceConfig(voice_name="Aoede")
                )
            ),
            output_audio_transcription=types.AudioTranscriptionConfig(),
        )
        async with sdk_client(server).aio.live.connect(
            model="gemini-3.1-flash-live-preview", config=config
        ) as session:
            await session.send_realtime_input(text="ok")
            audio_bytes, spoken = 0, []
            async for message in session.receive():
                if message.data:
                    audio_bytes += len(message.data)
                content = message.server_content
                if content and content.output_transcription and content.output_transcription.text:
                    spoken.append(content.output_transcription.text)
            assert audio_bytes > 24_000, "at least half a second of speech"
            assert '"ok"' in "".join(spoken)
        assert server.connections[0].setup is not None
        assert server.connections[0].setup.voice == "Aoede"
