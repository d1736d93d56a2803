"""Desktop tests run on a real X server with a real window manager (openbox), as users have:
scripts/test-env.sh starts both. Without a display they are skipped like every X test here;
with a display but no window manager they fail, saying how to start one (a missing window
manager must not pass unnoticed: the `desktop` fixture in tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.desktop.x11 import AppWindow
from tests.support.qt_gc import cycles_collected_on_the_gui_thread  # noqa: F401 (autouse)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("DISPLAY"):
        return
    skip = pytest.mark.skip(reason="no X display: run the tests through scripts/test-env.sh")
    for item in items:
        if "tests/desktop" in str(item.path) and "x11" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def app_window(desktop: None) -> Iterator[AppWindow]:
    with AppWindow("liveview test pattern", 400, 300, 480, 320, seed=5) as window:
        yield window
