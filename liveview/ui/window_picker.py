"""The source picker's "Window…": the application windows, each with its title, application and
a thumbnail, listed and grabbed on worker threads. liveview's own windows are not offered."""

from __future__ import annotations

import asyncio
import logging
import os

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from liveview.capture.window import THUMBNAIL_MAX_SIDE_PX, window_thumbnail
from liveview.desktop.window_platform import list_windows
from liveview.desktop.windows import WindowInfo
from liveview.errors import LiveViewError
from liveview.ui.preview import bgr_to_qimage

log = logging.getLogger(__name__)

HANDLE_ROLE = Qt.ItemDataRole.UserRole


def _probe() -> tuple[list[WindowInfo], dict[int, np.ndarray], str]:
    """Blocking: the windows, top of the stack first, and a thumbnail of each."""
    try:
        windows = [w for w in list_windows() if w.pid != os.getpid()]
    except LiveViewError as exc:
        return [], {}, exc.user_message
    thumbs: dict[int, np.ndarray] = {}
    for window in windows:
        try:
            thumb = window_thumbnail(window)
        except Exception as exc:  # a thumbnail is a nicety; the window is still offered
            log.info("no thumbnail of %r: %s", window.title, exc)
            thumb = None
        if thumb is not None:
            thumbs[window.handle] = thumb
    return list(reversed(windows)), thumbs, ""


class QtWindowPicker(QDialog):
    """`chosen()` after accept(): the WindowInfo picked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Share one window")
        self.setObjectName("window_picker")
        self.windows: list[WindowInfo] = []
        self.list = QListWidget(self)
        self.list.setObjectName("window_list")
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMBNAIL_MAX_SIDE_PX, THUMBNAIL_MAX_SIDE_PX * 5 // 8))
        self.list.setGridSize(QSize(THUMBNAIL_MAX_SIDE_PX + 48, THUMBNAIL_MAX_SIDE_PX + 20))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setWordWrap(True)
        self.note = QLabel("Looking for windows…", self)
        self.note.setObjectName("window_note")
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Share this window")
        self.ok_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.currentItemChanged.connect(lambda item, _: self.ok_button.setEnabled(bool(item)))
        self.list.itemDoubleClicked.connect(lambda _: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Only this window's pixels are sent; it is followed as it moves.", self)
        )
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(720, 480)

    async def refresh(self) -> None:
        windows, thumbs, problem = await asyncio.to_thread(_probe)
        self.windows = windows
        self.list.clear()
        for window in windows:
            thumb = thumbs.get(window.handle)
            icon = QIcon(QPixmap.fromImage(bgr_to_qimage(thumb))) if thumb is not None else QIcon()
            item = QListWidgetItem(icon, f"{window.title}\n{window.app}")
            item.setToolTip(window.describe())
            item.setData(HANDLE_ROLE, window.handle)
            self.list.addItem(item)
        if problem:
            self.note.setText(problem)
        elif not windows:
            self.note.setText("No application windows are open.")
        else:
            self.note.setText(
                f"{len(windows)} windows. Minimised ones pause the video until shown."
            )
        if windows:
            self.list.setCurrentRow(0)

    def select_title(self, part: str) -> bool:
        for row, window in enumerate(self.windows):
            if part.casefold() in window.title.casefold():
                self.list.setCurrentRow(row)
                return True
        return False

    def chosen(self) -> WindowInfo | None:
        item = self.list.currentItem()
        if item is None:
            return None
        handle = item.data(HANDLE_ROLE)
        return next((w for w in self.windows if w.handle == handle), None)
