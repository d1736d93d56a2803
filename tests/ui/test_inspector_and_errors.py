"""The protocol inspector never shows the key; errors arrive as a banner with a fix."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from liveview.core.prefs import Prefs
from liveview.core.transcript import Role
from liveview.server import LocalLiveServer
from liveview.ui.banner import ACTION_SETTINGS
from tests.support.waiting import eventually
from tests.support.window import open_window

pytestmark = pytest.mark.x11

FAKE_KEY = "AIzaFAKE-key-for-the-inspector-test-0123456789"


@pytest.fixture(scope="module")
def keyed_server() -> Iterator[LocalLiveServer]:
    server = LocalLiveServer(api_key=FAKE_KEY, use_espeak=False)
    server.start_in_thread()
    try:
        yield server
    finally:
        server.stop_thread()


def custom_prefs(server: LocalLiveServer) -> Prefs:
    return Prefs(
        backend="custom", url=server.url, audio_replies=False, mic_enabled=False, source="test"
    )


async def test_the_inspector_never_contains_the_key(
    qtbot: Any, store: QSettings, keyed_server: LocalLiveServer
) -> None:
    prefs = custom_prefs(keyed_server)
    async with open_window(qtbot, store, prefs, keys=lambda: (FAKE_KEY, "environment")) as window:
        window.actions_by_name["Protocol inspector"].trigger()
        assert window.inspector.isVisible()
        window.model.send_text("inspect this")
        await eventually(
            lambda: any(
                e.role is Role.MODEL and not e.open for e in window.model.transcript.entries
            )
        )
        await eventually(lambda: "realtimeInput.video" in window.inspector.kinds)
        cells = window.inspector.all_text()
        kinds = {row[2] for row in window.inspector.model.rows}
        assert {"setup", "setupComplete", "clientContent", "serverContent"} <= kinds
        assert {"→ out", "← in"} <= {row[1] for row in window.inspector.model.rows}
        assert all(FAKE_KEY not in cell for cell in cells)
        assert all(FAKE_KEY[:12] not in cell for cell in cells)
        # Filtering by type shows only that type.
        window.inspector.filter.setCurrentText("setup")
        shown = {
            window.inspector.proxy.index(r, 2).data()
            for r in range(window.inspector.proxy.rowCount())
        }
        assert shown == {"setup"}
        # The key really was used: the server required it and the session went live.
        assert keyed_server.connections[-1].setup is not None


async def test_a_bad_key_shows_a_banner_that_opens_settings(
    qtbot: Any, store: QSettings, keyed_server: LocalLiveServer
) -> None:
    prefs = custom_prefs(keyed_server)
    async with open_window(qtbot, store, prefs, keys=lambda: ("wrong-key", "keychain")) as window:
        window.toggle_session()
        # (An audio notice may come first; the failure replaces it.)
        await eventually(
            lambda: window.banner.message is not None and window.banner.message.level == "error"
        )
        message = window.banner.message
        assert message is not None and window.banner.isVisible()
        assert "key" in message.text.lower()
        assert message.action == ACTION_SETTINGS
        assert window.status.state.text() == "● error"
        window.banner.action_button.click()
        dialog = window.findChild(type(window.open_settings()))
        assert dialog is not None and dialog.isVisible()
        assert all("wrong-key" not in cell for cell in window.inspector.all_text())
