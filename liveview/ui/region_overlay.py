"""Choose a screen region by dragging a rectangle over a full-screen screenshot.

The screenshot is taken with mss on a worker thread (never on the GUI loop); the overlay shows it
dimmed, the rectangle being dragged undimmed, and its size. Enter or releasing the mouse accepts,
Escape cancels.
"""

from __future__ import annotations

import asyncio

import numpy as np
from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from liveview.capture.screen import MonitorInfo, Region

MIN_REGION_PX = 16


def grab_monitor(monitor: MonitorInfo) -> QImage:
    """Blocking: one BGRA grab of `monitor` as a QImage (call it in a thread)."""
    import mss

    with mss.MSS() as sct:
        shot = sct.grab(
            {
                "left": monitor.left,
                "top": monitor.top,
                "width": monitor.width,
                "height": monitor.height,
            }
        )
        bgra = np.frombuffer(shot.bgra, dtype=np.uint8).reshape(shot.height, shot.width, 4)
        image = QImage(
            bgra.data, shot.width, shot.height, 4 * shot.width, QImage.Format.Format_ARGB32
        )
        return image.copy()


def to_screen(rect: QRect, monitor: MonitorInfo, widget: QWidget) -> Region:
    """A rectangle in `widget` (covering `monitor`) in screen pixels: a high-DPI monitor has
    more pixels than the widget has points."""
    sx = monitor.width / max(1, widget.width())
    sy = monitor.height / max(1, widget.height())
    return Region(
        monitor.left + round(rect.x() * sx),
        monitor.top + round(rect.y() * sy),
        round(rect.width() * sx),
        round(rect.height() * sy),
    )


def to_widget(region: Region, monitor: MonitorInfo, widget: QWidget) -> QRect:
    """The inverse of to_screen, for a rectangle given in `monitor`'s own coordinates."""
    sx = max(1, widget.width()) / monitor.width
    sy = max(1, widget.height()) / monitor.height
    return QRect(
        round(region.x * sx),
        round(region.y * sy),
        round(region.width * sx),
        round(region.height * sy),
    )


def drag_span(start: QPoint, end: QPoint) -> QRect:
    """The rectangle between two drag points (QRect(p1, p2) would count both edges: +1 px)."""
    left, top = min(start.x(), end.x()), min(start.y(), end.y())
    return QRect(left, top, abs(end.x() - start.x()), abs(end.y() - start.y()))


def big_enough(rect: QRect) -> bool:
    return rect.width() >= MIN_REGION_PX and rect.height() >= MIN_REGION_PX


class QtRegionOverlay(QWidget):
    """Frameless, on top, covering `monitor`; emits `chosen(Region)` or `cancelled()`."""

    chosen = Signal(object)
    cancelled = Signal()

    def __init__(
        self, monitor: MonitorInfo, screenshot: QImage, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.monitor = monitor
        self.screenshot = screenshot
        self._origin: QPoint | None = None
        self.selection = QRect()
        self.setWindowFlags(
            Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool
        )
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setGeometry(monitor.left, monitor.top, monitor.width, monitor.height)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def region(self) -> Region | None:
        rect = self.selection.normalized()
        return to_screen(rect, self.monitor, self) if big_enough(rect) else None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(self.rect(), self.screenshot)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 110))
        rect = self.selection.normalized()
        if not rect.isNull():
            source = QRect(
                round(rect.x() * self.screenshot.width() / max(1, self.width())),
                round(rect.y() * self.screenshot.height() / max(1, self.height())),
                round(rect.width() * self.screenshot.width() / max(1, self.width())),
                round(rect.height() * self.screenshot.height() / max(1, self.height())),
            )
            painter.drawImage(rect, self.screenshot, source)
            painter.setPen(QPen(QColor("#2e86de"), 2))
            painter.drawRect(rect)
            region = self.region()
            label = region.describe() if region else "drag a larger rectangle"
            painter.setPen(QColor("white"))
            painter.drawText(rect.topLeft() + QPoint(6, -6), label)
        painter.setPen(QColor("white"))
        painter.drawText(20, 30, "Drag a rectangle to share that part of the screen. Esc cancels.")
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._origin = event.position().toPoint()
        self.selection = QRect()
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self.selection = drag_span(self._origin, event.position().toPoint())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._origin is None:
            return
        self.selection = drag_span(self._origin, event.position().toPoint())
        self._origin = None
        self._finish()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            self.cancelled.emit()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish()

    def _finish(self) -> None:
        region = self.region()
        if region is None:
            return
        self.close()
        self.chosen.emit(region)


async def pick_region(monitor: MonitorInfo) -> Region | None:
    """Show the overlay over `monitor` and wait for the user's rectangle (None: cancelled)."""
    screenshot = await asyncio.to_thread(grab_monitor, monitor)
    overlay = QtRegionOverlay(monitor, screenshot)
    done: asyncio.Future[Region | None] = asyncio.get_running_loop().create_future()
    overlay.chosen.connect(lambda region: done.done() or done.set_result(region))
    overlay.cancelled.connect(lambda: done.done() or done.set_result(None))
    overlay.show()
    overlay.activateWindow()
    overlay.setFocus()
    try:
        return await done
    finally:
        overlay.deleteLater()
