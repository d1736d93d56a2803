"""Continue: an earlier conversation as the seed of a new session, bounded and honest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liveview.core import events as core
from liveview.core.history import HistoryStore, SessionMeta, TurnRecord, TurnRole
from liveview.core.seed import (
    CUT_OFF_MARK,
    SUMMARY_LABEL,
    SeedMode,
    SeedPolicy,
    build_seed,
    seed_for_session,
    seed_for_stale_handle,
)
from liveview.core.transcript import Transcript
from liveview.protocol import events as ev
from liveview.protocol.catalogue import lookup
from tests.support.history import T0, model, user

GEMINI_38 = lookup("gemini-3.8-live")
LOCAL = lookup("liveview-local")
LEGACY = lookup("gemini-3.1-flash-live-preview")


def chat(n: int, words: int = 10) -> list[tuple[str, str]]:
    return [("user" if i % 2 == 0 else "model", f"turn{i}" + " word" * words) for i in range(n)]


def test_a_short_conversation_goes_in_whole_as_turns_with_roles() -> None:
    for info in (GEMINI_38, LOCAL):
        seed = build_seed([("user", "what is this?"), ("model", "A cat.")], info)
        assert seed.mode is SeedMode.TURNS and not seed.summarised
        assert seed.turns == (("user", "what is this?"), ("model", "A cat."))


def test_a_model_without_history_in_client_content_gets_one_plain_context_turn() -> None:
    seed = build_seed([("user", "what is this?"), ("model", "A cat.")], LEGACY, when="Monday")
    assert seed.mode is SeedMode.CONTEXT and len(seed.turns) == 1
    role, text = seed.turns[0]
    assert role == "user" and "earlier conversation with this user (Monday)" in text
    assert text.endswith("User: what is this?\n\nModel: A cat.")
    assert "wait for the user's next turn" in text


def test_a_long_conversation_is_shortened_by_rule_and_says_so() -> None:
    policy = SeedPolicy()
    conversation = chat(400, words=120)  # ~240k characters: past a quarter of 131k tokens
    seed = build_seed(conversation, GEMINI_38, policy)
    assert seed.summarised and seed.estimated_tokens <= policy.budget_tokens(GEMINI_38)
    assert seed.turns[:2] == tuple(conversation[:2])  # how it began, whole
    assert seed.turns[-6:] == tuple(conversation[-6:])  # where it was, whole
    (summary,) = seed.turns[2:-6]
    assert summary[0] == "user" and summary[1].startswith(SUMMARY_LABEL + ". 392 turns")
    assert "not by a model" in summary[1] and "User: turn2 word" in summary[1]
    assert seed.conversation_turns == 400


def test_the_estimate_is_four_characters_a_token() -> None:
    seed = build_seed([("user", "x" * 400), ("model", "y" * 40)], GEMINI_38)
    assert seed.estimated_tokens == 100 + 10 + 2 * SeedPolicy().turn_overhead_tokens


def test_one_huge_turn_keeps_its_end_and_fits() -> None:
    policy = SeedPolicy(context_share=0.001)  # 131 tokens
    text = "start " + "filler " * 2000 + "the very end"
    seed = build_seed([("user", "hi"), ("model", text)], GEMINI_38, policy)
    assert seed.summarised and seed.estimated_tokens <= policy.budget_tokens(GEMINI_38)
    assert seed.turns[-1][0] == "model" and seed.turns[-1][1].endswith("the very end")
    assert seed.turns[0][1].startswith(SUMMARY_LABEL)


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(st.text(min_size=0, max_size=3000), max_size=40),
    share=st.floats(min_value=0.0005, max_value=0.3),
    legacy=st.booleans(),
)
def test_every_seed_fits_its_budget(texts: list[str], share: float, legacy: bool) -> None:
    policy = SeedPolicy(context_share=share)
    info = LEGACY if legacy else GEMINI_38
    conversation = [("user" if i % 2 == 0 else "model", t) for i, t in enumerate(texts)]
    seed = build_seed(conversation, info, policy)
    assert seed.estimated_tokens <= policy.budget_tokens(info)
    assert all(role in ("user", "model") for role, _ in seed.turns)
    if seed.summarised:
        assert any(SUMMARY_LABEL in text for _, text in seed.turns)


def test_nothing_said_is_an_empty_seed() -> None:
    assert build_seed([("user", "  "), ("model", "")], GEMINI_38).empty
    assert build_seed([], LEGACY).empty


def test_a_stored_session_seeds_only_what_was_said(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path / "h.sqlite3") as store:
        sid = store.insert_session(SessionMeta(T0, model="gemini-3.8-live"))
        store.put_turn(sid, user(0, "look at this", spoken=True))
        store.put_turn(sid, user(1, "the chart"))  # said twice in a row: one turn
        store.put_turn(sid, TurnRecord(2, T0, TurnRole.TOOL, "take_snapshot({})"))
        store.put_turn(sid, model(3, "It shows sa", interrupted=True))
        store.put_turn(sid, TurnRecord(4, T0, TurnRole.NOTICE, "Reconnected"))
        store.put_turn(sid, model(5, "Sales rise."))
        session = store.get_session(sid)
    assert session is not None
    seed = seed_for_session(session, GEMINI_38)
    assert seed.turns == (
        ("user", "look at this\nthe chart"),
        ("model", f"It shows sa{CUT_OFF_MARK}\nSales rise."),
    )
    context = seed_for_session(session, LEGACY).turns[0][1]
    assert "(20" in context  # dated with the session's start


def test_a_stale_handle_seeds_the_conversation_so_far() -> None:
    transcript = Transcript()
    for i, event in enumerate(
        [
            ev.InputTranscription("hello there", finished=True),
            ev.OutputTranscription("Hi!"),
            ev.TurnComplete(),
            core.Notice("Reconnecting"),
            core.UserText("what did I say?"),
            ev.OutputTranscription("You said hel"),  # in progress when the handle went stale
        ]
    ):
        transcript.apply(event, T0 + i)
    seed = seed_for_stale_handle(transcript.entries, GEMINI_38)
    assert seed.turns == (
        ("user", "hello there"),
        ("model", "Hi!"),
        ("user", "what did I say?"),
        ("model", "You said hel"),
    )


@pytest.mark.parametrize("info", [GEMINI_38, LEGACY, replace(GEMINI_38, input_token_limit=1000)])
def test_the_budget_keeps_room_for_the_new_session(info: object) -> None:
    policy = SeedPolicy()
    budget = policy.budget_tokens(info)  # type: ignore[arg-type]
    limit = info.input_token_limit  # type: ignore[attr-defined]
    assert 0 <= budget <= limit * policy.context_share and budget <= max(
        0, limit - policy.margin_tokens
    )
