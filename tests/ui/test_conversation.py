"""The side panel renders every kind of conversation entry readably, and auto-scroll yields to
the user."""

from __future__ import annotations

import time
from typing import Any

import pytest

from liveview.core import events as core
from liveview.core.transcript import Transcript
from liveview.protocol import events as ev
from liveview.ui.conversation import QtConversationPanel

pytestmark = pytest.mark.x11


def test_tools_code_grounding_and_cut_offs_are_readable(qtbot: Any) -> None:
    transcript = Transcript()
    panel = QtConversationPanel(transcript)
    qtbot.addWidget(panel)
    now = time.time()
    transcript.apply(ev.ToolCall((ev.FunctionCall("c1", "get_time", {"zone": "UTC"}),)), now)
    text = panel.plain_text()
    assert 'get_time({"zone": "UTC"})' in text and "(running…)" in text
    transcript.record_tool_answer("c1", '{"time": "12:00"}')
    transcript.apply(ev.ExecutableCode("print(6 * 7)", "PYTHON"), now)
    transcript.apply(ev.CodeExecutionResult("OUTCOME_OK", "42"), now)
    transcript.apply(ev.OutputTranscription("The answer is forty"), now)
    transcript.apply(ev.Grounding((ev.GroundingSource("Example", "https://example.com/a"),)), now)
    transcript.apply(ev.Interrupted(), now)
    transcript.apply(core.ReplyCutOff(1200.0), now)
    text = panel.plain_text()
    assert '→ {"time": "12:00"}' in text and "(running…)" not in text
    assert "print(6 * 7)" in text and "PYTHON" in text
    assert "42" in text and "OUTCOME_OK" in text
    assert "The answer is forty" in text
    assert "cut off by you after 1.2 s heard" in text
    html = panel.view.toHtml()
    assert 'href="https://example.com/a"' in html
    assert panel.view.openExternalLinks()


async def test_auto_scroll_stops_when_the_user_scrolls_up(qtbot: Any) -> None:
    transcript = Transcript()
    panel = QtConversationPanel(transcript)
    qtbot.addWidget(panel)
    panel.resize(400, 300)
    panel.show()
    bar = panel.view.verticalScrollBar()
    for i in range(60):
        transcript.apply(core.UserText(f"message number {i}"), time.time())
    panel.plain_text()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    bar.setValue(0)  # the user scrolls up to read
    assert not panel.follow
    transcript.apply(ev.OutputTranscription("a reply streams in"), time.time())
    panel.plain_text()
    assert bar.value() == 0  # left where the user put it
    bar.setValue(bar.maximum())  # back at the bottom: following again
    assert panel.follow
    transcript.apply(ev.OutputTranscription(" and goes on"), time.time())
    panel.plain_text()
    assert bar.value() == bar.maximum()


def test_enter_sends_and_clears_the_box(qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    panel = QtConversationPanel(Transcript())
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.text_submitted) as sent:
        qtbot.keyClicks(panel.input, "typed turn")
        qtbot.keyClick(panel.input, Qt.Key.Key_Return)
    assert sent.args == ["typed turn"]
    assert panel.input.text() == ""


async def test_search_suggestions_are_rendered_as_delivered(qtbot: Any) -> None:
    """searchEntryPoint.renderedContent is shown as HTML, links and all (the terms of Search
    grounding require showing it), not as escaped text."""
    transcript = Transcript()
    panel = QtConversationPanel(transcript)
    qtbot.addWidget(panel)
    chips = '<a class="chip" href="https://www.google.com/search?q=rain+today">rain today</a>'
    transcript.apply(ev.OutputTranscription("It rains."), time.time())
    transcript.apply(ev.Grounding((), ("rain today",), f"<div>{chips}</div>"), time.time())
    text = panel.plain_text()
    assert "Google Search suggestions" in text and "rain today" in text
    assert "&lt;a" not in panel.view.toHtml() and "<a" not in text  # rendered, not escaped
    assert 'href="https://www.google.com/search?q=rain+today"' in panel.view.toHtml()
