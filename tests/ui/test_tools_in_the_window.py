"""The model's functions in the window: a zoom is answered and shown, a source switch can be
undone, and forbidding switches takes effect at once."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QSettings, Qt

from liveview.core.transcript import Role
from liveview.server import LocalLiveServer
from tests.support.waiting import eventually
from tests.support.window import local_prefs, open_window


def tool_entries(window: Any) -> list[Any]:
    return [e for e in window.model.transcript.entries if e.role is Role.TOOL]


async def type_turn(qtbot: Any, window: Any, text: str) -> None:
    qtbot.keyClicks(window.conversation.input, text)
    qtbot.keyClick(window.conversation.input, Qt.Key.Key_Return)


async def test_zoom_and_an_undoable_source_switch(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer
) -> None:
    prefs = local_prefs(live_server.url, source="test", functions=True)
    async with open_window(qtbot, store, prefs) as window:
        qtbot.mouseClick(window.controls.start_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: window.controls.live_camera.live)
        await type_turn(qtbot, window, "zoom 10 20 300 200")
        await eventually(lambda: tool_entries(window) and "answer" in tool_entries(window)[0].meta)
        zoom = tool_entries(window)[0]
        assert zoom.text.startswith("zoom_to_region(")
        assert "zoom_to_region" in window.conversation.plain_text()

        await type_turn(qtbot, window, "switch to screen:1")
        # The banner follows once the new source delivers (the switch is done then).
        await eventually(lambda: "switched the video" in window.banner.label.text())
        assert window.model.video.spec == "screen:1" and window.banner.isVisible()
        qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: window.model.video.spec == "test")

        # Forbidden from now on, without a new session.
        window.model.update_prefs(replace(window.model.prefs, allow_source_switch=False))
        await type_turn(qtbot, window, "switch to screen:1")
        await eventually(
            lambda: len(tool_entries(window)) >= 3 and "answer" in tool_entries(window)[2].meta
        )
        assert "error" in tool_entries(window)[2].meta["answer"]
        assert window.model.video.spec == "test"
        qtbot.mouseClick(window.controls.start_button, Qt.MouseButton.LeftButton)
        await eventually(lambda: not window.model.running)
