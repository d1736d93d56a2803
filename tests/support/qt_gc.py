"""For tests with Qt objects and worker threads: collect cycles on the test's (GUI) thread
only, as the app does (liveview/ui/gc_policy.py), so that no worker ever deletes a Qt object."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def cycles_collected_on_the_gui_thread() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        # A socket the test left to the collector (an X connection in a cycle) says so with a
        # ResourceWarning from its finaliser; that is the test's tidiness, not the app's.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        gc.enable()
