"""The preview of what is sent: the pipeline's small latest preview, polled a few times a second.

Never the full-rate frames: the VideoPipeline already makes a <=320 px BGR copy at most 4 times a
second on its worker thread; converting that to a QImage costs well under a millisecond.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from liveview.core.video_host import VideoChanged, VideoHost

POLL_INTERVAL_MS = 250


def bgr_to_qimage(image: np.ndarray) -> QImage:
    rgb = np.ascontiguousarray(image[:, :, ::-1])
    height, width, _ = rgb.shape
    # .copy(): QImage must own its pixels once `rgb` is gone.
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class QtPreview(QLabel):
    def __init__(self, video: VideoHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.video = video
        self.setObjectName("preview")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(320, 180)
        # Ignored: the pixmap must never drive the layout (a resize loop otherwise).
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setStyleSheet("QLabel#preview { background:#111; color:#bbb; border-radius:6px; }")
        self.image: QImage | None = None
        self.updates = 0  # previews shown (tests)
        self._seen_seq = -1
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self._on_poll)
        self._timer.start()
        video.subscribe(self._on_video_changed)
        self.setText("No video source")

    def _on_video_changed(self, event: VideoChanged) -> None:
        self._seen_seq = -1
        self.image = None
        if event.kind == "none":
            self.setPixmap(QPixmap())
            self.setText(event.error or "No video source")
        else:
            self.setText(f"Starting {event.description}…")

    def _on_poll(self) -> None:
        pipeline = self.video.pipeline
        if pipeline is None or pipeline.latest_preview is None:
            return
        if pipeline.preview_seq == self._seen_seq:
            return
        self._seen_seq = pipeline.preview_seq
        self.image = bgr_to_qimage(pipeline.latest_preview)
        self.updates += 1
        self._show()

    def _show(self) -> None:
        if self.image is None:
            return
        pixmap = QPixmap.fromImage(self.image).scaled(
            self.size() * 0.98,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.setPixmap(pixmap)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._show()
