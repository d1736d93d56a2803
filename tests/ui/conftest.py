"""GUI tests: pytest-qt widgets on a qasync loop (the app's own loop), a real X display (Xvfb),
and a real local Live server on loopback in its own thread."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import qasync  # after PySide6
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from liveview.server import LocalLiveServer
from liveview.ui.main_window import QtMainWindow
from liveview.ui.prefs import Prefs
from liveview.ui.window_model import WindowModel

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
    # Text replies paced slowly enough that a second turn reliably lands mid-reply.
    server = LocalLiveServer(text_part_interval_s=0.15, use_espeak=False)
    server.start_in_thread()
    try:
        yield server
    finally:
        server.stop_thread()


def no_key() -> tuple[str | None, str]:
    return None, ""


def local_prefs(url: str, **overrides: Any) -> Prefs:
    base = Prefs(backend="local", url=url, audio_replies=False, mic_enabled=False, source="none")
    return Prefs(**{**base.__dict__, **overrides})


@contextlib.asynccontextmanager
async def open_window(
    qtbot: Any, store: QSettings, prefs: Prefs, keys: Callable[[], tuple[str | None, str]] = no_key
) -> AsyncIterator[QtMainWindow]:
    model = WindowModel(prefs, store, keys=keys)
    window = QtMainWindow(model)
    qtbot.addWidget(window)
    model.start_background()
    window.show()
    try:
        await window.select_source(prefs.source, prefs.region)
        yield window
    finally:
        window.close()
        await model.aclose()


async def wait_until(condition: Callable[[], object], timeout_s: float = WAIT_TIMEOUT_S) -> None:
    """Poll on the running (qasync) loop, so Qt and asyncio both keep working meanwhile."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {condition}")
        await asyncio.sleep(0.02)
