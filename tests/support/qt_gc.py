"""For tests with Qt objects and worker threads: collect cycles on the test's (GUI) thread
only, as the app does (liveview/ui/gc_policy.py), so that no worker ever deletes a Qt object."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def cycles_collected_on_the_gui_thread() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.enable()
