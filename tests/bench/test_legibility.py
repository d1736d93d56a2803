"""The legibility bench: its score against known text, and a small real sweep (pages drawn with
real fonts, liveview's encoder, the local text recognition)."""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from liveview.bench import legibility, pages
from liveview.bench.legibility_score import levenshtein, score
from liveview.bench.pages import TextItem
from liveview.server.layout import Line
from liveview.server.ocr_engine import Box


def item(text: str, x: int, y: int, row: str) -> TextItem:
    return TextItem(text, x, y, 10 * len(text), 20, 14, row)


def test_score_is_per_row_whitespace_blind_and_splits_merged_pieces() -> None:
    rng = random.Random(random.SystemRandom().randrange(10**9))
    a, b, c = (" ".join(rng.sample(pages.WORDS, 2)) for _ in range(3))
    items = [item(a, 0, 0, "r0"), item(b, 0, 40, "r1:left"), item(c, 400, 40, "r1:right")]
    exact = [Line(a.replace(" ", "  "), Box(0, 0, 10 * len(a), 20), 1.0),
             Line(b, Box(0, 40, 10 * len(b), 20), 1.0), Line(c, Box(400, 40, 10 * len(c), 20), 1.0)]  # fmt: skip
    assert score(items, exact).accuracy == 1.0
    # Read at half size, the second row's two items as one piece: still all right.
    merged = [Line(a, Box(0, 0, 5 * len(a), 10), 1.0),
              Line(b + " " + c, Box(0, 20, 200 + 5 * len(c), 10), 1.0)]  # fmt: skip
    assert score(items, merged, scale=0.5).accuracy > 0.9
    missing = score(items, exact[:1])
    drawn = sum(len(t.replace(" ", "")) for t in (a, b, c))
    assert missing.errors == drawn - len(a.replace(" ", "")) and missing.chars == drawn
    assert levenshtein("kitten", "sitting") == 3


def test_a_quick_sweep_measures_what_survives_and_where_zoom_pays(tmp_path: Path) -> None:
    args = argparse.Namespace(quick=True, seed=None, pages="labels", model="gemini-3.8-live",
                              out=tmp_path, latency=False, rounds=1)  # fmt: skip
    result = legibility.run(args)
    rows = {r["max_side"]: r for r in result["settings"]}
    assert set(rows) == set(legibility.QUICK_SIDES)
    small, large = rows[min(rows)], rows[max(rows)]
    assert small["bytes"] < large["bytes"]
    assert large["accuracy"] > 0.85, "dense 11-14 px labels stay readable at 1024 px"
    assert small["accuracy"] < large["accuracy"] - 0.2, "and are lost at 640 px"
    assert small["tokens_per_frame"] == {"low": 64, "medium": 256, "high": 256}
    zoom = result["zoom"][0]
    assert zoom["zoom_accuracy"] >= zoom["regular_accuracy"]
    session = result["session"]
    assert session["change_aware_frames_per_min"] < session["fixed_frames_per_min"] / 5
    assert (tmp_path / "accuracy_vs_bytes.png").stat().st_size > 10_000
    assert json.loads((tmp_path / "results.json").read_text())["seed"] == result["seed"]
    assert "labels" in (tmp_path / "table.txt").read_text()
