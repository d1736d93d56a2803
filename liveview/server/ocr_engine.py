"""The text recognition engine: RapidOCR's PP-OCR detection and recognition models (ONNX) as
shipped inside the `rapidocr` wheel, run by onnxruntime. Nothing is downloaded at run time: the
model files are named explicitly, so RapidOCR never reaches for its download code.

Everything here blocks (model loading ~1.3 s, a read 0.5-5 s on 2 cores): `server/reading.py`
calls it from its own worker thread, never from the event loop.

A read is two steps so that it can be bounded: detection finds the text boxes (one pass over the
picture), then recognition reads them in steps of REC_STEP boxes in reading order (within a
step, sorted by width so that a batch pads little), and `should_stop()` is asked between steps,
so a read past its time budget stops within one step (~0.5 s) with the top of the screen read.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from liveview.errors import LocalError

log = logging.getLogger(__name__)

# The files the rapidocr wheel ships in rapidocr/models/ (PP-OCRv6 small det/rec, 31 MB).
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"  # named so RapidOCR never looks it up
REC_BATCH = 8  # lines the recogniser runs together (padded to the widest of them)
REC_STEP = 16  # lines per step, in reading order; the budget is checked between steps
CROP_MARGIN_PX = 1
# Detection scaling (RapidOCR's limit_type, limit_side_len). Regular frames: upscale those whose
# short side is under 540 px (a 640x360 frame: 17 % -> 74 % of a terminal's text read here); a
# 960x540 frame is detected as it is (half the time of RapidOCR's default 736). Zoom crops and
# snapshots (text at its native size): never upscaled; upscaling a 1920x366 crop made the
# detector miss an 11 px line 2 times in 8, at native size 0 in 8.
FRAME_DET_MODE = ("min", 540)
DETAIL_DET_MODE = ("max", 4096)
# On Linux the worker thread lowers its priority before it creates the onnxruntime session:
# the session's pool threads inherit it, so a read never starves the GUI, audio or the loop.
WORKER_NICE = 5


class OcrUnavailable(LocalError):
    """The text recognition engine cannot run here (package or model files missing/unreadable)."""


@dataclass(frozen=True)
class Box:
    """An axis-aligned text box in the pixels of the picture that was read."""

    x: int
    y: int
    width: int
    height: int

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height


@dataclass(frozen=True)
class Recognised:
    text: str
    confidence: float  # 0..1, the recogniser's mean character score


def default_model_dir() -> Path | None:
    """rapidocr/models inside the installed package (or the frozen bundle), None if absent."""
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def check_model_files(model_dir: Path | None) -> dict[str, Path]:
    """The three model paths, or OcrUnavailable saying which file is missing or unreadable."""
    if model_dir is None:
        raise OcrUnavailable(
            "the rapidocr package is not installed (pip install rapidocr onnxruntime)"
        )
    paths = {
        "det": model_dir / DET_MODEL,
        "rec": model_dir / REC_MODEL,
        "cls": model_dir / CLS_MODEL,
    }
    for path in paths.values():
        try:
            with path.open("rb") as handle:
                handle.read(16)
        except OSError as exc:
            raise OcrUnavailable(
                f"model file {path} cannot be read ({exc.strerror or exc}); reinstall rapidocr"
            ) from exc
    return paths


def _lower_thread_priority() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):  # per-thread on Linux: setpriority takes a thread id
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), WORKER_NICE)


class OcrEngine:
    """One RapidOCR instance. Not thread-safe: one worker thread uses it (server/reading.py)."""

    def __init__(self, model_dir: Path | None = None, *, nice: bool = True) -> None:
        self.model_dir = model_dir if model_dir is not None else default_model_dir()
        self.nice = nice  # False: full priority (benches that measure the engine itself)
        self._ocr: Any = None
        self.load_s: float | None = None

    @property
    def loaded(self) -> bool:
        return self._ocr is not None

    def load(self) -> None:
        """Blocking: create the sessions and run both models once; OcrUnavailable on failure."""
        if self._ocr is not None:
            return
        started = time.perf_counter()
        paths = check_model_files(self.model_dir)
        if self.nice:
            _lower_thread_priority()
        try:
            from rapidocr import RapidOCR

            ocr = RapidOCR(
                params={
                    "Global.log_level": "error",
                    "Global.use_cls": False,  # screens are upright; the classifier costs time
                    "Det.model_path": str(paths["det"]),
                    "Rec.model_path": str(paths["rec"]),
                    "Cls.model_path": str(paths["cls"]),
                    "Rec.rec_batch_num": REC_BATCH,
                    # Pad short pieces ("OK", "12 ms") to 96 px, not 320: ~40 % less work on
                    # dense screens, the same text read (measured on the labels page).
                    "Rec.rec_img_shape": [3, 48, 96],
                    "Det.limit_type": FRAME_DET_MODE[0],
                    "Det.limit_side_len": FRAME_DET_MODE[1],
                }
            )
            probe = np.full((48, 160, 3), 255, np.uint8)
            ocr(probe, use_det=True, use_cls=False, use_rec=False)
            ocr.recognize_txt([probe])
        except ImportError as exc:
            raise OcrUnavailable(f"text recognition cannot be imported ({exc})") from exc
        except Exception as exc:  # onnxruntime raises its own types for a corrupt model file
            raise OcrUnavailable(
                f"the text recognition models in {self.model_dir} could not be loaded "
                f"({type(exc).__name__}: {str(exc)[:200]})"
            ) from exc
        self._ocr = ocr
        self.load_s = time.perf_counter() - started
        log.info("text recognition loaded in %.2f s from %s", self.load_s, self.model_dir)

    def detect(self, bgr: np.ndarray, *, detail: bool = False) -> list[Box]:
        """Blocking: the text boxes of a BGR picture (any order); `detail`: a zoom crop or a
        snapshot, detected at its native size."""
        self.load()
        # TextDetector reads these two attributes on every call (rapidocr 3.x).
        detector = self._ocr.text_det
        detector.limit_type, detector.limit_side_len = DETAIL_DET_MODE if detail else FRAME_DET_MODE
        out = self._ocr(bgr, use_det=True, use_cls=False, use_rec=False)
        boxes = getattr(out, "boxes", None)
        if boxes is None:
            return []
        height, width = bgr.shape[:2]
        found: list[Box] = []
        for poly in np.asarray(boxes, dtype=np.float32).reshape(-1, 4, 2):
            x0, y0 = np.floor(poly.min(axis=0)).astype(int) - CROP_MARGIN_PX
            x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + CROP_MARGIN_PX
            x0, y0 = max(0, int(x0)), max(0, int(y0))
            x1, y1 = min(width, int(x1)), min(height, int(y1))
            if x1 - x0 >= 2 and y1 - y0 >= 2:
                found.append(Box(x0, y0, x1 - x0, y1 - y0))
        return found

    def recognise(
        self,
        bgr: np.ndarray,
        boxes: Sequence[Box],
        on_batch: Callable[[list[tuple[Box, Recognised]]], None],
        should_stop: Callable[[], bool],
    ) -> bool:
        """Blocking: read `boxes` in order, REC_STEP at a time, handing each step's results
        to `on_batch`; returns False when `should_stop()` ended it early."""
        self.load()
        for start in range(0, len(boxes), REC_STEP):
            if should_stop():
                return False
            step = sorted(boxes[start : start + REC_STEP], key=lambda b: b.width / b.height)
            crops = [np.ascontiguousarray(bgr[b.y : b.bottom, b.x : b.right]) for b in step]
            out = self._ocr.recognize_txt(crops)
            texts = list(out.txts or ())
            scores = list(out.scores or ())
            on_batch(
                [
                    (box, Recognised(str(text), float(score)))
                    for box, text, score in zip(step, texts, scores, strict=False)
                ]
            )
        return True
