"""The main window on a real display, against the real local server over loopback."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt

from liveview.core.prefs import Prefs
from liveview.core.transcript import Role
from liveview.server import LocalLiveServer
from tests.support.waiting import eventually
from tests.support.window import local_prefs, open_window

pytestmark = pytest.mark.x11


async def test_window_builds_with_every_part(qtbot: Any, store: QSettings) -> None:
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        assert window.isVisible()
        assert window.windowTitle() == "liveview"
        assert window.inspector.isHidden()  # the inspector is hidden by default
        assert window.banner.isHidden()
        assert window.controls.start_button.text() == "Start session"
        assert not any(
            light.live
            for light in (
                window.controls.live_screen,
                window.controls.live_camera,
                window.controls.live_mic,
            )
        )
        labels = [window.sources.item(i).text() for i in range(window.sources.count())]
        assert "Test pattern" in labels and "No video" in labels
        assert window.actions_by_name["Protocol inspector"].shortcut().toString() == "F12"


async def test_picking_sources_updates_the_preview(qtbot: Any, store: QSettings) -> None:
    async with open_window(qtbot, store, Prefs(source="none")) as window:
        await window.sources.refresh()
        labels = [window.sources.item(i).text() for i in range(window.sources.count())]
        assert "Screen 1" in labels  # Xvfb's monitor, with a thumbnail
        window.sources.choose("test")
        await eventually(lambda: window.preview.updates > 0)
        image = window.preview.image
        assert image is not None and 0 < image.width() <= 320
        # The test pattern's top-left bar is white-ish; a screen grab of Xvfb's desktop is not.
        test_pixel = image.pixelColor(5, image.height() // 3)
        assert test_pixel.lightness() > 200
        seen = window.preview.updates
        window.sources.choose("screen:1")
        await eventually(
            lambda: window.model.video.kind == "screen" and window.preview.updates > seen
        )
        assert window.model.prefs.source == "screen:1"  # remembered for the next launch
        window.sources.choose("none")
        await eventually(lambda: window.preview.image is None)
        assert window.preview.text() == "No video source"


async def test_a_session_streams_text_into_the_panel(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer
) -> None:
    async with open_window(qtbot, store, local_prefs(live_server.url, source="test")) as window:
        qtbot.mouseClick(window.controls.start_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: window.controls.live_camera.live)
        assert window.status.state.text() == "● live"
        qtbot.keyClicks(window.conversation.input, "hello from the panel")
        qtbot.keyClick(window.conversation.input, Qt.Key.Key_Return)
        assert window.conversation.input.text() == ""

        def replied() -> bool:
            return any(
                e.role is Role.MODEL and not e.open and "hello from the panel" in e.text
                for e in window.model.transcript.entries
            )

        await eventually(replied)
        text = window.conversation.plain_text()
        assert "You" in text and "hello from the panel" in text
        assert 'You typed "hello from the panel"' in text  # the model's streamed reply
        await eventually(lambda: window.status.tokens.text() != "0 tokens")
        qtbot.mouseClick(window.controls.start_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: not window.model.running)
        assert window.status.state.text() == "● ended"
        assert not window.controls.live_camera.live


async def test_a_second_turn_mid_reply_marks_the_reply_cut_off(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer
) -> None:
    async with open_window(qtbot, store, local_prefs(live_server.url)) as window:
        long_turn = "please repeat " + " ".join(f"word{i}" for i in range(30))
        window.model.send_text(long_turn)

        def reply_streaming() -> bool:
            return any(
                e.role is Role.MODEL and e.open and e.text for e in window.model.transcript.entries
            )

        await eventually(reply_streaming)
        qtbot.keyClicks(window.conversation.input, "stop, a new question")
        qtbot.keyClick(window.conversation.input, Qt.Key.Key_Return)
        await eventually(lambda: any(e.interrupted for e in window.model.transcript.entries))
        first = next(e for e in window.model.transcript.entries if e.role is Role.MODEL)
        assert first.interrupted
        assert "cut off by you" in window.conversation.plain_text()


async def test_the_push_to_talk_key_sends_activity_start_and_end(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer
) -> None:
    prefs = local_prefs(live_server.url, push_to_talk=True, ptt_key="F8")
    async with open_window(qtbot, store, prefs) as window:
        assert window.controls.ptt_button.isVisibleTo(window)
        window.toggle_session()
        await eventually(
            lambda: window.model.controller is not None and window.model.controller.connected
        )
        connection = live_server.connections[-1]
        qtbot.keyPress(window.conversation.input, Qt.Key.Key_F8)
        await eventually(lambda: "realtimeInput.activityStart" in connection.received_kinds)
        assert "realtimeInput.activityEnd" not in connection.received_kinds
        qtbot.keyRelease(window.conversation.input, Qt.Key.Key_F8)
        await eventually(lambda: "realtimeInput.activityEnd" in connection.received_kinds)
        # The held key never typed into the box.
        assert window.conversation.input.text() == ""
