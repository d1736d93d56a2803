"""Reading order for text read off a screen: top to bottom, left to right, columns one by one.

Pure functions on boxes. The order comes from a recursive XY-cut: the set of boxes is split at
its widest empty band, horizontal or vertical, measured in text heights (a column gutter is a
wide vertical band, the gap under a title a wide horizontal one), until no band is wide enough;
what is left is a block, cut into rows by overlap of their vertical extents and read row by row,
left to right. A two-column article is then read column by column, a terminal line by line, an
editor's line numbers apart from its code.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from liveview.server.ocr_engine import Box

# A band must be at least this many median text heights wide to cut there.
MIN_VERTICAL_GAP_H = 1.5  # columns: wider than the space between words (~0.3-0.6 h)
MIN_HORIZONTAL_GAP_H = 0.9  # blocks: wider than ordinary line spacing (~0.2-0.6 h)
ROW_OVERLAP = 0.5  # boxes sharing half the smaller height sit on one row
WORD_JOIN_GAP_H = 1.2  # boxes of one row closer than this are one line (joined with a space)
# The detector sometimes cuts a line into boxes that overlap; the overlap is then read twice, as
# a stray token at the end of one box or the start of the next ("second 7" + "767"). Boxes that
# overlap by at least this many text heights are checked for it.
MIN_DOUBLE_READ_OVERLAP_H = 0.25
# A token whose estimated width fits in the overlap (with this much slack) was read twice.
DOUBLE_READ_SLACK = 1.25


@dataclass(frozen=True)
class Line:
    """One line of text in reading order, with its box and the recogniser's confidence."""

    text: str
    box: Box
    confidence: float


def _median_height(boxes: Sequence[Box]) -> float:
    return max(1.0, statistics.median(b.height for b in boxes))


def _widest_gap(spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The widest empty interval between the spans (none before the first or after the last)."""
    best: tuple[int, int] | None = None
    ordered = sorted(spans)
    reach = ordered[0][1]
    for start, end in ordered[1:]:
        if start > reach and (best is None or start - reach > best[1] - best[0]):
            best = (reach, start)
        reach = max(reach, end)
    return best


def _cut(items: list[int], boxes: Sequence[Box], height: float) -> list[list[int]]:
    """Split `items` (indices into boxes) at its widest band, or return [items]."""
    sub = [boxes[i] for i in items]
    vertical = _widest_gap([(b.x, b.right) for b in sub])
    horizontal = _widest_gap([(b.y, b.bottom) for b in sub])
    v_width = (vertical[1] - vertical[0]) / height if vertical else 0.0
    h_width = (horizontal[1] - horizontal[0]) / height if horizontal else 0.0
    v_ok = vertical is not None and v_width >= MIN_VERTICAL_GAP_H
    h_ok = horizontal is not None and h_width >= MIN_HORIZONTAL_GAP_H
    if v_ok and (not h_ok or v_width >= h_width) and vertical is not None:
        at = vertical[0]
        return [[i for i in items if boxes[i].right <= at], [i for i in items if boxes[i].x >= at]]
    if h_ok and horizontal is not None:
        at = horizontal[0]
        return [
            [i for i in items if boxes[i].bottom <= at],
            [i for i in items if boxes[i].y >= at],
        ]
    return [items]


def _rows(items: list[int], boxes: Sequence[Box]) -> list[list[int]]:
    """A block's boxes grouped into rows (top to bottom), each row left to right."""
    rows: list[list[int]] = []
    for i in sorted(items, key=lambda i: (boxes[i].cy, boxes[i].x)):
        box = boxes[i]
        for row in rows:
            ref = boxes[row[0]]
            overlap = min(ref.bottom, box.bottom) - max(ref.y, box.y)
            if overlap >= ROW_OVERLAP * min(ref.height, box.height):
                row.append(i)
                break
        else:
            rows.append([i])
    rows.sort(key=lambda row: min(boxes[i].y for i in row))
    return [sorted(row, key=lambda i: boxes[i].x) for row in rows]


def reading_order(boxes: Sequence[Box]) -> list[list[int]]:
    """Rows of box indices in reading order (each row left to right)."""
    if not boxes:
        return []
    height = _median_height(boxes)
    pending = [list(range(len(boxes)))]
    blocks: list[list[int]] = []
    while pending:  # depth first, earlier parts first: reading order
        items = pending.pop(0)
        parts = _cut(items, boxes, height) if len(items) > 1 else [items]
        if len(parts) == 1:
            blocks.append(items)
        else:
            pending[0:0] = [p for p in parts if p]
    return [row for block in blocks for row in _rows(block, boxes)]


def _token_width(text: str, token: str, box: Box) -> float:
    """How wide `token` is in `box`, at the box's mean width per character."""
    return len(token) * box.width / max(1, len(text))


def drop_double_read(left: Line, text: str, box: Box) -> tuple[str, str]:
    """The texts of two overlapping boxes of one row (`left`, then `text` in `box`) with the
    token read twice in their overlap dropped: the right box's first token if it fits in the
    overlap, else the left box's last one. Each keeps at least one token."""
    overlap = left.box.right - box.x
    if overlap < MIN_DOUBLE_READ_OVERLAP_H * min(left.box.height, box.height):
        return left.text, text
    room = overlap * DOUBLE_READ_SLACK
    first, _, rest = text.partition(" ")
    if rest and _token_width(text, first, box) <= room:
        return left.text, rest
    head, _, last = left.text.rpartition(" ")
    if head and _token_width(left.text, last, left.box) <= room:
        return head, text
    return left.text, text


def join_row(row: Sequence[tuple[Box, str, float]]) -> list[Line]:
    """A row's boxes as lines: near boxes joined with one space, far ones kept apart."""
    lines: list[Line] = []
    for box, text, confidence in row:
        text = " ".join(text.split())
        if not text:
            continue
        if lines:
            last = lines[-1]
            gap = box.x - last.box.right
            if gap <= WORD_JOIN_GAP_H * max(last.box.height, box.height):
                kept, text = drop_double_read(last, text, box)
                last = Line(kept, last.box, last.confidence)
                merged = Box(
                    last.box.x,
                    min(last.box.y, box.y),
                    box.right - last.box.x,
                    max(last.box.bottom, box.bottom) - min(last.box.y, box.y),
                )
                weight = len(last.text) + len(text)
                conf = (last.confidence * len(last.text) + confidence * len(text)) / weight
                lines[-1] = Line(f"{last.text} {text}", merged, conf)
                continue
        lines.append(Line(text, box, confidence))
    return lines


def arrange(read: Sequence[tuple[Box, str, float]]) -> tuple[Line, ...]:
    """Recognised boxes (any order) as lines in reading order."""
    order = reading_order([box for box, _text, _conf in read])
    return tuple(line for row in order for line in join_row([read[i] for i in row]))
