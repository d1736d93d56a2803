"""The compact overlay on a real display under openbox, against the local server."""

from __future__ import annotations

import base64
import subprocess
from typing import Any

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from liveview.core.transcript import Role
from liveview.server import LocalLiveServer
from liveview.ui.overlay import QtOverlay
from liveview.ui.prefs_store import QtPrefsStore
from tests.support.waiting import eventually
from tests.support.window import local_prefs, open_window

pytestmark = pytest.mark.x11


def wm_state(window_id: int) -> str:
    out = subprocess.run(
        ["xprop", "-id", str(window_id), "_NET_WM_STATE"], capture_output=True, text=True
    )
    return out.stdout


def jpeg_width(data: str) -> int:
    image = cv2.imdecode(np.frombuffer(base64.b64decode(data), np.uint8), cv2.IMREAD_COLOR)
    return int(image.shape[1])


async def test_a_question_goes_with_a_sharp_snapshot_and_the_reply_streams_in(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, desktop: None
) -> None:
    prefs = local_prefs(live_server.url, source="screen:1", fps=1.0)
    async with open_window(qtbot, store, prefs) as window:
        window.actions_by_name["Compact overlay"].trigger()  # from the window's menu
        overlay = window.desktop.overlay
        await eventually(overlay.isVisible)
        assert overlay.windowFlags() & Qt.WindowType.FramelessWindowHint
        await eventually(lambda: "_NET_WM_STATE_ABOVE" in wm_state(int(overlay.winId())))
        window.toggle_session()
        await eventually(lambda: window.model.runtime is not None and window.model.runtime.live)
        await eventually(lambda: overlay.state.text() == "● live")
        await eventually(lambda: overlay.live_screen.live)
        connection = live_server.connections[-1]

        overlay.open(focus_prompt=True)
        qtbot.keyClicks(overlay.prompt, "what is on my screen")
        qtbot.keyClick(overlay.prompt, Qt.Key.Key_Return)
        assert overlay.prompt.text() == ""

        def replied() -> bool:
            return any(
                e.role is Role.MODEL and not e.open and "what is on my screen" in e.text
                for e in window.model.transcript.entries
            )

        await eventually(replied)
        assert "what is on my screen" in overlay.reply_text()
        # The last frame before the question is the sharp one (native 1920 px, not 1024).
        kinds = connection.received_kinds
        text_at = max(i for i, m in enumerate(connection.received) if "clientContent" in m)
        frames = [
            (i, m["realtimeInput"]["video"]["data"])
            for i, m in enumerate(connection.received)
            if kinds[i] == "realtimeInput.video"
        ]
        before = [data for i, data in frames if i < text_at]
        assert before and jpeg_width(before[-1]) == 1920
        assert all(jpeg_width(d) <= 1024 for d in before[:-1])

        qtbot.keyClick(overlay.prompt, Qt.Key.Key_Escape)
        assert not overlay.isVisible()


async def test_it_comes_back_where_it_was_left_with_its_opacity_and_click_through(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, desktop: None
) -> None:
    prefs = local_prefs(live_server.url, overlay_opacity=0.6, overlay_click_through=True)
    async with open_window(qtbot, store, prefs) as window:
        overlay = window.desktop.overlay
        overlay.open()
        await eventually(overlay.isVisible)
        assert overlay.windowOpacity() == pytest.approx(0.6, abs=0.01)
        assert overlay.click_through  # clicks go to what is below
        overlay.move(300, 500)
        await eventually(lambda: overlay.pos().x() == 300 and overlay.pos().y() == 500)
        overlay.hide()
        overlay.open(focus_prompt=True)  # typing needs input: click-through lifted meanwhile
        assert not overlay.click_through
        assert (overlay.x(), overlay.y()) == (300, 500)
        overlay.hide()
        # A new run (a new overlay on the same settings) puts it back there too.
        again = QtOverlay(window.model, QtPrefsStore(store), mic_on=lambda: False)
        qtbot.addWidget(again)
        again.open()
        await eventually(again.isVisible)
        assert (again.x(), again.y()) == (300, 500)
        again.close()
