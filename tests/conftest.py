"""One QApplication for the whole test run, made before anything else can make one.

The audio layer creates a bare QCoreApplication when none exists (headless mode needs one);
if an audio test ran first, pytest-qt's widget tests would then find the wrong kind of
application object. Making the QApplication up front serves both.
"""

from __future__ import annotations

import os

import pytest

_app: object = None


def pytest_configure(config: pytest.Config) -> None:
    global _app
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    _app = QApplication.instance() or QApplication([])


@pytest.fixture
def tray_host():  # type: ignore[no-untyped-def]
    """A system-tray host (trayer) on the test display, for tray-icon tests; stopped after."""
    from tests.desktop.x11 import tray_host as start_tray_host

    with start_tray_host() as process:
        yield process


@pytest.fixture
def desktop() -> None:
    """The test display has a window manager (openbox from scripts/test-env.sh): a test that
    needs one fails, saying how to start it, rather than passing on a bare X server."""
    from tests.desktop.x11 import window_manager_running

    assert window_manager_running(), (
        f"no window manager on DISPLAY={os.environ.get('DISPLAY')}: source scripts/test-env.sh "
        "(it starts openbox), or run `openbox --sm-disable &` on that display"
    )
