"""The source picker's Window… and auto-pause in the window, under openbox, with real
application windows in their own processes and the local server as the peer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from liveview.server import LocalLiveServer
from liveview.ui.source_picker import SPEC_ROLE
from tests.desktop.x11 import AppWindow
from tests.support.waiting import eventually
from tests.support.window import local_prefs, open_window

pytestmark = pytest.mark.x11


def video_count(connection: Any) -> int:
    return connection.received_kinds.count("realtimeInput.video")


async def test_window_picker_lists_windows_with_thumbnails_and_shares_one(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, desktop: None
) -> None:
    with AppWindow("Quarterly notes", 900, 200, 480, 320, seed=4, wm_class="notesapp"):
        async with open_window(qtbot, store, local_prefs(live_server.url)) as window:
            await window.sources.refresh()
            tiles = {
                window.sources.item(i).data(SPEC_ROLE): window.sources.item(i)
                for i in range(window.sources.count())
            }
            assert "window" in tiles and tiles["window"].text() == "Window…"
            window.sources._on_item_activated(tiles["window"])
            picker = window.desktop.picker
            assert picker is not None and picker.isVisible()
            await eventually(lambda: any("Quarterly notes" in w.title for w in picker.windows))
            assert all(w.title != "liveview" for w in picker.windows)  # never itself
            assert picker.select_title("quarterly")
            item = picker.list.currentItem()
            assert item.text() == "Quarterly notes\nnotesapp"
            assert not item.icon().isNull()  # a thumbnail
            picker.accept()
            await eventually(lambda: window.model.video.kind == "window")
            assert window.model.prefs.source == "window:Quarterly notes"
            seen = window.preview.updates
            await eventually(lambda: window.preview.updates > seen)
            image = window.preview.image
            assert image is not None
            assert abs(image.width() / image.height() - 480 / 320) < 0.05  # the window's aspect


async def test_a_password_manager_pauses_the_video_and_the_badge_says_why(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, desktop: None
) -> None:
    prefs = local_prefs(live_server.url, source="screen:1", fps=2.0, change_threshold=0.0)
    async with open_window(qtbot, store, prefs) as window:
        await window.desktop.start_auto_pause()
        window.toggle_session()
        await eventually(lambda: window.controls.live_screen.live)
        connection = live_server.connections[-1]
        with AppWindow("Passwords.kdbx - KeePassXC", 200, 200, 400, 300, seed=9):
            await eventually(lambda: "paused: KeePassXC" in window.controls.live_screen.text())
            assert not window.controls.live_screen.live
            assert "paused: KeePassXC" in window.desktop.overlay.state.text()
            held_at = video_count(connection)
            await asyncio.sleep(0.6)  # a frame already on its way may still land
            held_at = max(held_at, video_count(connection))
            await asyncio.sleep(2.0)  # 2 frames/s: four would have been sent
            assert video_count(connection) == held_at
        # Closed: the video resumes and the badge is LIVE again.
        await eventually(lambda: window.controls.live_screen.live)
        await eventually(lambda: video_count(connection) > held_at)
        assert window.controls.live_screen.text() == "● LIVE SCREEN"
