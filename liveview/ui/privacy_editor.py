"""Draw the privacy rectangles of one monitor over a screenshot of it (issue 13, item 5).

The editor covers the monitor, frameless and on top, and shows what the model would get: the
saved rectangles filled black (numbered), the one being dragged outlined. Drag to add a
rectangle; click one and press Delete to remove it; C clears the monitor; Enter keeps the
result and Esc leaves everything as it was. Nothing is written here: the caller saves what
`edit_privacy` returns (the file is in capture.privacy).
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from liveview.capture.privacy import PrivacyMasks
from liveview.capture.screen import MonitorInfo
from liveview.errors import ConfigError
from liveview.ui.region_overlay import big_enough, drag_span, grab_monitor, to_screen, to_widget

MASK_FILL = QColor(0, 0, 0, 235)  # nearly what is sent (flat black), with the screen a hint below
MASK_EDGE = QColor("#e74c3c")
SELECTED_EDGE = QColor("#f1c40f")
DRAG_EDGE = QColor("#2e86de")
HELP = (
    "Drag to black out a rectangle  ·  click one, then Delete removes it  ·  C clears this "
    "monitor  ·  Enter keeps  ·  Esc cancels"
)


def masks_summary(count: int, monitor: MonitorInfo) -> str:
    noun = "rectangle" if count == 1 else "rectangles"
    return f"{count} privacy {noun} on monitor {monitor.index} ({monitor.width}x{monitor.height})"


class QtPrivacyEditor(QWidget):
    """Covers `monitor`; emits `kept(PrivacyMasks)` or `cancelled()`."""

    kept = Signal(object)
    cancelled = Signal()

    def __init__(
        self,
        monitor: MonitorInfo,
        screenshot: QImage,
        masks: PrivacyMasks,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("privacy_editor")
        self.monitor = monitor
        self.screenshot = screenshot
        self.masks = masks
        self.selected: int | None = None
        self.problem = ""  # the last rectangle that could not be added, and why
        self._origin: QPoint | None = None
        self._drag = QRect()
        self.setWindowFlags(
            Qt.WindowType.Window
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool
        )
        self.setWindowTitle("liveview: privacy masks")
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setGeometry(monitor.left, monitor.top, monitor.width, monitor.height)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def rects(self) -> list[QRect]:
        """The monitor's rectangles, in widget coordinates, in the order they are numbered."""
        return [to_widget(r, self.monitor, self) for r in self.masks.rects_for(self.monitor)]

    def _hit(self, point: QPoint) -> int | None:
        """The topmost (last drawn) rectangle under `point`."""
        for index, rect in reversed(list(enumerate(self.rects()))):
            if rect.contains(point):
                return index
        return None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawImage(self.rect(), self.screenshot)
        for index, rect in enumerate(self.rects()):
            painter.fillRect(rect, MASK_FILL)
            edge = SELECTED_EDGE if index == self.selected else MASK_EDGE
            painter.setPen(QPen(edge, 3 if index == self.selected else 2))
            painter.drawRect(rect)
            painter.setPen(QColor("white"))
            painter.drawText(rect.adjusted(8, 6, -8, -6), Qt.AlignmentFlag.AlignTop, str(index + 1))
        drag = self._drag.normalized()
        if not drag.isNull():
            painter.setPen(QPen(DRAG_EDGE, 2, Qt.PenStyle.DashLine))
            painter.drawRect(drag)
        self._paint_help(painter)
        painter.end()

    def _paint_help(self, painter: QPainter) -> None:
        count = len(self.masks.rects_for(self.monitor))
        lines = [masks_summary(count, self.monitor), HELP]
        if self.problem:
            lines.append(self.problem)
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        painter.setFont(font)
        step = painter.fontMetrics().height() + 6
        bar = QRect(0, 0, self.width(), step * len(lines) + 14)
        painter.fillRect(bar, QColor(20, 20, 20, 210))
        for row, line in enumerate(lines):
            painter.setPen(QColor("#f39c12") if row == 2 else QColor("white"))
            painter.drawText(16, 8 + step * (row + 1) - 6, line)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        hit = self._hit(point)
        if hit is not None:
            self.selected = hit
            self._origin = None
        else:
            self.selected = None
            self._origin = point
            self._drag = QRect()
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._origin is not None:
            self._drag = drag_span(self._origin, event.position().toPoint())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._origin is None:
            return
        drag = drag_span(self._origin, event.position().toPoint())
        self._origin, self._drag = None, QRect()
        if big_enough(drag):
            self.add(drag)
        self.update()

    def add(self, rect: QRect) -> None:
        """Add a rectangle drawn in widget coordinates."""
        try:
            self.masks = self.masks.with_rect(self.monitor, to_screen(rect, self.monitor, self))
            self.selected = len(self.masks.rects_for(self.monitor)) - 1
            self.problem = ""
        except ConfigError as exc:
            self.problem = exc.user_message
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.close()
            self.cancelled.emit()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.close()
            self.kept.emit(self.masks)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected is not None:
            self.masks = self.masks.without_rect(self.monitor, self.selected)
            self.selected = None
            self.update()
        elif key == Qt.Key.Key_C:
            self.masks = self.masks.cleared(self.monitor)
            self.selected = None
            self.update()
        else:
            super().keyPressEvent(event)


async def edit_privacy(
    monitor: MonitorInfo, masks: PrivacyMasks, parent: QWidget | None = None
) -> PrivacyMasks | None:
    """Show the editor over `monitor` and wait: the edited masks, or None when cancelled.
    `parent` lets it take input while a modal dialog (Settings) is open."""
    screenshot = await asyncio.to_thread(grab_monitor, monitor)
    editor = QtPrivacyEditor(monitor, screenshot, masks, parent)
    done: asyncio.Future[PrivacyMasks | None] = asyncio.get_running_loop().create_future()
    editor.kept.connect(lambda edited: done.done() or done.set_result(edited))
    editor.cancelled.connect(lambda: done.done() or done.set_result(None))
    editor.show()
    editor.activateWindow()
    editor.setFocus()
    try:
        return await done
    finally:
        editor.deleteLater()
