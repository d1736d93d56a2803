"""What the local server says: built only from what it received and measured, never invented."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from liveview.server.resumption import Conversation
from liveview.server.tools import ToolRequest
from liveview.server.vad import Utterance
from liveview.server.vision import FrameAnalysis, describe

QUOTE_MAX_CHARS = 160
# Said once per session so nobody mistakes the local server for a language model.
INTRO = "Local analysis only."


@dataclass(frozen=True)
class Turn:
    kind: Literal["text", "voice"]
    text: str = ""
    utterance: Utterance | None = None
    tool: ToolRequest | None = None


def speech_label(utterance: Utterance) -> str:
    """inputTranscription for a voice turn: it cannot do speech recognition, so it says so."""
    return f"[speech {utterance.duration_s:.1f} s]"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_MAX_CHARS else text[: QUOTE_MAX_CHARS - 3] + "..."


def _dbfs(value: float) -> str:
    return "silence" if math.isinf(value) else f"{value:.0f} dBFS"


def _memory(conversation: Conversation) -> str:
    """Proof that the conversation state survived (e.g. across a resumption)."""
    earlier = conversation.user_lines()[:-1]
    if conversation.turns <= 1 and not earlier:
        return ""
    text = f"Turn {conversation.turns} of this session"
    if conversation.resumed_times:
        text += f", resumed {conversation.resumed_times} times"
    text += "."
    if earlier:
        text += f' Earlier you said "{_quote(earlier[-1])}".'
    return text


def text_reply(
    text: str, frame: FrameAnalysis | None, conversation: Conversation, now: float
) -> str:
    typed = f'You typed "{_quote(text)}".' if text.strip() else "Your turn had no text."
    parts = [typed, describe(frame, now), _memory(conversation)]
    if conversation.turns == 1:
        parts.insert(0, INTRO)
    return " ".join(p for p in parts if p)


def voice_reply(
    utterance: Utterance, frame: FrameAnalysis | None, conversation: Conversation, now: float
) -> str:
    heard = (
        f"I heard {utterance.duration_s:.1f} seconds of sound at {_dbfs(utterance.mean_dbfs)}, "
        f"peaking at {_dbfs(utterance.peak_dbfs)}. I cannot make out words."
    )
    return " ".join(p for p in (heard, describe(frame, now), _memory(conversation)) if p)


def turn_text(turn: Turn) -> str:
    """How the turn is remembered in the conversation history."""
    if turn.kind == "voice" and turn.utterance is not None:
        return speech_label(turn.utterance)
    return turn.text
