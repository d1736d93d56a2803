"""A deterministic video source for session tests: the same picture, 10 times a second."""

from __future__ import annotations

import threading
import time

import numpy as np

from liveview.capture.base import Frame, FrameSource
from liveview.errors import ConfigError

GATE_WAIT_S = 30.0


class StillSource(FrameSource):
    """A deterministic source: the same picture at 10 fps. `gate` (when given) holds open()
    until it is set, like a camera that takes its time to start."""

    def __init__(self, image: np.ndarray, gate: threading.Event | None = None) -> None:
        self.image = image
        self.gate = gate
        self._seq = 0

    @property
    def frame_interval_s(self) -> float | None:
        return 0.1

    def open(self) -> None:
        if self.gate is not None and not self.gate.wait(GATE_WAIT_S):
            raise ConfigError("the test never opened the gate")

    def read(self) -> Frame:
        time.sleep(0.1)
        self._seq += 1
        return Frame(self.image.copy(), time.monotonic(), self._seq, "a still picture")

    def close(self) -> None:
        pass

    def describe(self) -> str:
        return "a still picture"
