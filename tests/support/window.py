"""The main window on a real X display, as the tests open it: a real app model, a settings store
in a temporary INI file, and no API key unless the test gives one."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QSettings

from liveview.core.app_model import AppModel
from liveview.core.prefs import Prefs
from liveview.ui.main_window import QtMainWindow
from liveview.ui.prefs_store import QtPrefsStore

KeyProvider = Callable[[], tuple[str | None, str]]


def no_key() -> tuple[str | None, str]:
    return None, ""


def local_prefs(url: str, **overrides: Any) -> Prefs:
    """The built-in server's rules at `url`, text replies, no microphone, no video."""
    base = Prefs(backend="local", url=url, audio_replies=False, mic_enabled=False, source="none")
    return Prefs(**{**base.__dict__, **overrides})


@contextlib.asynccontextmanager
async def open_window(
    qtbot: Any, store: QSettings, prefs: Prefs, keys: KeyProvider = no_key
) -> AsyncIterator[QtMainWindow]:
    prefs_store = QtPrefsStore(store)
    model = AppModel(prefs, prefs_store.save, keys=keys)
    window = QtMainWindow(model, prefs_store)
    model.start_background()
    window.show()
    try:
        await window.select_source(prefs.source, prefs.region)
        yield window
    finally:
        window.quit()  # a real quit: closing during a session may hide to the tray
        await model.aclose()
        # Deleted here, on the GUI thread. Left to Python, the window (a reference cycle: its
        # widgets subscribe to the model's bus) is freed by the cyclic GC on whatever thread
        # runs it next, e.g. the local server's OCR thread; a QObject deleted off the GUI
        # thread leaves its active timers registered, and the next test segfaults on one.
        shiboken6.delete(window)
