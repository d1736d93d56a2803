"""A first launch: the primary screen is chosen, one line says which backend answers (with a
button to Settings at the key field), and nothing nags afterwards. The source tiles are drawn."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings, QSize
from PySide6.QtWidgets import QApplication

from liveview.core.prefs import Prefs
from liveview.ui.prefs_store import QtPrefsStore
from liveview.ui.source_picker import SPEC_ROLE
from tests.support.waiting import eventually
from tests.support.window import open_window

pytestmark = pytest.mark.x11


async def test_first_launch_takes_the_primary_screen_and_says_the_backend_once(
    qtbot: Any, store: QSettings, desktop: None
) -> None:
    first = QtPrefsStore(store).load()
    assert first.source == "" and not first.first_launch_done
    async with open_window(qtbot, store, Prefs(backend="local", source="none")) as window:
        window.model.prefs = first  # as loaded on a first launch
        await window.start_up()
        assert window.model.video.kind == "screen"
        assert window.model.prefs.source == "screen:1"  # Xvfb's only (primary) monitor
        assert window.banner.isVisible()
        assert window.banner.label.text().startswith("Offline: the built-in local server")
        assert window.banner.action_button.text() == "Add a key…"
        window.banner.action_button.click()
        dialog = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "settings")
        await eventually(dialog.isVisible)
        assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Connection"
        assert dialog.focusWidget() is dialog.key_edit
        dialog.reject()
    again = QtPrefsStore(store).load()
    assert again.first_launch_done and again.source == "screen:1"
    async with open_window(qtbot, store, again) as window:
        await window.start_up()
        assert not window.banner.isVisible()  # nothing nags


async def test_the_source_tiles_are_drawn_and_crisp_at_2x(qtbot: Any, store: QSettings) -> None:
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        await window.sources.refresh()
        for row in range(window.sources.count()):
            item = window.sources.item(row)
            if str(item.data(SPEC_ROLE)).startswith("screen"):
                continue
            image = item.icon().pixmap(QSize(224, 128)).toImage()  # 2x the tile
            assert (image.width(), image.height()) == (224, 128), item.text()
            colours = {
                image.pixelColor(x, y).rgb() for x in range(0, 224, 7) for y in range(0, 128, 5)
            }
            assert len(colours) >= 3, f"{item.text()}: a flat block, not a drawing"
            lightness = [image.pixelColor(x, 64).lightness() for x in range(224)]
            assert max(lightness) - min(lightness) > 80, item.text()  # a glyph on the tile
