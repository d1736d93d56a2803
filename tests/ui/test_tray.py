"""The tray icon with a real tray host (trayer) on the test display, and without one."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QSystemTrayIcon

from liveview.server import LocalLiveServer
from liveview.ui.desktop import tray_available
from liveview.ui.tray import TrayState
from tests.support.waiting import eventually
from tests.support.window import local_prefs, open_window

pytestmark = pytest.mark.x11


async def test_the_tray_follows_the_session_and_closing_hides_to_it(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, desktop: None, tray_host: Any
) -> None:
    await eventually(QSystemTrayIcon.isSystemTrayAvailable)
    async with open_window(qtbot, store, local_prefs(live_server.url, source="test")) as window:
        await window.desktop.start()
        tray = window.desktop.tray
        assert tray is not None and tray.isVisible()
        # Embedded in trayer: the icon has a place on the screen.
        await eventually(lambda: not tray.geometry().isEmpty())
        assert tray.state is TrayState.IDLE and tray.toolTip() == "liveview: idle"
        # A session that cannot connect: the tray says error (one tray icon for the whole
        # test: a tray host with icons coming and going is not what is under test).
        good = window.model.prefs
        window.model.prefs = replace(good, backend="custom", url="ws://127.0.0.1:9/nothing")
        window.toggle_session()
        await eventually(lambda: tray.state is TrayState.ERROR, timeout_s=30)
        assert tray.toolTip().startswith("liveview: error")
        window.model.prefs = good
        menu = [a.text() for a in tray.menu.actions() if a.text()]
        assert menu == [
            "Start session", "Pause video", "Mute microphone", "Send a sharp snapshot",
            "Show window", "Overlay", "Quit liveview",
        ]  # fmt: skip
        tray.actions_by_name["Start session"].trigger()
        await eventually(lambda: tray.state is TrayState.LIVE)
        assert tray.toolTip() == "liveview: live · test"
        assert tray.actions_by_name["Start session"].text() == "Stop session"
        tray.actions_by_name["Pause video"].trigger()
        await eventually(lambda: tray.state is TrayState.PAUSED)
        assert window.model.video.paused and window.controls.pause_button.isChecked()
        tray.actions_by_name["Pause video"].trigger()
        await eventually(lambda: tray.state is TrayState.LIVE)
        tray.actions_by_name["Mute microphone"].trigger()
        assert window.model.mic_muted and not window.controls.mic_button.isChecked()
        tray.refresh()
        assert tray.actions_by_name["Mute microphone"].isChecked()

        # Closing the window during a session: hidden to the tray, the session goes on, a
        # note says so once.
        window.close()
        assert not window.isVisible() and not window.closed.is_set()
        assert window.model.running
        assert "goes on in the tray" in window.desktop.note_shown
        assert window.model.prefs.tray_note_shown
        assert QSettings(store.fileName(), QSettings.Format.IniFormat).value(
            "session/tray_note_shown"
        ) in (True, "true")
        window.desktop.note_shown = ""
        tray.actions_by_name["Show window"].trigger()
        await eventually(window.isVisible)
        window.close()
        assert not window.isVisible() and window.desktop.note_shown == ""  # not twice

        # Quit ends it all.
        tray.actions_by_name["Quit liveview"].trigger()
        assert window.closed.is_set()
        await eventually(lambda: not window.model.running)


async def test_without_a_tray_closing_works_as_before(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, desktop: None
) -> None:
    # No tray host on this display: one left over by an earlier run or test is stopped first.
    subprocess.run(["pkill", "-x", "trayer"], check=False)
    await eventually(lambda: not tray_available(), timeout_s=30)
    async with open_window(qtbot, store, local_prefs(live_server.url)) as window:
        await window.desktop.start()
        assert window.desktop.tray is None
        window.toggle_session()
        await eventually(lambda: window.model.runtime is not None and window.model.runtime.live)
        window.close()
        assert window.closed.is_set()
        await eventually(lambda: not window.model.running)
