"""OpenCV capture: a camera device, a video file (played at its own pace, looping) or a URL
(HTTP/RTSP streams, IP cameras). Blocking calls only: FrameProducer runs them on their own thread.
"""

from __future__ import annotations

import glob
import sys
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import cv2
import numpy as np

from liveview.capture.base import Frame, FrameSource
from liveview.errors import CaptureError

DEFAULT_FILE_FPS = 25.0  # when a file does not say its frame rate
DEFAULT_STREAM_FPS = 30.0  # when a device or stream does not say its frame rate
STREAM_OPEN_TIMEOUT_MS = 8000  # an unreachable IP camera fails in 8 s, not FFmpeg's minutes
STREAM_READ_TIMEOUT_MS = 5000  # a stream silent for 5 s is dead
DEFAULT_MAX_CAMERA_INDEX = 8
# Reading frames this far behind the file's clock means we cannot keep up: skip, don't drift.
FILE_MAX_LAG_S = 0.5


class CameraKind(Enum):
    DEVICE = "camera"
    FILE = "file"
    URL = "url"


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str
    width: int
    height: int

    def describe(self) -> str:
        return f"{self.index}: {self.name} {self.width}x{self.height}"


def _device_nodes() -> list[int] | None:
    """Indices of /dev/video* on Linux (None elsewhere: probing is the only way)."""
    if not sys.platform.startswith("linux"):
        return None
    indices = []
    for node in glob.glob("/dev/video*"):
        suffix = node.removeprefix("/dev/video")
        if suffix.isdigit():
            indices.append(int(suffix))
    return sorted(indices)


def _open_device(index: int) -> cv2.VideoCapture:
    # CAP_ANY would let OpenCV try GStreamer/FFmpeg on an index too, which is slow and noisy.
    backend = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
    return cv2.VideoCapture(index, backend)


def list_cameras(max_index: int = DEFAULT_MAX_CAMERA_INDEX) -> list[CameraInfo]:
    """Cameras that open, by index. Blocking (a probe can take a second per device): call it
    from a thread. On Linux only existing /dev/videoN nodes are probed, so a machine without
    cameras answers [] at once."""
    nodes = _device_nodes()
    candidates = range(max_index + 1) if nodes is None else [i for i in nodes if i <= max_index]
    found = []
    for index in candidates:
        cap = _open_device(index)
        try:
            if cap.isOpened():
                width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
                height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
                name = f"camera {index} ({cap.getBackendName()})"
                found.append(CameraInfo(index, name, width, height))
        finally:
            cap.release()
    return found


def camera_exists(index: int) -> bool | None:
    """False when a camera index surely does not exist (Linux without /dev/videoN), else None
    (unknown until opened)."""
    nodes = _device_nodes()
    if nodes is None:
        return None
    return index in nodes


class CameraSource(FrameSource):
    """Frames from cv2.VideoCapture: a device index, a video file path or a stream URL."""

    def __init__(
        self,
        target: int | str | Path,
        kind: CameraKind,
        *,
        resolution: tuple[int, int] | None = None,
        loop: bool = True,
    ) -> None:
        self._target = target
        self._kind = kind
        self._resolution = resolution
        self._loop = loop
        self._cap: cv2.VideoCapture | None = None
        self._interval_s: float | None = None
        self._next_due = 0.0
        self._seq = 0
        self._description = self._name()

    def _name(self) -> str:
        if self._kind is CameraKind.DEVICE:
            return f"camera {self._target}"
        if self._kind is CameraKind.FILE:
            return f"file {Path(str(self._target)).name}"
        return f"url {_redact(str(self._target))}"

    @property
    def frame_interval_s(self) -> float | None:
        return self._interval_s

    def open(self) -> None:
        self.close()
        cap = self._open_capture()
        if not cap.isOpened():
            cap.release()
            raise CaptureError(self._open_failure())
        if self._resolution is not None and self._kind is CameraKind.DEVICE:
            # The driver picks the nearest mode it has; describe() reports what we got.
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self._resolution[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self._resolution[1])
        fps = cap.get(cv2.CAP_PROP_FPS)
        if self._kind is CameraKind.FILE:
            fps = fps if fps and 1.0 <= fps <= 240.0 else DEFAULT_FILE_FPS
            self._interval_s = 1.0 / fps
        else:
            # Devices and streams block in read() at their own pace; never None (that would make
            # FrameProducer pace the reads, and a device read too rarely serves stale buffers).
            valid = fps and 1.0 <= fps <= 240.0
            self._interval_s = 1.0 / fps if valid else 1.0 / DEFAULT_STREAM_FPS
        self._cap = cap
        self._next_due = time.monotonic()
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        rate = f", {fps:g} fps" if fps else ""
        self._description = f"{self._name()} ({width}x{height}{rate})"

    def _open_capture(self) -> cv2.VideoCapture:
        if self._kind is CameraKind.DEVICE:
            return _open_device(int(str(self._target)))
        if self._kind is CameraKind.FILE:
            return cv2.VideoCapture(str(self._target), cv2.CAP_FFMPEG)
        params = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            STREAM_OPEN_TIMEOUT_MS,
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            STREAM_READ_TIMEOUT_MS,
        ]
        return cv2.VideoCapture(str(self._target), cv2.CAP_FFMPEG, params)

    def _open_failure(self) -> str:
        if self._kind is CameraKind.DEVICE:
            return (
                f"Camera {self._target} could not be opened: it is missing or in use by another "
                "program. Run `liveview headless --list-sources` to see the cameras."
            )
        if self._kind is CameraKind.FILE:
            return (
                f"Video file {self._target} could not be opened: "
                "not a video OpenCV/FFmpeg can read."
            )
        return (
            f"Stream {_redact(str(self._target))} could not be opened within "
            f"{STREAM_OPEN_TIMEOUT_MS // 1000} s: check the address, the network and the camera."
        )

    def read(self) -> Frame:
        if self._cap is None:
            raise CaptureError(f"{self._name()} read before open()")
        if self._kind is CameraKind.FILE:
            self._wait_for_file_clock()
        ok, image = self._cap.read()
        if not ok and self._kind is CameraKind.FILE and self._loop:
            # End of file: start again from the first frame.
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._cap.read()
        if not ok or image is None:
            raise CaptureError(self._read_failure())
        frame = Frame(np.ascontiguousarray(image), time.monotonic(), self._seq, self._description)
        self._seq += 1
        return frame

    def _wait_for_file_clock(self) -> None:
        # A file is played at its own frame rate, like a camera would deliver it.
        assert self._interval_s is not None
        now = time.monotonic()
        if self._next_due > now:
            time.sleep(self._next_due - now)
        elif now - self._next_due > FILE_MAX_LAG_S:
            self._next_due = now  # we fell behind (paused machine): restart the clock, no burst
        self._next_due += self._interval_s

    def _read_failure(self) -> str:
        if self._kind is CameraKind.DEVICE:
            return (
                f"Camera {self._target} stopped delivering frames "
                "(unplugged or taken by another program)."
            )
        if self._kind is CameraKind.FILE:
            return f"Video file {Path(str(self._target)).name} ended."
        return f"Stream {_redact(str(self._target))} ended or stopped sending frames."

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None

    def describe(self) -> str:
        return self._description


def _redact(url: str) -> str:
    """Hide user:password@ in stream URLs (IP cameras often carry credentials)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    return f"{scheme}://***@{rest.split('@', 1)[1]}"
