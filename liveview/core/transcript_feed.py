"""A session's events, as the conversation sees them: what the window's panel shows and what the
history keeps are fed by this one function (a tool's answer and a source switch are not protocol
events, so they are put into words here)."""

from __future__ import annotations

import json

from liveview.core import events as core
from liveview.core.tools import SourceSwitched
from liveview.core.transcript import Transcript


def feed_transcript(transcript: Transcript, event: object, at: float) -> None:
    """`at`: wall-clock seconds (time.time())."""
    if isinstance(event, core.ToolAnswered):
        answer = json.dumps(event.result, sort_keys=True, ensure_ascii=False)
        transcript.record_tool_answer(event.call_id, answer)
    elif isinstance(event, SourceSwitched):
        transcript.apply(core.Notice(f"The model switched the video to {event.description}."), at)
    else:
        transcript.apply(event, at)
