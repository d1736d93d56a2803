"""Settings follow the catalogue (issue 12): what liveview sends for each model, and what it
refuses before sending, naming the model and the setting."""

from __future__ import annotations

import pytest

from liveview.core.settings import (
    DEFAULT_MODEL,
    Backend,
    SessionSettings,
    choose_backend,
    default_model,
    unavailable,
)
from liveview.errors import Setting, UnsupportedSettingError
from liveview.protocol import messages as msg
from liveview.protocol.catalogue import live_models
from liveview.protocol.setup_rules import refusals
from liveview.server import LocalLiveServer
from liveview.transport.client import LiveConnection
from liveview.transport.endpoint import local_endpoint
from tests.support.oracle import validate_client_message


def built(settings: SessionSettings) -> dict:
    message = msg.build_setup(settings.setup_config())
    validate_client_message(message)
    return message["setup"]


def test_the_default_model_is_gemini_3_8_live() -> None:
    assert DEFAULT_MODEL == "gemini-3.8-live"
    assert default_model(Backend.GEMINI) == "gemini-3.8-live"
    assert default_model(Backend.LOCAL) == "liveview-local"


@pytest.mark.parametrize(
    ("explicit", "url", "key", "backend"),
    [
        (None, None, False, Backend.LOCAL),
        (None, None, True, Backend.GEMINI),
        (None, "wss://example.test/live", True, Backend.CUSTOM),
        ("local", None, True, Backend.LOCAL),
        ("vertex", None, True, Backend.VERTEX),
    ],
)
def test_the_backend_rule(
    explicit: str | None, url: str | None, key: bool, backend: Backend
) -> None:
    assert choose_backend(explicit, url, key) is backend


def test_text_replies_on_an_audio_only_model_are_audio_with_its_transcript() -> None:
    setup = built(SessionSettings(model="gemini-3.8-live", audio_replies=False, voice="Kore"))
    assert setup["generationConfig"]["responseModalities"] == ["AUDIO"]
    assert "outputAudioTranscription" in setup
    assert refusals(setup) == []


@pytest.mark.parametrize(
    ("model", "thinking", "sent"),
    [
        ("gemini-3.8-live-extended-thinking", "high", {"thinkingLevel": "HIGH"}),
        ("gemini-3.1-flash-live-preview", "minimal", {"thinkingLevel": "MINIMAL"}),
        ("gemini-2.5-flash-native-audio-latest", "low", {"thinkingBudget": 1024}),
    ],
)
def test_thinking_is_sent_the_way_each_model_takes_it(
    model: str, thinking: str, sent: dict
) -> None:
    setup = built(SessionSettings(model=model, thinking=thinking))
    assert setup["generationConfig"]["thinkingConfig"] == sent
    assert refusals(setup) == []


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        ({"thinking": "high"}, Setting.THINKING),  # 3.8 takes no thinking setting
        ({"code_execution": True}, Setting.CODE_EXECUTION),
        ({"model": "liveview-local", "google_search": True}, Setting.GOOGLE_SEARCH),
        ({"model": "gemini-3.8-live-extended-thinking", "thinking": "minimal"}, Setting.THINKING),
    ],
)
def test_a_setting_the_model_does_not_take_is_refused_before_sending(
    kwargs: dict, setting: Setting
) -> None:
    settings = SessionSettings(**{"model": "gemini-3.8-live", **kwargs})
    with pytest.raises(UnsupportedSettingError) as caught:
        settings.setup_config()
    assert caught.value.setting is setting
    assert settings.model in caught.value.user_message


def test_unavailable_settings_carry_their_reasons() -> None:
    local = unavailable(SessionSettings(model="liveview-local"))
    assert set(local) == {Setting.CODE_EXECUTION, Setting.GOOGLE_SEARCH, Setting.THINKING}
    assert "no network" in local[Setting.GOOGLE_SEARCH]
    assert unavailable(SessionSettings(model="gemini-9-live")) == {}  # the service decides


def test_media_resolution_and_transcription_languages() -> None:
    setup = built(
        SessionSettings(media_resolution="low", transcription_languages=("en-US", "de-DE"))
    )
    assert setup["generationConfig"]["mediaResolution"] == "MEDIA_RESOLUTION_LOW"
    assert setup["inputAudioTranscription"] == {"languageCodes": ["en-US", "de-DE"]}


def test_liveviews_functions_get_the_behavior_that_fits_each_model() -> None:
    def behaviors(model: str) -> dict[str, str | None]:
        decls = SessionSettings(model=model, functions=True).declared_functions()
        return {d.name: d.behavior for d in decls}

    on_38 = behaviors("gemini-3.8-live")
    assert on_38["take_snapshot"] == on_38["zoom_to_region"] == "BLOCKING"
    assert on_38["pause_video"] == on_38["switch_source"] == "NON_BLOCKING"
    assert set(behaviors("gemini-3.8-live-extended-thinking").values()) == {"NON_BLOCKING"}
    assert set(behaviors("gemini-3.1-flash-live-preview").values()) == {None}  # sync only
    settings = SessionSettings(model="gemini-3.8-live", functions=True)
    assert settings.is_non_blocking("pause_video") and not settings.is_non_blocking("take_snapshot")
    assert settings.is_non_blocking("someone_elses_function")  # 3.8's default


@pytest.mark.parametrize("model", [m.id for m in live_models()])
async def test_liveviews_default_setup_for_every_model_is_accepted(model: str) -> None:
    """For every model of the catalogue, the setup liveview sends by default (video, tools on,
    text replies) validates against the SDK's types and opens a session with the strict local
    server."""
    settings = SessionSettings(model=model, functions=True, video_enabled=True)
    setup = msg.Setup(settings.setup_config())
    validate_client_message(setup.to_wire())
    async with LocalLiveServer(use_espeak=False) as server:
        conn = await LiveConnection.open(local_endpoint(server.url), setup)
        await conn.close()
