"""Choosing a screen region by dragging over a screenshot of the real (Xvfb) screen."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from liveview.capture.screen import list_monitors
from liveview.core.prefs import Prefs
from liveview.ui.region_overlay import QtRegionOverlay, grab_monitor
from tests.support.waiting import eventually
from tests.support.window import open_window

pytestmark = pytest.mark.x11


async def test_dragging_a_rectangle_chooses_that_region(qtbot: Any, store: QSettings) -> None:
    monitor = list_monitors()[0]
    screenshot = await asyncio.to_thread(grab_monitor, monitor)
    assert (screenshot.width(), screenshot.height()) == (monitor.width, monitor.height)
    overlay = QtRegionOverlay(monitor, screenshot)
    qtbot.addWidget(overlay)
    overlay.show()
    await eventually(overlay.isVisible)
    with qtbot.waitSignal(overlay.chosen) as chosen:
        qtbot.mousePress(overlay, Qt.MouseButton.LeftButton, pos=QPoint(100, 200))
        qtbot.mouseMove(overlay, QPoint(500, 450))
        qtbot.mouseRelease(overlay, Qt.MouseButton.LeftButton, pos=QPoint(740, 560))
    region = chosen.args[0]
    assert (region.x, region.y, region.width, region.height) == (
        monitor.left + 100,
        monitor.top + 200,
        640,
        360,
    )
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        text = f"{region.x},{region.y},{region.width},{region.height}"
        await window.select_source(f"screen:{monitor.index}", text)
        await eventually(lambda: window.preview.image is not None)
        image = window.preview.image
        assert image is not None
        # The preview keeps the region's 16:9 shape, not the monitor's.
        assert abs(image.width() / image.height() - 640 / 360) < 0.05
        assert window.model.prefs.region == text


async def test_escape_cancels_the_overlay(qtbot: Any) -> None:
    monitor = list_monitors()[0]
    screenshot = await asyncio.to_thread(grab_monitor, monitor)
    overlay = QtRegionOverlay(monitor, screenshot)
    qtbot.addWidget(overlay)
    overlay.show()
    with qtbot.waitSignal(overlay.cancelled):
        qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert not overlay.isVisible()
