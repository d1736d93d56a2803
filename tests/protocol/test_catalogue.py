"""The model catalogue (issue 12): today's rules, pinned here from PROTOCOL.md rather than read
back from the table."""

from __future__ import annotations

import pytest

from liveview.protocol import catalogue as cat


def test_the_stable_default_is_gemini_3_8_live() -> None:
    info = cat.lookup(cat.STABLE_MODEL)
    assert cat.STABLE_MODEL == "gemini-3.8-live"
    assert info.status is cat.Status.STABLE and info.verified


@pytest.mark.parametrize(
    "name",
    [
        "gemini-3.8-live",
        "models/gemini-3.8-live",
        "projects/p/locations/us-central1/publishers/google/models/gemini-3.8-live",
    ],
)
def test_lookup_takes_every_resource_name_form(name: str) -> None:
    assert cat.lookup(name).id == "gemini-3.8-live"
    assert cat.known(name)


def test_gemini_3_8_live_rules() -> None:
    info = cat.lookup("gemini-3.8-live")
    assert not info.text_replies  # AUDIO only; text through outputAudioTranscription
    assert info.thinking is cat.Thinking.NONE
    assert info.non_blocking_by_default and info.takes_behavior and info.blocking_allowed
    assert info.proactivity is cat.Proactivity.ALWAYS_ON
    assert not info.affective_dialog and not info.code_execution and info.google_search
    assert (info.input_token_limit, info.output_token_limit) == (131_072, 65_536)


def test_extended_thinking_rules() -> None:
    info = cat.lookup("gemini-3.8-live-extended-thinking")
    assert info.thinking is cat.Thinking.LEVEL and info.thinking_levels == ("low", "medium", "high")
    assert info.function_modes == frozenset({cat.FunctionMode.ASYNC})  # async only
    assert info.interaction_status and not info.blocking_allowed


def test_legacy_and_older_models() -> None:
    legacy = cat.lookup("gemini-3.1-flash-live-preview")
    assert legacy.status is cat.Status.LEGACY and legacy.replacement == "gemini-3.8-live"
    assert legacy.thinking is cat.Thinking.LEVEL and not legacy.takes_behavior  # sync only
    assert legacy.text_rejection == (1011, "Internal error encountered.")  # observed
    native = cat.lookup("gemini-2.5-flash-native-audio-latest")
    assert native.thinking is cat.Thinking.BUDGET and native.affective_dialog
    assert native.proactivity is cat.Proactivity.OPTIONAL
    assert native.text_rejection == (1007, "Cannot extract voices from a non-audio request.")


def test_no_live_model_runs_code() -> None:
    assert not any(m.code_execution for m in cat.CATALOGUE.values())


def test_an_unknown_model_gets_conservative_unverified_settings() -> None:
    info = cat.lookup("models/gemini-9-live")
    assert info.id == "gemini-9-live" and not info.verified and not cat.known("gemini-9-live")
    assert not info.text_replies and not info.takes_behavior  # nothing optional is sent


def test_the_pickable_list_leaves_out_retired_and_non_live_models() -> None:
    ids = [m.id for m in cat.live_models()]
    assert ids[0] == "gemini-3.8-live"
    assert "gemini-2.0-flash-live-001" not in ids  # retired
    assert "gemini-3.8-flash" not in ids  # not a live model
    assert cat.lookup("gemini-2.0-flash-live-001").status is cat.Status.RETIRED


@pytest.mark.parametrize(
    ("model", "resolution", "tokens"),
    [
        ("gemini-3.8-live", None, 256),
        ("gemini-3.8-live", "low", 64),
        ("gemini-3.8-live", "high", 256),
        ("gemini-2.5-flash-native-audio-latest", None, 258),
        ("gemini-2.5-flash-native-audio-latest", "medium", 256),
    ],
)
def test_frame_costs(model: str, resolution: str | None, tokens: int) -> None:
    assert cat.lookup(model).frame_cost(resolution) == tokens
