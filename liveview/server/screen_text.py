"""Questions about the text on the screen: which lines answer them, and when to zoom.

Pure functions on a `Reading` (server/reading.py). A question's own words pick lines ("error"
also finds exception, failed, traceback... through SYNONYMS, a table of data), its region words
("top left", "at the bottom") pick lines by where they are, and `zoom_region` decides when the
regular frame's text is too small to read and which rectangle of it to ask the client for.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from liveview.server.layout import Line
from liveview.server.reading import Reading

# A question about the text on the screen (not "what did I say", not "what do you see").
_SCREEN_QUESTION = re.compile(
    r"\b(?:read|reads|reading|text|texts|written|wording|words?|errors?|exceptions?|warnings?|"
    r"messages?|title|heading|labels?|buttons?|menus?|captions?|code|terminal|console|prompt|"
    r"tracebacks?|log|spell|spelled|quote)\b"
    r"|\b(?:does|do|it|that|this|they|screen|window|page)\s+(?:\w+\s+){0,3}say\b"
    r"|\b(?:on|in|at)\s+(?:the\s+|my\s+|this\s+)?(?:screen|window|page|editor|terminal)\b"
    r"|\b(?:top|bottom|upper|lower)[\s-]+(?:left|right)\b"
    r"|\b(?:in|at|on|to)\s+the\s+(?:top|bottom|left|right|middle|centre|center)\b",
    re.IGNORECASE,
)
# Words that say what kind of question it is, not what to look for.
_STOP_TEXT = (
    "a an the is are was were be it its it's this that these those there here what whats what's "
    "which who how why where when does do did done say says said read reads reading tell me my "
    "i you your can could would will please show shows see screen window page frame text texts "
    "written word words line lines on in at of to from for with about any all some thing things "
    "top bottom left right upper lower middle centre center corner side half part area region "
    "and or out loud aloud just now currently current there's error's message wording "
    "look looks find give"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
# A question word and what else it finds on the screen (lower case; matched as substrings).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "error": ("error", "exception", "failed", "failure", "fail", "traceback", "fatal", "warning",
              "panic", "denied", "refused", "cannot", "can't", "could not", "not found",
              "invalid", "errno", "abort", "crash", "segmentation fault", "undefined"),
    "warning": ("warning", "warn", "deprecated", "caution"),
    "link": ("http://", "https://", "www.", ".com", ".org"),
    "url": ("http://", "https://", "www."),
    "path": ("/", "\\"),
    "command": ("$ ", "# ", "> "),
    "title": (),
}  # fmt: skip
SYNONYMS["errors"] = SYNONYMS["exception"] = SYNONYMS["failed"] = SYNONYMS["error"]
SYNONYMS["problem"] = SYNONYMS["wrong"] = SYNONYMS["bug"] = SYNONYMS["error"]
SYNONYMS["warnings"] = SYNONYMS["warning"]
SYNONYMS["links"] = SYNONYMS["link"]

# Regions as fractions of the frame: (x0, y0, x1, y1); a line is in when its centre is.
REGIONS: dict[str, tuple[float, float, float, float]] = {
    "top left": (0.0, 0.0, 0.5, 0.5),
    "top right": (0.5, 0.0, 1.0, 0.5),
    "bottom left": (0.0, 0.5, 0.5, 1.0),
    "bottom right": (0.5, 0.5, 1.0, 1.0),
    "top": (0.0, 0.0, 1.0, 0.34),
    "bottom": (0.0, 0.66, 1.0, 1.0),
    "left": (0.0, 0.0, 0.4, 1.0),
    "right": (0.6, 0.0, 1.0, 1.0),
    "middle": (0.25, 0.25, 0.75, 0.75),
}
_REGION_ALIASES = {"upper": "top", "lower": "bottom", "centre": "middle", "center": "middle"}
# Corners first: "in the bottom right" is a corner, not "the bottom".
_CORNER_RE = re.compile(r"\b(top|bottom|upper|lower)[\s-]+(left|right)\b", re.IGNORECASE)
_REGION_RE = re.compile(
    r"\b(?:in|at|on|to|of)\s+the\s+(top|bottom|upper|lower|left|right|middle|centre|center)\b"
    r"|\b(top|bottom|left|right)[\s-]+(?:corner|side|half|part|edge|area|column|bar)\b",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[\w'.+#/]+")

# Zooming: text this small in the regular frame, or read with less confidence, is "not legible".
SMALL_TEXT_PX = 9  # text box height in regular-frame pixels (x-height ~4 px: JPEG smears it)
LOW_CONFIDENCE = 0.80
ZOOM_WHEN_FRACTION = 0.3  # at least this share of the lines considered are illegible
ZOOM_MARGIN_H = 1.0  # padding around the illegible lines, in text heights
ZOOM_MIN_SIDE_PX = 64


@dataclass(frozen=True)
class Question:
    """What a typed question asks of the screen's text."""

    about_screen: bool
    keywords: tuple[str, ...]  # the question's own words that are not stop words
    needles: tuple[str, ...]  # keywords and their synonyms, lower case
    region: str | None  # a key of REGIONS


def parse_question(text: str) -> Question:
    lowered = text.lower()
    region = _region(lowered)
    words = [w.strip(".'-/") for w in _WORD_RE.findall(lowered)]
    keywords = tuple(dict.fromkeys(w for w in words if w and w not in STOP_WORDS and len(w) > 1))
    needles: list[str] = []
    for word in keywords:
        needles += [word, *SYNONYMS.get(word, ())]
    return Question(
        about_screen=_SCREEN_QUESTION.search(text) is not None,
        keywords=keywords,
        needles=tuple(dict.fromkeys(needles)),
        region=region,
    )


def _region(lowered: str) -> str | None:
    if corner := _CORNER_RE.search(lowered):
        vertical = _REGION_ALIASES.get(corner.group(1), corner.group(1))
        return f"{vertical} {corner.group(2)}"
    match = _REGION_RE.search(lowered)
    if match is None:
        return None
    word = match.group(1) or match.group(2)
    return _REGION_ALIASES.get(word, word)


def in_region(line: Line, region: str, width: int, height: int) -> bool:
    x0, y0, x1, y1 = REGIONS[region]
    cx, cy = line.box.cx / max(width, 1), line.box.cy / max(height, 1)
    return x0 <= cx <= x1 and y0 <= cy <= y1


def matches(line: Line, needles: Sequence[str]) -> bool:
    text = line.text.lower()
    return any(needle in text for needle in needles)


@dataclass(frozen=True)
class Selection:
    """The lines that answer a question, and the rest of what was read."""

    matching: tuple[Line, ...]  # lines with the question's words (in reading order)
    others: tuple[Line, ...]  # the other lines considered (in the region, if one was named)
    outside: int  # lines left out because they lie outside the region asked about


def select(reading: Reading, question: Question) -> Selection:
    considered = list(reading.lines)
    outside = 0
    if question.region is not None:
        inside = [
            line
            for line in considered
            if in_region(line, question.region, reading.width, reading.height)
        ]
        outside = len(considered) - len(inside)
        considered = inside
    if not question.needles:
        return Selection((), tuple(considered), outside)
    hit = tuple(line for line in considered if matches(line, question.needles))
    rest = tuple(line for line in considered if line not in hit)
    return Selection(hit, rest, outside)


def illegible(line: Line) -> bool:
    return line.box.height < SMALL_TEXT_PX or line.confidence < LOW_CONFIDENCE


def zoom_region(reading: Reading, question: Question) -> tuple[int, int, int, int] | None:
    """The rectangle (x, y, width, height, in the pixels of the regular frame that was read) to
    ask the client to zoom into, or None when the text is legible enough as it is.

    The lines considered are those of the region the question names (all lines otherwise); when
    at least ZOOM_WHEN_FRACTION of them are small or uncertain, the box around those lines is
    zoomed, padded by a text height. A region named where nothing legible was read at all is
    zoomed whole (its text may be too small even to be found). A reduced decode
    (reading.reduced > 1) is scaled back to the frame's pixels."""
    if not reading.usable:
        return None
    lines = list(reading.lines)
    if question.region is not None:
        lines = [
            ln for ln in lines if in_region(ln, question.region, reading.width, reading.height)
        ]
        if not lines:
            return _scaled(_region_box(question.region, reading), reading.reduced)
    bad = [line for line in lines if illegible(line)]
    if not lines or len(bad) < ZOOM_WHEN_FRACTION * len(lines):
        return None
    pad = ZOOM_MARGIN_H * statistics.median(line.box.height for line in bad)
    x0 = max(0.0, min(line.box.x for line in bad) - pad)
    y0 = max(0.0, min(line.box.y for line in bad) - pad)
    x1 = min(float(reading.width), max(line.box.right for line in bad) + pad)
    y1 = min(float(reading.height), max(line.box.bottom for line in bad) + pad)
    x0, x1 = _at_least(x0, x1, ZOOM_MIN_SIDE_PX, reading.width)
    y0, y1 = _at_least(y0, y1, ZOOM_MIN_SIDE_PX, reading.height)
    return _scaled((x0, y0, x1, y1), reading.reduced)


def _region_box(region: str, reading: Reading) -> tuple[float, float, float, float]:
    fx0, fy0, fx1, fy1 = REGIONS[region]
    return fx0 * reading.width, fy0 * reading.height, fx1 * reading.width, fy1 * reading.height


def _scaled(box: tuple[float, float, float, float], k: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return round(x0 * k), round(y0 * k), round((x1 - x0) * k), round((y1 - y0) * k)


def _at_least(lo: float, hi: float, side: float, limit: int) -> tuple[float, float]:
    """Widen [lo, hi] around its centre to at least `side`, inside [0, limit]."""
    if hi - lo >= side or limit <= side:
        return (lo, hi) if limit > side else (0.0, float(limit))
    centre = (lo + hi) / 2
    lo = min(max(0.0, centre - side / 2), limit - side)
    return lo, lo + side
