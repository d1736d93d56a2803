"""What the local server says: built only from what it received and measured, never invented."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from liveview.server import screen_text
from liveview.server.inbound import Setup
from liveview.server.layout import Line
from liveview.server.reading import Reading
from liveview.server.resumption import Conversation
from liveview.server.screen_text import Question
from liveview.server.tools import ToolRequest, resolve
from liveview.server.vad import Utterance
from liveview.server.vision import FrameAnalysis, FrameTracker, describe

QUOTE_MAX_CHARS = 160
# Said once per session so nobody mistakes the local server for a language model.
INTRO = "Local analysis only."
# What a screen answer quotes: at most this many lines (the reply is spoken too), each whole.
QUOTED_LINES_MAX = 8
LINE_QUOTE_MAX_CHARS = 200
# Below this recogniser confidence a piece of text is counted, not quoted (it is a guess).
QUOTE_MIN_CONFIDENCE = 0.5
OCR_SOURCE = "Local text recognition, not a language model"


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


@dataclass(frozen=True)
class ScreenView:
    """What a turn knows of the screen's text (read_screen)."""

    reading: Reading | None  # None: nothing read (no frame, or not asked and not cached)
    problem: str | None = None  # why the newest frame received could not be used


def text_reply(
    text: str,
    frame: FrameAnalysis | None,
    conversation: Conversation,
    now: float,
    screen: ScreenView | None = None,
) -> str:
    typed = f'You typed "{_quote(text)}".' if text.strip() else "Your turn had no text."
    question = screen_text.parse_question(text)
    read = ""
    if screen is not None and screen.reading is not None:
        read = screen_answer(screen.reading, question)
    problem = screen.problem if screen is not None else None
    parts = [typed, problem or "", read, describe(frame, now), _memory(conversation)]
    if conversation.turns == 1:
        parts.insert(0, INTRO)
    return " ".join(p for p in parts if p)


async def read_screen(tracker: FrameTracker, text: str) -> ScreenView:
    """Text recognition for a typed turn: a question about the screen's text waits for a read
    (within the reader's budget); any other turn takes only what is already read. That text
    recognition is unavailable is said once per connection; later replies just go without."""
    reading = await tracker.read_latest(wait=screen_text.parse_question(text).about_screen)
    if reading is not None and reading.status == "unavailable":
        if tracker.unavailable_said:
            reading = None
        tracker.unavailable_said = True
    return ScreenView(reading, tracker.problem)


def _line_quote(text: str) -> str:
    if len(text) <= LINE_QUOTE_MAX_CHARS:
        return f'"{text}"'
    return f'"{text[: LINE_QUOTE_MAX_CHARS - 3]}..."'


def _quoted(lines: tuple[Line, ...], room: int) -> tuple[str, int]:
    shown = lines[: max(room, 0)]
    return "; ".join(_line_quote(line.text) for line in shown), len(shown)


def screen_answer(reading: Reading, question: Question) -> str:
    """What the text recognition of a frame says in answer to `question` (empty when it has
    nothing to add to a turn that is not about the screen)."""
    if not reading.usable:
        return reading.note if question.about_screen or reading.status != "pending" else ""
    clear = tuple(ln for ln in reading.lines if ln.confidence >= QUOTE_MIN_CONFIDENCE)
    unclear = len(reading.lines) - len(clear)
    if not question.about_screen:
        if not clear:
            return ""
        return (
            f"{OCR_SOURCE}, found {_count(len(clear), 'line')} of text on it; ask me what it "
            "says to hear them."
        )
    size = f"the {reading.width} by {reading.height} frame"
    if not clear:
        parts = [f"{OCR_SOURCE}, found no readable text on {size}."]
    else:
        parts = _quote_selection(replace(reading, lines=clear), question, size)
    if unclear:
        parts.append(f"{_count(unclear, 'piece')} of text too small or unclear to read.")
    return " ".join(parts)


def _quote_selection(reading: Reading, question: Question, size: str) -> list[str]:
    """The lines answering `question`, quoted: matching ones first, then the rest in reading
    order, at most QUOTED_LINES_MAX; what is left is counted."""
    picked = screen_text.select(reading, question)
    head = f"{OCR_SOURCE}, read {_count(len(reading.lines), 'line')} of text on {size}"
    where = f" in the {question.region}" if question.region else ""
    inside = len(picked.matching) + len(picked.others)
    parts = [head + (f", {inside} of them{where}." if where else ".")]
    if reading.status == "partial":
        parts.append(reading.note)
    if where and not inside:
        parts.append(
            f"I found no readable text{where}; text there may be too small for this frame "
            "(a zoom into that region or a sharp snapshot would show it at full detail)."
        )
        return parts
    room = QUOTED_LINES_MAX
    if question.needles:
        if picked.matching:
            quoted, shown = _quoted(picked.matching, room)
            room -= shown
            parts.append(f"Lines with {', '.join(question.keywords)}: {quoted}.")
        else:
            parts.append(f"No line{where} has {_or_list(question.needles[:6])}.")
    if picked.others and room > 0:
        quoted, shown = _quoted(picked.others, room)
        room -= shown
        label = "The other lines" if picked.matching else "In reading order"
        parts.append(f"{label}{where}: {quoted}.")
    left = inside - (QUOTED_LINES_MAX - room)
    if left > 0:
        parts.append(f"{_count(left, 'more line')}{where} not read out.")
    return parts


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _or_list(words: tuple[str, ...]) -> str:
    quoted = [f'"{w}"' for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def zoomed_text(reading: Reading) -> str:
    """What a zoom crop or snapshot read at full detail says (appended to the tool reply)."""
    if not reading.usable:
        return f" {reading.note}" if reading.note else ""
    clear = [ln for ln in reading.lines if ln.confidence >= QUOTE_MIN_CONFIDENCE]
    if not clear:
        return f" {OCR_SOURCE}, found no readable text in it."
    quoted, shown = _quoted(tuple(clear), QUOTED_LINES_MAX)
    text = f" {OCR_SOURCE}, read {_count(len(clear), 'line')} in it at full detail: {quoted}."
    if len(clear) > shown:
        text += f" {_count(len(clear) - shown, 'more line')} not read out."
    return text


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


def zoom_request(
    screen: ScreenView, text: str, setup: Setup, tracker: FrameTracker
) -> ToolRequest | None:
    """A zoom_to_region call to make instead of answering: the question is about the screen's
    text, the regular frame's text there is too small or unclear (screen_text.zoom_region), and
    the setup declared a zoom function with x, y, width and height. Never on a frame that is
    itself a zoom crop or snapshot (its coordinates are not the regular frame's)."""
    reading = screen.reading
    if reading is None or tracker.latest_is_extra:
        return None
    question = screen_text.parse_question(text)
    if not question.about_screen:
        return None
    region = screen_text.zoom_region(reading, question)
    if region is None:
        return None
    x, y, width, height = region
    request = ToolRequest("zoom", {"x": x, "y": y, "width": width, "height": height})
    decl, _why_not = resolve(request, setup)
    return request if decl is not None and decl.parameter_names else None


async def read_tool_frame(tracker: FrameTracker, data: bytes | None) -> str:
    """The text of the frame that answered a zoom or snapshot call, read at its full detail."""
    if data is None:
        return ""
    return zoomed_text(await tracker.reader.read(data, detail=True))
