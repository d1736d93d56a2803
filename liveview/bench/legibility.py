"""`liveview bench legibility [--quick] [--latency] [--out DIR] [--json]`: how much of a screen's
text survives liveview's frame path, and at what cost.

Each page (bench/pages.py: terminal, code editor, web article, dense settings labels at 11-14 px,
1920x1080, real fonts, text drawn from word lists with a new seed each run unless --seed) goes
through liveview's own path, `encode_jpeg` (integer-factor INTER_AREA resize + JPEG), at each max
side and JPEG quality. Per setting: character accuracy of the local text recognition against the
drawn text (1 - CER, bench/legibility_score.py), bytes per frame, encode time, and the tokens a
frame costs at each media resolution (protocol/catalogue). Accuracy is of the frame as sent: what
the service does with it at LOW/MEDIUM/HIGH is its own and not simulated.

Also: video tokens per minute of a typical session (a static screen that changes every 10 s)
for liveview's change-aware sender against a fixed 1 fps sender; per page, the accuracy of its
smallest text in the regular frame against a zoom crop of it (`zoom_to_region`'s path); with
--latency, the time from a question to the first word of the spoken answer over a real WebSocket
to the local server (bench/answer_latency.py), frame read ahead (cached) or not.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from liveview.bench import pages
from liveview.bench.legibility_score import Score, score
from liveview.encode import (
    DEFAULT_FPS,
    DEFAULT_JPEG_QUALITY,
    DEFAULT_KEEPALIVE_S,
    DEFAULT_MAX_SIDE_PX,
    SNAPSHOT_SETTINGS,
    ChangeDetector,
    decode_jpeg,
    encode_jpeg,
    thumbnail,
)
from liveview.protocol.catalogue import STABLE_MODEL, lookup
from liveview.server.ocr_engine import OcrEngine
from liveview.server.reading import read_now

SIDES = (640, 768, 960, 1024, 1280, 1920)
QUALITIES = (60, 70, 80, 90)
RESOLUTIONS = ("low", "medium", "high")
QUICK_PAGES, QUICK_SIDES, QUICK_QUALITIES = ("terminal", "labels"), (640, 1024), (80,)
ENCODE_REPEATS = 5
SESSION_S = 600.0  # simulated session length for the token figures
CHANGE_EVERY_S = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true", help="a small sweep for CI (~1 min)")
    parser.add_argument("--seed", type=int, default=None, help="page text seed (default: new)")
    parser.add_argument("--pages", default=None, help="comma-separated: " + ",".join(pages.PAGES))
    parser.add_argument("--model", default=STABLE_MODEL, help="model whose frame costs to use")
    parser.add_argument("--out", type=Path, default=None, help="write table.txt, results.json "
                        "and accuracy_vs_bytes.png into this folder")  # fmt: skip
    parser.add_argument("--latency", action="store_true",
                        help="also time question -> first word over the local server")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=5, help="latency rounds per case")
    parser.add_argument("--latency-only", action="store_true", help="only the latency figures")


def encode_timed(image: np.ndarray, side: int, quality: int) -> tuple[bytes, int, int, float]:
    """The frame liveview would send, and the median time of making it (ms)."""
    times, data, width, height = [], b"", 0, 0
    for _ in range(ENCODE_REPEATS):
        started = time.perf_counter()
        frame = encode_jpeg(image, side, quality)
        times.append((time.perf_counter() - started) * 1000)
        data, width, height = frame.data, frame.width, frame.height
    return data, width, height, statistics.median(times)


def _score_row(page: pages.Page, data: bytes, width: int, engine: OcrEngine) -> tuple[Score, float]:
    started = time.perf_counter()
    reading = read_now(engine, data)
    spent = time.perf_counter() - started
    scale = width / page.image.shape[1]
    return score(page.items, reading.pieces, scale=scale * reading.reduced), spent


def sweep_page(page: pages.Page, sides: tuple[int, ...], qualities: tuple[int, ...],
               engine: OcrEngine, tokens: dict[str, int]) -> list[dict[str, Any]]:  # fmt: skip
    rows = []
    for side in sides:
        for quality in qualities:
            data, width, height, encode_ms = encode_timed(page.image, side, quality)
            result, read_s = _score_row(page, data, width, engine)
            rows.append({
                "page": page.name, "max_side": side, "quality": quality,
                "width": width, "height": height, "bytes": len(data),
                "encode_ms": round(encode_ms, 2), "accuracy": round(result.accuracy, 4),
                "accuracy_by_size_px": {str(k): round(v, 4) for k in sorted(result.by_size)
                                        if (v := result.accuracy_at(k)) is not None},
                "read_s": round(read_s, 2), "tokens_per_frame": tokens,
            })  # fmt: skip
    return rows


def zoom_comparison(page: pages.Page, engine: OcrEngine) -> dict[str, Any]:
    """The page's smallest text in the regular frame (default settings) against a zoom crop
    of it at full resolution (what zoom_to_region sends: SNAPSHOT_SETTINGS)."""
    x, y, w, h = page.small_region
    region = (float(x), float(y), float(x + w), float(y + h))
    regular = encode_jpeg(page.image, DEFAULT_MAX_SIDE_PX, DEFAULT_JPEG_QUALITY)
    reading = read_now(engine, regular.data)
    scale = regular.width / page.image.shape[1] * reading.reduced
    in_frame = score(page.items, reading.pieces, scale=scale, region=region)
    crop = np.ascontiguousarray(page.image[y : y + h, x : x + w])
    zoom = encode_jpeg(crop, SNAPSHOT_SETTINGS.max_side, SNAPSHOT_SETTINGS.quality)
    zoomed = read_now(engine, zoom.data, detail=True)
    crop_scale = zoom.width / w * zoomed.reduced
    in_zoom = score(page.items, zoomed.pieces, scale=crop_scale, origin=(x, y), region=region)
    gain = in_zoom.accuracy - in_frame.accuracy
    return {
        "page": page.name,
        "region": {"x": x, "y": y, "width": w, "height": h},
        "regular_frame": f"{regular.width}x{regular.height}",
        "regular_accuracy": round(in_frame.accuracy, 4),
        "zoom_crop": f"{zoom.width}x{zoom.height}",
        "zoom_bytes": len(zoom.data),
        "zoom_accuracy": round(in_zoom.accuracy, 4),
        "zoom_pays": gain >= 0.05,  # five points of accuracy or more
    }


def session_tokens(model: str, seed: int) -> dict[str, Any]:
    """Video tokens per minute over SESSION_S of a static screen changing every 10 s: liveview's
    change-aware sender (ChangeDetector, keep-alive, 1 fps pacing) against a fixed 1 fps one.
    The frames are real pages (a new seed at each change) and the detector is liveview's own."""
    clock = [0.0]
    detector = ChangeDetector(keepalive_s=DEFAULT_KEEPALIVE_S, clock=lambda: clock[0])
    thumbs: dict[int, np.ndarray] = {}
    sent = ticks = 0
    step = 1.0 / DEFAULT_FPS
    while clock[0] < SESSION_S:
        version = int(clock[0] // CHANGE_EVERY_S)
        if version not in thumbs:
            image = pages.render("editor", seed + version).image
            small = encode_jpeg(image, DEFAULT_MAX_SIDE_PX, DEFAULT_JPEG_QUALITY)
            thumbs[version] = thumbnail(decode_jpeg(small.data))
        thumb = thumbs[version]
        if detector.should_send(thumb):
            detector.mark_sent(thumb)
            sent += 1
        ticks += 1
        clock[0] += step
    info = lookup(model)
    minutes = SESSION_S / 60
    per_res = {}
    for res in RESOLUTIONS:
        cost = info.frame_cost(res)
        per_res[res] = {
            "change_aware_tokens_per_min": round(sent / minutes * cost),
            "fixed_1fps_tokens_per_min": round(ticks / minutes * cost),
        }
    return {
        "model": info.id, "session_s": SESSION_S, "change_every_s": CHANGE_EVERY_S,
        "keepalive_s": DEFAULT_KEEPALIVE_S, "change_aware_frames_per_min": round(sent / minutes, 2),
        "fixed_frames_per_min": round(ticks / minutes, 2), "by_media_resolution": per_res,
    }  # fmt: skip


def table(rows: list[dict[str, Any]]) -> str:
    head = (f"{'page':<9} {'side':>5} {'q':>3} {'frame':>10} {'bytes':>8} {'enc ms':>7} "
            f"{'acc %':>6} {'small %':>7} {'read s':>6}  tokens L/M/H")  # fmt: skip
    lines = [head, "-" * len(head)]
    for r in rows:
        sizes = r["accuracy_by_size_px"]
        smallest = sizes[min(sizes, key=int)] * 100 if sizes else 0.0
        t = r["tokens_per_frame"]
        lines.append(
            f"{r['page']:<9} {r['max_side']:>5} {r['quality']:>3} "
            f"{r['width']}x{r['height']:<5} {r['bytes']:>8} {r['encode_ms']:>7.2f} "
            f"{r['accuracy'] * 100:>6.1f} {smallest:>7.1f} {r['read_s']:>6.2f}  "
            f"{t['low']}/{t['medium']}/{t['high']}"
        )
    return "\n".join(lines)


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean accuracy and bytes over the pages, per (max side, quality)."""
    keyed: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for r in rows:
        keyed.setdefault((r["max_side"], r["quality"]), []).append(r)
    return [
        {"max_side": side, "quality": q, "frame": f"{group[0]['width']}x{group[0]['height']}",
         "mean_accuracy": round(statistics.fmean(r["accuracy"] for r in group), 4),
         "min_accuracy": round(min(r["accuracy"] for r in group), 4),
         "mean_bytes": round(statistics.fmean(r["bytes"] for r in group)),
         "mean_encode_ms": round(statistics.fmean(r["encode_ms"] for r in group), 2)}
        for (side, q), group in sorted(keyed.items())
    ]  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 10**6)
    if getattr(args, "latency_only", False):
        from liveview.bench.answer_latency import measure

        return {"seed": seed, "latency": measure(rounds=args.rounds, seed=seed)}
    names = tuple(args.pages.split(",")) if args.pages else tuple(pages.PAGES)
    sides: tuple[int, ...] = SIDES
    qualities: tuple[int, ...] = QUALITIES
    if args.quick:
        names = tuple(n for n in names if n in QUICK_PAGES) or names[:1]
        sides, qualities = QUICK_SIDES, QUICK_QUALITIES
    info = lookup(args.model)
    tokens = {res: info.frame_cost(res) for res in RESOLUTIONS}
    engine = OcrEngine(nice=False)  # the engine measured at full priority, not the app's nice
    started = time.perf_counter()
    engine.load()
    load_s = time.perf_counter() - started
    rows: list[dict[str, Any]] = []
    zooms = []
    for offset, name in enumerate(names):
        page = pages.render(name, seed + offset)
        rows += sweep_page(page, sides, qualities, engine, tokens)
        zooms.append(zoom_comparison(page, engine))
    result: dict[str, Any] = {
        "seed": seed, "pages": list(names), "model": info.id,
        "defaults": {"max_side": DEFAULT_MAX_SIDE_PX, "quality": DEFAULT_JPEG_QUALITY},
        "engine_load_s": round(load_s, 2), "load_average": list(os.getloadavg()),
        "read_s_median": round(statistics.median(r["read_s"] for r in rows), 2),
        "settings": rows, "summary": summary(rows), "zoom": zooms,
        "session": session_tokens(args.model, seed),
    }  # fmt: skip
    if args.latency:
        from liveview.bench.answer_latency import measure

        result["latency"] = measure(rounds=args.rounds, seed=seed)
    result["table"] = table(rows)
    if args.out is not None:
        _write(args.out, result)
    return result


def _write(folder: Path, result: dict[str, Any]) -> None:
    import json

    from liveview.bench.legibility_plot import plot

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "table.txt").write_text(result["table"] + "\n", encoding="utf-8")
    (folder / "results.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    plot(result["settings"], folder / "accuracy_vs_bytes.png")
