"""The source picker: monitors with thumbnails, a screen region, cameras, a file or URL, the test
pattern, or no video. Probing monitors and cameras runs on worker threads."""

from __future__ import annotations

import asyncio
import logging

import cv2
import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QListView,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from liveview.capture.camera import CameraInfo, list_cameras
from liveview.capture.screen import MonitorInfo, list_monitors
from liveview.errors import LiveViewError
from liveview.ui.preview import bgr_to_qimage
from liveview.ui.resources import RESOURCES

log = logging.getLogger(__name__)

THUMB_SIZE = QSize(112, 64)
SPEC_ROLE = Qt.ItemDataRole.UserRole
REGION = "region"
FILE = "file"
URL = "url"
WINDOW = "window"


def monitor_thumbnails(monitors: list[MonitorInfo]) -> dict[int, np.ndarray]:
    """Blocking: a small BGR picture of each monitor."""
    import mss

    thumbs: dict[int, np.ndarray] = {}
    with mss.MSS() as sct:
        for mon in monitors:
            area = {"left": mon.left, "top": mon.top, "width": mon.width, "height": mon.height}
            bgra = np.asarray(sct.grab(area))
            scale = THUMB_SIZE.width() / max(1, mon.width)
            size = (THUMB_SIZE.width(), max(1, round(mon.height * scale)))
            small = cv2.resize(np.ascontiguousarray(bgra), size, interpolation=cv2.INTER_AREA)
            thumbs[mon.index] = cv2.cvtColor(small, cv2.COLOR_BGRA2BGR)
    return thumbs


def _probe() -> tuple[list[MonitorInfo], dict[int, np.ndarray], list[CameraInfo], str]:
    note = ""
    monitors: list[MonitorInfo] = []
    thumbs: dict[int, np.ndarray] = {}
    try:
        monitors = list_monitors()
        thumbs = monitor_thumbnails(monitors)
    except LiveViewError as exc:
        note = exc.user_message
    except Exception as exc:  # a thumbnail is a nicety; the monitor list still stands
        log.info("monitor thumbnails failed: %s", exc)
    return monitors, thumbs, list_cameras(), note


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(THUMB_SIZE)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


_FALLBACK = {"region": "#2e86de", "window": "#27ae60", "file": "#8e44ad", "url": "#d35400",
             "none": "#222222"}  # fmt: skip


def tile_icon(name: str, fallback: str) -> QIcon:
    """resources/icons/source-NAME.svg (drawn for the tile's size, crisp at 2x: QIcon renders
    the SVG at the device pixel ratio); a flat swatch if the file is missing."""
    path = RESOURCES / "icons" / f"source-{name}.svg"
    return QIcon(str(path)) if path.is_file() else _swatch(fallback)


class QtSourcePicker(QListWidget):
    """Emits `chosen(spec, region)`; `region_wanted(monitor)` when the user picks "Region…"."""

    chosen = Signal(str, str)
    region_wanted = Signal(object)
    window_wanted = Signal()  # "Window…": one application window

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sources")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(THUMB_SIZE)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setFixedHeight(THUMB_SIZE.height() + 48)
        self.setSpacing(4)
        self.monitors: list[MonitorInfo] = []
        self.current_spec = ""
        self.note = ""
        self._fill([], {}, [])
        # Clicks only (itemActivated also fires on a click on some styles: dialogs twice).
        self.itemClicked.connect(self._on_item_activated)

    async def refresh(self) -> None:
        monitors, thumbs, cameras, note = await asyncio.to_thread(_probe)
        self.note = note
        self._fill(monitors, thumbs, cameras)

    def _add(self, label: str, spec: str, icon: QIcon, tip: str) -> QListWidgetItem:
        item = QListWidgetItem(icon, label)
        item.setData(SPEC_ROLE, spec)
        item.setToolTip(tip)
        self.addItem(item)
        return item

    def _tile(self, label: str, spec: str, icon: str, tip: str) -> QListWidgetItem:
        return self._add(label, spec, tile_icon(icon, _FALLBACK.get(icon, "#7f8c8d")), tip)

    def _fill(
        self,
        monitors: list[MonitorInfo],
        thumbs: dict[int, np.ndarray],
        cameras: list[CameraInfo],
    ) -> None:
        self.blockSignals(True)
        self.clear()
        self.monitors = monitors
        for mon in monitors:
            thumb = thumbs.get(mon.index)
            icon = (
                QIcon(QPixmap.fromImage(bgr_to_qimage(thumb)))
                if thumb is not None
                else _swatch("#34495e")
            )
            self._add(f"Screen {mon.index}", f"screen:{mon.index}", icon, mon.describe())
        if monitors:
            self._add(
                "Region…",
                REGION,
                tile_icon("region", "#2e86de"),
                "Drag a rectangle over the screen",
            )
            self._add("Window…", WINDOW, tile_icon("window", "#27ae60"), "One application window")
        for cam in cameras:
            self._add(
                f"Camera {cam.index}", f"camera:{cam.index}", _swatch("#16a085"), cam.describe()
            )
        self._add("File…", FILE, tile_icon("file", "#8e44ad"), "A video file (played in a loop)")
        self._add(
            "URL…", URL, tile_icon("url", "#d35400"), "An IP camera or stream (http, rtsp, …)"
        )
        self._add(
            "Test pattern", "test", tile_icon("test", "#7f8c8d"), "A synthetic moving test pattern"
        )
        self._add("No video", "none", tile_icon("none", "#222222"), "Audio and text only")
        self.blockSignals(False)
        self.mark_current(self.current_spec)

    def mark_current(self, spec: str) -> None:
        self.current_spec = spec
        kind = spec.split(":", 1)[0]
        for row in range(self.count()):
            item = self.item(row)
            data = item.data(SPEC_ROLE)
            same = data == spec or (data in (FILE, URL, WINDOW) and kind == data)
            if same:
                self.blockSignals(True)
                self.setCurrentItem(item)
                self.blockSignals(False)
                return

    def choose(self, spec: str, region: str = "") -> None:
        """Programmatic choice (shortcuts, tests, the command line)."""
        self.mark_current(spec)
        self.chosen.emit(spec, region)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem():
            self._on_item_activated(self.currentItem())
            return
        super().keyPressEvent(event)

    def _on_item_activated(self, item: QListWidgetItem) -> None:
        spec = item.data(SPEC_ROLE)
        if spec == REGION:
            primary = next((m for m in self.monitors if m.is_primary), self.monitors[0])
            self.region_wanted.emit(primary)
        elif spec == WINDOW:
            self.window_wanted.emit()
        elif spec == FILE:
            path, _ = QFileDialog.getOpenFileName(
                self, "Video file", "", "Video (*.mp4 *.avi *.mkv *.mov *.webm);;All files (*)"
            )
            if path:
                self.choose(f"file:{path}")
        elif spec == URL:
            url, ok = QInputDialog.getText(self, "Stream address", "rtsp:// or http(s):// URL:")
            if ok and url.strip():
                self.choose(f"url:{url.strip()}")
        elif spec != self.current_spec:
            self.choose(spec)
