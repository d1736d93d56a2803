from __future__ import annotations

import json

from liveview.core import events as core
from liveview.core.transcript import Role, Transcript
from liveview.errors import FatalServiceError, Setting
from liveview.protocol import events as ev

T0 = 1_700_000_000.0


def play(events: list[object]) -> Transcript:
    t = Transcript()
    for i, event in enumerate(events):
        t.apply(event, T0 + i)
    return t


def test_streaming_pieces_join_into_one_reply_per_turn() -> None:
    t = play(
        [
            ev.InputTranscription("what is "),
            ev.InputTranscription("this?", finished=True),
            ev.OutputTranscription("It is "),
            ev.OutputTranscription("a cat."),
            ev.TurnComplete(),
            core.UserText("and now?"),
            ev.ModelText("A dog."),
            ev.TurnComplete(),
        ]
    )
    assert [(e.role, e.text) for e in t.entries] == [
        (Role.USER_SPEECH, "what is this?"),
        (Role.MODEL, "It is a cat."),
        (Role.USER_TEXT, "and now?"),
        (Role.MODEL, "A dog."),
    ]
    assert not any(e.open for e in t.entries)


def test_thoughts_are_not_shown() -> None:
    t = play([ev.ModelText("secret plan", thought=True), ev.ModelText("Hello")])
    assert [e.text for e in t.entries] == ["Hello"]


def test_barge_in_marks_the_reply_with_what_was_heard() -> None:
    t = play(
        [
            ev.OutputTranscription("A long answer that"),
            ev.Interrupted(),
            core.ReplyCutOff(heard_ms=1200.0),
            ev.TurnComplete(),
            ev.OutputTranscription("New"),
        ]
    )
    first, second = t.entries
    assert first.interrupted and first.heard_ms == 1200.0
    assert second.text == "New" and not second.interrupted
    assert "cut off by the user after 1.2 s" in t.to_markdown()


def test_tool_calls_code_and_grounding_are_kept_readably() -> None:
    t = play(
        [
            ev.ToolCall(
                (
                    ev.FunctionCall("c1", "zoom_to_region", {"x": 1}),
                    ev.FunctionCall("c2", "take_snapshot"),
                )
            ),
            ev.ToolCallCancellation(("c2",)),
            ev.ExecutableCode("print(6*7)", "PYTHON"),
            ev.CodeExecutionResult("OUTCOME_OK", "42"),
            ev.OutputTranscription("The answer is 42."),
            ev.Grounding((ev.GroundingSource("Docs", "https://docs.example/a"),)),
        ]
    )
    t.record_tool_answer("c1", "sent a 300x200 crop")
    tools = [e for e in t.entries if e.role is Role.TOOL]
    assert tools[0].text == 'zoom_to_region({"x": 1})'
    assert tools[0].meta["answer"] == "sent a 300x200 crop"
    assert tools[1].meta["answer"] == "cancelled"
    md = t.to_markdown()
    assert "```python\nprint(6*7)\n```" in md
    assert "- [Docs](https://docs.example/a)" in md


def test_notices_for_reconnects_and_failures() -> None:
    t = play(
        [
            core.Reconnected(True, 0.2, "goAway"),
            core.SessionFailed(
                FatalServiceError("The API key was rejected.", setting=Setting.API_KEY)
            ),
            core.Notice("No microphone: text only.", "warning"),
        ]
    )
    assert [e.text for e in t.entries] == [
        "Reconnected (goAway); resumed.",
        "The API key was rejected.",
        "No microphone: text only.",
    ]
    assert t.entries[1].meta["level"] == "error"


def test_json_export_has_timestamps_and_roles() -> None:
    t = play([core.UserText("hi", queued=True), ev.OutputTranscription("hello")])
    rows = json.loads(t.to_json())["conversation"]
    assert [r["role"] for r in rows] == ["user_text", "model"]
    assert rows[0]["meta"] == {"queued": "yes"}
    assert rows[0]["time"].startswith("2023-11-1")


def test_listeners_hear_every_change() -> None:
    t = Transcript()
    seen: list[int] = []
    t.subscribe(seen.append)
    t.apply(ev.OutputTranscription("a"), T0)
    t.apply(ev.OutputTranscription("b"), T0)
    t.apply(ev.TurnComplete(), T0)
    assert seen == [0, 0, 0, 0]
    t.apply(ev.UsageMetadata(), T0)  # not part of the conversation
    assert len(seen) == 4


def test_repeated_grounding_lists_each_source_once_and_keeps_the_suggestions() -> None:
    docs = ev.GroundingSource("Docs", "https://docs.example/a")
    news = ev.GroundingSource("News", "https://news.example/b")
    t = play(
        [
            ev.OutputTranscription("It rains."),
            ev.Grounding((docs,), ("weather",), "<div class='chips'>old</div>"),
            ev.Grounding((docs, news), ("weather",), "<div class='chips'>new</div>"),
        ]
    )
    (reply,) = [e for e in t.entries if e.role is Role.MODEL]
    assert reply.sources == [("Docs", docs.uri), ("News", news.uri)]
    assert reply.meta["search_entry_point"] == "<div class='chips'>new</div>"


def test_words_of_a_reply_that_arrive_after_a_typed_interruption_stay_with_that_reply() -> None:
    t = play(
        [
            core.UserText("tell me a long story"),
            ev.OutputTranscription("Once upon "),
            core.UserText("stop, a new question"),  # the service has not seen it yet ...
            ev.OutputTranscription("a time"),  # ... so the story goes on a little
            ev.Interrupted(),
            ev.OutputTranscription("Sure, ask."),
            ev.TurnComplete(),
        ]
    )
    replies = [e for e in t.entries if e.role is Role.MODEL]
    assert [(e.text, e.interrupted) for e in replies] == [
        ("Once upon a time", True),
        ("Sure, ask.", False),
    ]


def test_a_reply_cut_by_a_dropped_connection_is_not_continued_by_the_next_one() -> None:
    t = play(
        [
            core.UserText("hello"),
            ev.OutputTranscription("Hel"),
            core.Reconnected(resumed=False, gap_s=1.0, reason="connection lost"),
            ev.OutputTranscription("Hello again."),
        ]
    )
    assert [e.text for e in t.entries if e.role is Role.MODEL] == ["Hel", "Hello again."]
