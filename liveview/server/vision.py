"""Honest frame analysis: size, brightness, colours, motion, faces (Haar cascades), QR codes.

All of it is CPU work: `analyse_jpeg` is a plain blocking function that callers run on a thread
(`FrameTracker` does), never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from liveview.server.frame_check import BadFrame, check_frame
from liveview.server.reading import ReadAheadPolicy, Reading, ScreenReader, shared_reader

# OpenCV's stubs type every image loosely; Image says "an OpenCV image" without more.
Image = npt.NDArray[Any]
GrayImage = Image

THUMB_SIZE_PX = 64  # motion is compared on a small grey thumbnail: cheap and noise-tolerant
MOTION_PIXEL_DELTA = 25  # grey levels a thumbnail pixel must change by to count as moved
FACE_MAX_SIDE_PX = 640  # cascades run on a downscaled copy; faces stay findable, cost stays low
COLOUR_MIN_FRACTION = 0.05
STALE_FRAME_S = 3.0  # an older frame is called out as such in replies
_COLOUR_SAMPLE_PX = 96

_local = threading.local()
log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class FrameAnalysis:
    width: int
    height: int
    brightness: float  # mean grey level, 0..255
    colours: tuple[tuple[str, float], ...]  # (name, fraction of the image), largest first
    motion: float | None  # fraction of thumbnail pixels that changed; None for the first frame
    faces: int
    qr_texts: tuple[str, ...]
    thumb: GrayImage = field(repr=False)
    seq: int = 0
    received_at: float = 0.0


class FrameDecodeError(ValueError):
    """The bytes are not a decodable image."""


def _face_cascade() -> Any:
    # CascadeClassifier is not safe to share between threads: one per worker thread.
    cascade: Any = getattr(_local, "faces", None)
    if cascade is None:
        # Through Any: OpenCV's bundled stubs differ between releases on these two names.
        opencv: Any = cv2
        path = os.path.join(opencv.data.haarcascades, "haarcascade_frontalface_default.xml")
        cascade = opencv.CascadeClassifier(path)
        _local.faces = cascade
    return cascade


def colour_names(bgr: Image) -> tuple[tuple[str, float], ...]:
    """Name the main colours by HSV buckets; only those covering at least 5 % are kept."""
    small = cv2.resize(bgr, (_COLOUR_SAMPLE_PX, _COLOUR_SAMPLE_PX), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.int16)
    h, s, v = hsv[:, 0], hsv[:, 1], hsv[:, 2]
    names = np.array(
        ["black", "white", "grey", "red", "brown", "orange", "yellow", "green", "cyan",
         "blue", "purple", "pink"]
    )  # fmt: skip
    label = np.select(
        [
            v < 50,
            (s < 45) & (v > 200),
            s < 45,
            (h < 8) | (h >= 170),
            (h < 22) & (v < 150),
            h < 22,
            h < 34,
            h < 80,
            h < 96,
            h < 130,
            h < 150,
        ],
        list(range(11)),
        default=11,
    )
    counts = np.bincount(label, minlength=len(names)) / label.size
    order = np.argsort(counts)[::-1]
    return tuple(
        (str(names[i]), float(counts[i])) for i in order if counts[i] >= COLOUR_MIN_FRACTION
    )


def _faces(gray: GrayImage) -> int:
    scale = FACE_MAX_SIDE_PX / max(gray.shape)
    if scale < 1:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    found = _face_cascade().detectMultiScale(
        gray, scaleFactor=1.1, minNeighbors=5, minSize=(30, 30)
    )
    return len(found)


def _qr_texts(bgr: Image) -> tuple[str, ...]:
    detector = cv2.QRCodeDetector()
    with contextlib.suppress(cv2.error):
        ok, decoded, _points, _straight = detector.detectAndDecodeMulti(bgr)
        if ok:
            return tuple(t for t in decoded if t)
    return ()


def analyse_jpeg(data: bytes, previous_thumb: GrayImage | None = None) -> FrameAnalysis:
    """Blocking: decode and measure one frame (run it on a thread)."""
    try:
        check_frame(data)  # empty, not a JPEG, or too large to decode: refused with the reason
    except BadFrame as exc:
        raise FrameDecodeError(str(exc)) from exc
    bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FrameDecodeError(f"the frame's JPEG data is damaged ({len(data)} bytes)")
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    thumb = cv2.resize(gray, (THUMB_SIZE_PX, THUMB_SIZE_PX), interpolation=cv2.INTER_AREA)
    motion: float | None = None
    if previous_thumb is not None:
        delta = cv2.absdiff(thumb, previous_thumb)
        motion = float(np.count_nonzero(delta > MOTION_PIXEL_DELTA)) / delta.size
    return FrameAnalysis(
        width=int(bgr.shape[1]),
        height=int(bgr.shape[0]),
        brightness=float(gray.mean()),
        colours=colour_names(bgr),
        motion=motion,
        faces=_faces(gray),
        qr_texts=_qr_texts(bgr),
        thumb=thumb,
    )


def _brightness_word(level: float) -> str:
    if level < 60:
        return "dark"
    if level < 170:
        return "medium"
    return "bright"


def describe(frame: FrameAnalysis | None, now: float | None = None) -> str:
    """One or two plain sentences about the latest frame, made only of what was measured."""
    if frame is None:
        return "No video frame has arrived yet."
    colours = ", ".join(f"{name} {round(frac * 100)}%" for name, frac in frame.colours[:3])
    parts = [
        f"The latest frame is {frame.width} by {frame.height} pixels, "
        f"{_brightness_word(frame.brightness)} (mean brightness {frame.brightness:.0f} of 255)",
        f"mostly {colours}" if colours else "with no dominant colour",
    ]
    if frame.motion is None:
        parts.append("it is the first frame, so no motion to compare")
    elif frame.motion < 0.01:
        parts.append("no motion since the previous frame")
    else:
        parts.append(f"{frame.motion * 100:.0f}% of it changed since the previous frame")
    parts.append(
        {0: "no faces found", 1: "one face found"}.get(frame.faces, f"{frame.faces} faces found")
    )
    text = ", ".join(parts) + "."
    for qr in frame.qr_texts:
        text += f' A QR code reads "{qr}".'
    if now is not None and frame.received_at and now - frame.received_at > STALE_FRAME_S:
        text += f" It arrived {now - frame.received_at:.0f} seconds ago."
    return text


class FrameTracker:
    """Analyses frames off the event loop, newest first: while one is analysed, only the newest
    waiting frame is kept (older waiting frames are dropped and counted).

    It also drives text recognition's read-ahead (ReadAheadPolicy): the newest analysed frame is
    handed to the reader once the picture stands still, so a question finds it read."""

    def __init__(
        self, reader: ScreenReader | None = None, read_ahead: ReadAheadPolicy | None = None
    ) -> None:
        self.latest: FrameAnalysis | None = None
        self.latest_jpeg: bytes | None = None  # the bytes of `latest`
        self.latest_is_extra = False  # `latest` answered a tool call (a zoom crop, a snapshot)
        self.problem: str | None = None  # why the newest frame received could not be used
        self.unavailable_said = False  # a reply said that text recognition is unavailable
        self.received = 0
        self.dropped = 0
        self.failed = 0
        self._reader = reader
        self._read_ahead = read_ahead if read_ahead is not None else ReadAheadPolicy()
        self._read_ahead_seq = 0  # the seq of the last frame handed to the read-ahead
        self._pending: tuple[int, bytes, float, bool] | None = None
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._frame_waiters: list[asyncio.Future[bytes]] = []
        self.last_data: bytes | None = None  # the newest frame as received
        # Snapshot or zoom calls issued and not yet answered: liveview sends their picture
        # just before the response, so a frame arriving meanwhile answers one of them.
        self.pictures_awaited = 0
        self._problems_logged: set[str] = set()

    @property
    def reader(self) -> ScreenReader:
        if self._reader is None:
            self._reader = shared_reader()
        return self._reader

    def submit(self, data: bytes) -> None:
        self.received += 1
        self.last_data = data
        if self._pending is not None:
            self.dropped += 1
        extra = self.pictures_awaited > 0 or any(not w.done() for w in self._frame_waiters)
        self._pending = (self.received, data, time.monotonic(), extra)
        self._idle.clear()
        self._wake.set()
        for waiter in self._frame_waiters:
            if not waiter.done():
                waiter.set_result(data)
        self._frame_waiters.clear()

    async def run(self) -> None:
        """The worker; the connection's TaskGroup owns it."""
        while True:
            delay = self._read_ahead_delay()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
            self._wake.clear()
            while self._pending is not None:
                seq, data, at, extra = self._pending
                self._pending = None
                await self._analyse(seq, data, at, extra)
            self._idle.set()
            if self._read_ahead_delay() == 0.0:
                self._start_read_ahead()

    async def _analyse(self, seq: int, data: bytes, at: float, extra: bool) -> None:
        previous = self.latest.thumb if self.latest is not None else None
        try:
            result = await asyncio.to_thread(analyse_jpeg, data, previous)
        except FrameDecodeError as exc:
            self.failed += 1
            self.problem = f"The newest frame received could not be used: {exc}."
            if str(exc) not in self._problems_logged:  # one line per kind of bad frame
                self._problems_logged.add(str(exc))
                log.warning("local server: frame %d not used: %s", seq, exc)
            return
        self.latest = dataclasses.replace(result, seq=seq, received_at=at)
        self.latest_jpeg = data
        self.latest_is_extra = extra
        self.problem = None

    def _read_ahead_delay(self) -> float | None:
        """Seconds until the newest frame is due for a read-ahead; None: nothing to read."""
        latest = self.latest
        if latest is None or self.latest_is_extra or latest.seq == self._read_ahead_seq:
            return None
        return self._read_ahead.delay(latest.received_at, time.monotonic())

    def _start_read_ahead(self) -> None:
        assert self.latest is not None and self.latest_jpeg is not None
        self._read_ahead_seq = self.latest.seq
        self._read_ahead.mark(time.monotonic())
        self.reader.prefetch(self.latest_jpeg)

    async def read_latest(self, *, wait: bool = True) -> Reading | None:
        """Text recognition of the newest analysed frame: read now within the reader's budget
        (`wait`), or only what the cache holds. None when no frame has arrived."""
        if self.latest_jpeg is None:
            return None
        detail = self.latest_is_extra
        if not wait:
            return self.reader.cached(self.latest_jpeg, detail=detail)
        return await self.reader.read(self.latest_jpeg, detail=detail)

    async def settled(self, timeout_s: float = 5.0) -> FrameAnalysis | None:
        """The latest analysis once every frame received so far has been analysed (or dropped)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        return self.latest

    def next_frame(self) -> asyncio.Future[bytes]:
        """A future for the raw bytes of the next frame that arrives."""
        waiter: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._frame_waiters.append(waiter)
        return waiter
