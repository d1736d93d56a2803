"""The frame path step by step, as the pipeline runs it on a changed frame, next to its limit.

Steps (wall ms per frame, median and p95): grab (ScreenSource.read(): the X server writes into
shared memory), resize (resize_to_max_side), change_thumbnail (thumbnail of the small frame),
both into kept buffers as in the pipeline (encode.scratch), encode (encode_resized: JPEG of the
BGRA, bytes). total is their sum per frame; cpu_ms is the process CPU per frame.

The limit is the bare library calls for the same work, each at its best: XShmGetImage into a
buffer of our own, cv2.resize INTER_AREA by 1/2 into a kept buffer, cv2.imencode of a ready BGR
array. What the path costs above that sum is ours.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import cv2
import numpy as np

from liveview.capture.screen import ScreenSource
from liveview.encode import encode_resized, resize_to_max_side, thumbnail, to_bgr
from liveview.encode.scratch import Scratch


def stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered), 3), "p95": round(p95, 3)}


def per_frame(args: argparse.Namespace) -> dict[str, Any]:
    steps: dict[str, list[float]] = {
        k: [] for k in ("grab", "resize", "change_thumbnail", "encode", "total", "cpu")
    }
    sizes = []
    source = ScreenSource(args.monitor)
    scratch = Scratch()  # the pipeline's kept buffers
    source.open()
    try:
        grabber = source.grabber
        for _ in range(max(100, args.frames)):
            cpu_started, t0 = time.process_time(), time.perf_counter()
            frame = source.read()
            t1 = time.perf_counter()
            small = resize_to_max_side(frame.image, args.max_side, scratch)
            t2 = time.perf_counter()
            thumbnail(small, scratch=scratch)
            t3 = time.perf_counter()
            encoded = encode_resized(small, args.jpeg_quality)
            t4 = time.perf_counter()
            steps["cpu"].append((time.process_time() - cpu_started) * 1e3)
            for name, begin, end in (
                ("grab", t0, t1),
                ("resize", t1, t2),
                ("change_thumbnail", t2, t3),
                ("encode", t3, t4),
                ("total", t0, t4),
            ):
                steps[name].append((end - begin) * 1e3)
            sizes.append(len(encoded.data))
            del frame, small  # the shared-memory slot is free for the next grab
        grab_path = "MIT-SHM into recycled slots" if grabber and grabber.active else "mss.grab()"
        fallbacks = grabber.fallbacks if grabber else 0
        limit = _limit(source, args)
    finally:
        source.close()
    out: dict[str, Any] = {
        "frames": len(steps["total"]),
        "output": f"{encoded.width}x{encoded.height}",
        "grab_path": f"{grab_path} ({fallbacks} grabs through mss)",
    }
    out.update({f"{name}_ms": stats(values) for name, values in steps.items() if name != "cpu"})
    out["cpu_ms"] = stats(steps["cpu"])
    out["jpeg_bytes"] = {"median": int(statistics.median(sizes)), "max": max(sizes)}
    out["limit"] = limit
    return out


def _limit(source: ScreenSource, args: argparse.Namespace) -> dict[str, Any]:
    """The bare calls, on the same screen: what no Python around them can go below."""
    grabber = source.grabber
    if grabber is None or not grabber.active:
        return {"skipped": "no MIT-SHM on this display"}
    frame = source.read()
    height, width = frame.image.shape[:2]
    box = {"left": 0, "top": 0, "width": width, "height": height}
    half = np.empty((height // 2, width // 2, 4), np.uint8)
    bgr = to_bgr(resize_to_max_side(frame.image, args.max_side))
    del frame
    grab, resize, encode = [], [], []
    quality = [cv2.IMWRITE_JPEG_QUALITY, args.jpeg_quality]
    for _ in range(max(100, args.frames)):
        t0 = time.perf_counter()
        image = grabber.grab(box)
        t1 = time.perf_counter()
        cv2.resize(image, half.shape[1::-1], half, 0, 0, cv2.INTER_AREA)
        t2 = time.perf_counter()
        cv2.imencode(".jpg", bgr, quality)
        t3 = time.perf_counter()
        grab.append((t1 - t0) * 1e3)
        resize.append((t2 - t1) * 1e3)
        encode.append((t3 - t2) * 1e3)
        del image
    medians = [statistics.median(x) for x in (grab, resize, encode)]
    return {
        "what": "XShmGetImage + cv2.resize 1/2 (into a kept buffer) + cv2.imencode, bare",
        "grab_ms": stats(grab),
        "resize_half_ms": stats(resize),
        "encode_ms": stats(encode),
        "sum_of_medians_ms": round(sum(medians), 3),
    }
