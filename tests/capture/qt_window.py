"""A frameless top-level Qt window that shows a BGR picture at a known place on the X screen."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication, QLabel


class PatternWindow(QLabel):
    def __init__(self, image: np.ndarray, x: int, y: int) -> None:
        super().__init__()
        self.setWindowFlags(
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.X11BypassWindowManagerHint
        )
        self.setContentsMargins(0, 0, 0, 0)
        self.show_image(image)
        self.setGeometry(x, y, image.shape[1], image.shape[0])

    def show_image(self, image: np.ndarray) -> None:
        self._image = np.ascontiguousarray(image)  # QImage borrows the buffer
        height, width = self._image.shape[:2]
        qimage = QImage(self._image.data, width, height, width * 3, QImage.Format.Format_BGR888)
        self.setPixmap(QPixmap.fromImage(qimage))
        self.repaint()
        QApplication.processEvents()
        QApplication.sync()


@contextlib.contextmanager
def pattern_on_screen(qtbot: Any, image: np.ndarray, x: int, y: int) -> Iterator[PatternWindow]:
    """Show `image` at (x, y) and wait until the screen really shows it (grabbed and compared)."""
    from liveview.capture import Region, ScreenSource
    from liveview.encode import to_bgr
    from tests.capture.patterns import psnr
    from tests.support.waiting import wait_until

    window = PatternWindow(image, x, y)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_image(image)
    height, width = image.shape[:2]

    def on_screen() -> bool:
        with ScreenSource(region=Region(x, y, width, height)) as source:
            return bool(psnr(to_bgr(source.read().image), image) > 40)

    assert wait_until(on_screen, step=window.repaint), "the pattern window was never drawn"
    try:
        yield window  # keeps the window alive (and on screen) for the test
    finally:
        window.close()
