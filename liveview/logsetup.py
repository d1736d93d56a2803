"""Logging to a rotating file in the platform's log folder, and the last-resort exception hook.

The frozen app has no console: a crash that only printed a traceback to stderr would vanish.
`install()` sends every log record to a rotating file, writes any uncaught exception there whole
(main thread and other threads), keeps a C-level fault log for hard crashes, and then shows the
user a dialog naming the log file.

The dialog belongs to the UI (only `liveview/ui` imports QtWidgets): it registers one with
`register_crash_dialog(callback)`. Without one, and when the UI has already created a
QApplication, a plain message box is shown through the Qt modules the UI loaded (this module never
imports Qt itself, so the headless mode and the tools stay Qt-free).

    from liveview import logsetup
    log_path = logsetup.install("liveview")

Folders (what platformdirs would pick, without the dependency):
  Linux    $XDG_STATE_HOME/<app>/log   (default ~/.local/state/<app>/log)
  macOS    ~/Library/Logs/<app>
  Windows  %LOCALAPPDATA%\\<app>\\Logs
`LIVEVIEW_LOG_DIR` overrides all of them (tests, portable installs).
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

LOG_DIR_ENV = "LIVEVIEW_LOG_DIR"
LOG_FILE_MAX_BYTES = 2 * 1024 * 1024
LOG_FILE_BACKUPS = 5
LOG_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

# (summary for the user, log file) -> None. Called on the thread that crashed: a UI callback
# must hand over to the GUI thread itself (a queued signal) when it is not already there.
CrashDialog = Callable[[str, Path], None]

log = logging.getLogger(__name__)

_lock = threading.Lock()
_state: dict[str, Any] = {
    "handler": None,  # the RotatingFileHandler install() added
    "path": None,  # Path of the current log file
    "fault_file": None,  # the open file faulthandler writes to (kept open on purpose)
    "dialog": None,  # the registered CrashDialog
    "showing": False,  # a dialog is up: a crash inside it must not open another
}


def log_dir(app_name: str) -> Path:
    """The folder this platform keeps application logs in (not created here)."""
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / app_name / "Logs"
    if sys.platform == "darwin":
        return home / "Library" / "Logs" / app_name
    state = os.environ.get("XDG_STATE_HOME") or str(home / ".local" / "state")
    return Path(state) / app_name / "log"


def _writable_dir(preferred: Path, app_name: str) -> Path:
    # A read-only home (kiosk, sandbox) must not stop the app: fall back to the temp folder.
    for candidate in (preferred, Path(tempfile.gettempdir()) / f"{app_name}-logs"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            probe = candidate / ".write-test"
            probe.write_text("")
            probe.unlink()
            return candidate
        except OSError:
            continue
    raise OSError(f"no writable log folder ({preferred} and the temp folder both failed)")


def install(app_name: str = "liveview", *, level: int = logging.INFO) -> Path:
    """Log to `<log_dir>/<app_name>.log` (rotating) and install the exception hooks.

    Idempotent: a second call keeps the first file. Returns the log file's path.
    """
    with _lock:
        if _state["path"] is not None:
            return Path(_state["path"])
        folder = _writable_dir(log_dir(app_name), app_name)
        path = folder / f"{app_name}.log"
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_FILE_MAX_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.setLevel(level)
        root = logging.getLogger()
        if root.level > level or root.level == logging.NOTSET:
            # The file wants INFO; the console handlers already there (basicConfig's) keep the
            # level they showed before, so the terminal does not get chattier.
            for existing in root.handlers:
                if existing.level == logging.NOTSET:
                    existing.setLevel(root.level or logging.WARNING)
            root.setLevel(level)
        root.addHandler(handler)
        _state["handler"] = handler
        _state["path"] = path
        _enable_fault_log(folder / f"{app_name}-faults.log")
        sys.excepthook = _excepthook
        threading.excepthook = _thread_excepthook
    log.info("%s started (pid %d); log file %s", app_name, os.getpid(), path)
    return path


def log_path() -> Path | None:
    """The file install() logs to, or None before install()."""
    path = _state["path"]
    return Path(path) if path is not None else None


def uninstall() -> None:
    """Undo install() (tests, and an embedding program that wants its own hooks back)."""
    with _lock:
        handler = _state["handler"]
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()
        if _state["fault_file"] is not None:
            faulthandler.disable()
            _state["fault_file"].close()
        if sys.excepthook is _excepthook:
            sys.excepthook = sys.__excepthook__
        if threading.excepthook is _thread_excepthook:
            threading.excepthook = threading.__excepthook__
        _state.update(handler=None, path=None, fault_file=None, dialog=None, showing=False)


def register_crash_dialog(callback: CrashDialog | None) -> None:
    """The UI's dialog for unexpected exceptions (None: back to the built-in fallback)."""
    _state["dialog"] = callback


def _enable_fault_log(path: Path) -> None:
    # Segfaults and aborts in native code (Qt, OpenCV, WebRTC) never reach sys.excepthook.
    try:
        fault_file: TextIO = open(path, "a", encoding="utf-8")  # noqa: SIM115 -- lives on
    except OSError:
        return
    faulthandler.enable(file=fault_file, all_threads=True)
    _state["fault_file"] = fault_file


def crash_summary(exc_type: type[BaseException], exc: BaseException) -> str:
    """One line a user can read and quote: the exception, never the whole traceback."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc_type.__name__}: {text}" if text else exc_type.__name__


def report_exception(
    exc_type: type[BaseException],
    exc: BaseException,
    tb: TracebackType | None,
    *,
    where: str = "main thread",
) -> None:
    """Write the whole traceback to the log (and stderr when there is one), then tell the user."""
    formatted = "".join(traceback.format_exception(exc_type, exc, tb))
    logging.getLogger("liveview.crash").critical(
        "unexpected exception in %s:\n%s", where, formatted
    )
    if sys.stderr is not None:  # a windowed frozen app on Windows has no stderr at all
        try:
            sys.stderr.write(formatted)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
    _show_dialog(crash_summary(exc_type, exc))


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    report_exception(exc_type, exc, tb)


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "a thread"
    report_exception(args.exc_type, args.exc_value, args.exc_traceback, where=f"thread {name}")


def _show_dialog(summary: str) -> None:
    path = log_path()
    if path is None or _state["showing"]:
        return
    _state["showing"] = True
    try:
        callback: CrashDialog | None = _state["dialog"]
        if callback is not None:
            callback(summary, path)
        elif threading.current_thread() is threading.main_thread():
            _fallback_dialog(summary, path)
    except Exception:  # the dialog itself failed: the log already holds the crash
        logging.getLogger("liveview.crash").exception("the crash dialog failed")
    finally:
        _state["showing"] = False


def crash_message(summary: str, path: Path) -> str:
    """The text of the crash dialog (shared with the UI's own dialog)."""
    return (
        "liveview hit an unexpected error and may not work properly until it is restarted.\n\n"
        f"{summary}\n\n"
        f"The details were written to:\n{path}\n\n"
        "Please attach that file when you report the problem."
    )


def _fallback_dialog(summary: str, path: Path) -> None:
    # Only Qt modules already loaded by the UI; importing Qt here would load it into tools that
    # never asked for it.
    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is None or widgets.QApplication.instance() is None:
        return
    widgets.QMessageBox.critical(None, "liveview: unexpected error", crash_message(summary, path))
