"""A frameless top-level Qt window that shows a BGR picture at a known place on the X screen."""

from __future__ import annotations

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
