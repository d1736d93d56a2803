"""How much of a page's known text a read got right: character accuracy (1 - CER) per row.

The text drawn is grouped in rows (TextItem.row: one row of one panel). Each recognised piece is
given to the row it sits on (its centre inside the row's band, scaled to the picture read); a
piece that spans two rows of one line (a label and its value read as one) is split between them
in proportion to where it lies. A row's read text is its pieces left to right; the character
error rate is the Levenshtein distance between read and drawn text, whitespace removed (spacing
is layout, not legibility), summed over rows and divided by the characters drawn. Text read where
nothing was drawn is not counted: the pages have no other text.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from liveview.bench.pages import TextItem
from liveview.server.layout import Line

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class Score:
    chars: int  # characters drawn (whitespace removed)
    errors: int  # edit distance, summed over rows
    by_size: dict[int, tuple[int, int]]  # size_px -> (chars, errors)

    @property
    def accuracy(self) -> float:
        return max(0.0, 1.0 - self.errors / self.chars) if self.chars else 0.0

    def accuracy_at(self, size_px: int) -> float | None:
        chars, errors = self.by_size.get(size_px, (0, 0))
        return max(0.0, 1.0 - errors / chars) if chars else None


@dataclass
class _Row:
    band: Rect  # in the picture read
    truth: str
    size_px: int
    read: list[tuple[float, str]]  # (x, text) pieces given to this row


def _rows(items: Sequence[TextItem], origin: tuple[int, int], scale: float,
          region: Rect | None) -> list[_Row]:  # fmt: skip
    grouped: dict[str, list[TextItem]] = defaultdict(list)
    for item in items:
        cx, cy = item.x + item.width / 2, item.y + item.height / 2
        if region is None or (region[0] <= cx <= region[2] and region[1] <= cy <= region[3]):
            grouped[item.row].append(item)
    rows = []
    for members in grouped.values():
        members.sort(key=lambda it: it.x)
        x0 = (min(it.x for it in members) - origin[0]) * scale
        y0 = (min(it.y for it in members) - origin[1]) * scale
        x1 = (max(it.x + it.width for it in members) - origin[0]) * scale
        y1 = (max(it.y + it.height for it in members) - origin[1]) * scale
        truth = "".join("".join(it.text.split()) for it in members)
        rows.append(_Row((x0, y0, x1, y1), truth, min(it.size_px for it in members), []))
    return rows


def _on_row(band: Rect, cy: float, x0: float, x1: float) -> bool:
    slack = 0.3 * (band[3] - band[1])
    return band[1] - slack <= cy <= band[3] + slack and min(x1, band[2]) > max(x0, band[0])


def _give(piece: Line, rows: list[_Row]) -> None:
    """Hand a piece to the row(s) it sits on."""
    box = piece.box
    cy = box.cy
    candidates = [r for r in rows if _on_row(r.band, cy, box.x, box.right)]
    if not candidates:
        return
    nearest_cy = min(abs((r.band[1] + r.band[3]) / 2 - cy) for r in candidates)
    line = [r for r in candidates if abs((r.band[1] + r.band[3]) / 2 - cy) <= nearest_cy + 1.0]
    line.sort(key=lambda r: r.band[0])
    text = "".join(piece.text.split())
    if len(line) == 1:
        line[0].read.append((box.x, text))
        return
    # Split at the middle of each gap between neighbouring rows, in proportion of the width.
    cuts = [(a.band[2] + b.band[0]) / 2 for a, b in itertools.pairwise(line)]
    start = 0
    for row, cut in zip(line, [*cuts, float("inf")], strict=True):
        fraction = min(1.0, max(0.0, (cut - box.x) / max(box.width, 1)))
        end = len(text) if cut == float("inf") else round(fraction * len(text))
        if end > start:
            row.read.append((max(box.x, row.band[0]), text[start:end]))
        start = max(start, end)


def score(items: Sequence[TextItem], pieces: Sequence[Line], *, scale: float = 1.0,
          origin: tuple[int, int] = (0, 0), region: Rect | None = None) -> Score:  # fmt: skip
    """Score pieces read from a picture of the page: `scale` maps page pixels to the picture's
    (0.5 for a 960 px frame of a 1920 px page), `origin` is the picture's top-left on the page
    (a zoom crop), `region` (page pixels) keeps only the rows inside it."""
    rows = _rows(items, origin, scale, region)
    for piece in pieces:
        _give(piece, rows)
    chars = errors = 0
    by_size: dict[int, tuple[int, int]] = {}
    for row in rows:
        read = "".join(text for _x, text in sorted(row.read))
        # A row read wrongly counts at most as much as a row not read at all.
        distance = min(levenshtein(read, row.truth), len(row.truth))
        chars += len(row.truth)
        errors += distance
        size_chars, size_errors = by_size.get(row.size_px, (0, 0))
        by_size[row.size_px] = (size_chars + len(row.truth), size_errors + distance)
    return Score(chars, errors, by_size)
