"""Which setup fields a model refuses, and how a refusal from the service is blamed on one."""

from __future__ import annotations

from typing import Any

import pytest

from liveview.errors import Setting
from liveview.protocol import setup_rules as rules

INVALID = "Request contains an invalid argument."


def setup(model: str = "gemini-3.8-live", **body: Any) -> dict[str, Any]:
    return {"model": f"models/{model}", **body}


@pytest.mark.parametrize(
    ("body", "setting"),
    [
        (setup(generationConfig={"responseModalities": ["TEXT"]}), Setting.REPLY_MODE),
        (setup(generation_config={"response_modalities": ["TEXT"]}), Setting.REPLY_MODE),
        (setup(generationConfig={"thinkingConfig": {}}), Setting.THINKING),
        (setup(tools=[{"codeExecution": {}}]), Setting.CODE_EXECUTION),
        (setup("liveview-local", tools=[{"googleSearch": {}}]), Setting.GOOGLE_SEARCH),
        (
            setup("gemini-3.8-live-extended-thinking",
                  tools=[{"functionDeclarations": [{"name": "f", "behavior": "BLOCKING"}]}]),
            Setting.FUNCTIONS,
        ),
        (
            setup("gemini-3.1-flash-live-preview",
                  tools=[{"functionDeclarations": [{"name": "f", "behavior": "NON_BLOCKING"}]}]),
            Setting.FUNCTIONS,
        ),
        (setup("gemini-3.5-live-translate-preview", inputAudioTranscription={
            "languageCodes": ["de-DE"]}), Setting.TRANSCRIPTION_LANGUAGE),
        (setup(proactivity={"proactiveAudio": False}), Setting.SETUP_EXTRA),
        (setup("gemini-3.1-flash-live-preview", proactivity={"proactiveAudio": True}),
         Setting.SETUP_EXTRA),
        (setup(generationConfig={"enableAffectiveDialog": True}), Setting.SETUP_EXTRA),
        (setup("gemini-3.8-live-extended-thinking",
               generationConfig={"thinkingConfig": {"thinkingLevel": "MINIMAL"}}), Setting.THINKING),
        (setup("gemini-2.5-flash-native-audio-latest",
               generationConfig={"thinkingConfig": {"thinkingLevel": "LOW"}}), Setting.THINKING),
    ],
)  # fmt: skip
def test_a_refused_field_names_its_setting(body: dict[str, Any], setting: Setting) -> None:
    (refusal,) = rules.refusals(body)
    assert refusal.setting is setting
    assert refusal.message.startswith(rules._get(body, "model").removeprefix("models/"))


@pytest.mark.parametrize(
    "body",
    [
        setup(generationConfig={"responseModalities": ["AUDIO"]}),
        setup(proactivity={"proactiveAudio": True}),
        setup(tools=[{"googleSearch": {}}, {"functionDeclarations": [{"name": "f"}]}]),
        setup("gemini-3.8-live-extended-thinking",
              generationConfig={"thinkingConfig": {"thinkingLevel": "HIGH"}}),
        setup("gemini-2.5-flash-native-audio-latest",
              generationConfig={"thinkingConfig": {"thinkingBudget": 0},
                                "enableAffectiveDialog": True}),
        setup(generationConfig={"mediaResolution": "MEDIA_RESOLUTION_LOW"}),
        setup("gemini-9-live", tools=[{"codeExecution": {}}]),  # unknown: the service decides
        "not an object",
    ],
)  # fmt: skip
def test_what_a_model_takes_is_not_refused(body: Any) -> None:
    assert rules.refusals(body if isinstance(body, dict) else {"model": body}) == []


def test_text_is_refused_with_the_models_own_close() -> None:
    (on_31,) = rules.refusals(
        setup("gemini-3.1-flash-live-preview", generationConfig={"responseModalities": ["TEXT"]})
    )
    assert (on_31.code, on_31.reason) == (1011, "Internal error encountered.")
    (on_38,) = rules.refusals(setup(generationConfig={"responseModalities": ["TEXT"]}))
    assert (on_38.code, on_38.reason) == (1007, INVALID)  # fmt: skip


def test_blame_by_the_field_the_reason_names() -> None:
    body = setup("gemini-9-live", generationConfig={"thinkingConfig": {"thinkingLevel": "HIGH"}})
    reason = "Invalid JSON payload received. Unknown name \"thinking_config\" at 'setup'"
    setting, message = rules.blame(body, 1007, reason) or (None, "")
    assert setting is Setting.THINKING and "gemini-9-live" in message


def test_blame_a_known_models_own_refusal() -> None:
    body = setup("gemini-3.1-flash-live-preview", generationConfig={"responseModalities": ["TEXT"]})
    setting, _ = rules.blame(body, 1011, "Internal error encountered.") or (None, "")
    assert setting is Setting.REPLY_MODE
    assert rules.blame(body, 1011, "The service is currently unavailable.") is None


def test_blame_the_suspects_of_an_unknown_model() -> None:
    body = setup(
        "gemini-9-live",
        generationConfig={"mediaResolution": "MEDIA_RESOLUTION_LOW", "thinkingConfig": {}},
    )
    setting, message = rules.blame(body, 1007, INVALID) or (None, "")
    assert setting is Setting.THINKING
    assert "not in liveview's catalogue" in message and "Media resolution" in message
    assert rules.blame(setup("gemini-9-live"), 1007, INVALID) is None  # nothing to blame
    assert rules.blame(body, 1011, INVALID) is None  # a 1011 is not a refused field
