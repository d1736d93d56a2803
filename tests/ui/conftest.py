"""GUI tests: pytest-qt widgets on a qasync loop (the app's own loop), a real X display (Xvfb),
and a real local Live server on loopback in its own thread."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync  # after PySide6
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from liveview.server import LocalLiveServer
from tests.support.qt_gc import cycles_collected_on_the_gui_thread  # noqa: F401 (autouse)

WAIT_TIMEOUT_S = 20.0


def pytest_asyncio_loop_factories(config: Any, item: Any) -> dict[str, Callable[[], Any]]:
    def factory() -> asyncio.AbstractEventLoop:
        app = QApplication.instance() or QApplication(["liveview-tests"])
        # The loop ends when the test does; a closed window must not stop it (as in the app).
        app.setQuitOnLastWindowClosed(False)
        return qasync.QEventLoop(app)

    return {"qasync": factory}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not os.environ.get("DISPLAY") and os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        skip = pytest.mark.skip(reason="no X display: run the tests through scripts/test-env.sh")
        for item in items:
            if "tests/ui" in str(item.path):
                item.add_marker(skip)


@pytest.fixture
def store(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "liveview.ini"), QSettings.Format.IniFormat)


@pytest.fixture(scope="module")
def live_server() -> Iterator[LocalLiveServer]:
    # Spoken replies (read through their transcript) at real time: a second turn reliably
    # lands mid-reply.
    server = LocalLiveServer(use_espeak=False)
    server.start_in_thread()
    try:
        yield server
    finally:
        server.stop_thread()
