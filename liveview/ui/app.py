"""`liveview` with no command: the window, on a qasync loop (Qt and asyncio on one thread).

PySide6 is imported before qasync so qasync binds to it. Everything blocking (device probes,
the local server's start, audio device opens, capture, encoding) runs on worker threads.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from liveview.errors import ExitCode
from liveview.ui.resources import RESOURCES

if TYPE_CHECKING:
    from liveview.core.app_model import AppModel
    from liveview.core.history_records import StoredSession
    from liveview.core.prefs import Prefs
    from liveview.ui.prefs_store import QtPrefsStore

log = logging.getLogger(__name__)


APP_NAME = "liveview"
# When set, the time the window was first painted is written here (the startup benchmark).
STARTUP_REPORT_ENV = "LIVEVIEW_STARTUP_REPORT"
# An INI file to use instead of the platform's settings store (tests, benchmarks, portable use).
SETTINGS_FILE_ENV = "LIVEVIEW_SETTINGS_FILE"
SELF_TEST_TIMEOUT_S = 60.0
SELF_TEST_TEXT = "liveview self test: say hello."


def app_icon_path() -> Path:
    return RESOURCES / "icons" / "liveview.svg"


def _report_startup(window: object) -> None:
    target = os.environ.get(STARTUP_REPORT_ENV)
    if target:
        Path(target).write_text(f"{time.time():.6f}\n", encoding="utf-8")


def _install_excepthook() -> None:
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: object) -> None:
        # A slot that raises must not kill the window silently: log it with its traceback.
        log.error("unexpected error", exc_info=(kind, value, tb))  # type: ignore[arg-type]
        if previous is not sys.__excepthook__:
            previous(kind, value, tb)  # type: ignore[arg-type]

    sys.excepthook = hook


def run_app(args: argparse.Namespace) -> int:
    if getattr(args, "self_test", False):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync  # after PySide6: qasync picks the binding already imported
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from liveview.core.prefs import prefs_from_args
    from liveview.ui.prefs_store import QtPrefsStore
    from liveview.ui.theme import apply_system_palette

    app = QApplication.instance() or QApplication([APP_NAME])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setDesktopFileName(APP_NAME)
    # The asyncio main ends when the main window closes; Qt quitting the loop on its own (when
    # some last transient window closes) would stop the loop under running tasks.
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(QIcon(str(app_icon_path())))
    apply_system_palette(app)
    _install_excepthook()
    from liveview.ui.gc_policy import collect_on_gui_thread

    collect_on_gui_thread(app)
    settings_file = os.environ.get(SETTINGS_FILE_ENV)
    if settings_file:
        store = QtPrefsStore(QSettings(settings_file, QSettings.Format.IniFormat))
    else:
        store = QtPrefsStore(QSettings(APP_NAME, APP_NAME))
    from liveview.cli.history import continued_session
    from liveview.errors import LiveViewError, exit_code_for

    try:
        prefs = prefs_from_args(store.load(), args)
        prefs.video_settings()  # --fps etc. out of range: say so now
        prefs.budget_limit()  # --budget that is neither tokens nor dollars
        earlier = continued_session(args)  # --continue ID: an unknown id is exit 2
    except LiveViewError as exc:
        print(f"liveview: {exc.user_message}", file=sys.stderr)
        return exit_code_for(exc)
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(_main(app, store, prefs, args, earlier))


async def _main(
    app: object,
    store: QtPrefsStore,
    prefs: Prefs,
    args: argparse.Namespace,
    earlier: StoredSession | None,
) -> int:
    from liveview.cli.history import history_policy_from_args
    from liveview.core.app_model import AppModel
    from liveview.ui.main_window import QtMainWindow

    self_test = bool(getattr(args, "self_test", False))
    model = AppModel(prefs, store.save)
    model.open_history(history_policy_from_args(args))
    window = QtMainWindow(model, store)
    window.show()
    await asyncio.sleep(0)  # let the first paint happen
    _report_startup(window)
    # Loop lag is measured from here: the first paint (fonts, GL) is start-up, not lag.
    model.start_background()
    startup = model.spawn(window.start_up(), "start-up")
    if earlier is not None:
        model.spawn(model.continue_session(earlier), "continue")
    try:
        if self_test:
            return await _self_test(window, model)
        await window.closed.wait()
        return ExitCode.OK
    finally:
        startup.cancel()
        await model.aclose()


async def _self_test(window: object, model: AppModel) -> int:
    """Offscreen: open a session on the built-in local server, send a turn, wait for the reply."""
    from liveview.core.transcript import Role

    model.send_text(SELF_TEST_TEXT)
    deadline = time.monotonic() + SELF_TEST_TIMEOUT_S
    while time.monotonic() < deadline:
        replies = [e for e in model.transcript.entries if e.role is Role.MODEL and not e.open]
        if replies and replies[-1].text.strip():
            reply = replies[-1].text.strip()[:80]
            print(f"liveview self-test: ok ({model.description}): {reply}")
            return ExitCode.OK
        await asyncio.sleep(0.1)
    notes = [e.text for e in model.transcript.entries if e.role is Role.NOTICE]
    why = " ".join(notes)  # what the session said (no key, no server, ...)
    sys.stderr.write(
        f"liveview self-test: FAILED: no reply in {SELF_TEST_TIMEOUT_S:.0f} s. " + why + "\n"
    )
    return ExitCode.FAILED
