"""liveview.logsetup in a real process: the log file, whole tracebacks from the main thread and
other threads, the UI's crash dialog hook, rotation."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from liveview import logsetup

ROOT = Path(__file__).resolve().parents[2]

CRASHING_APP = textwrap.dedent(
    """
    import logging, sys, threading
    from pathlib import Path
    from liveview import logsetup

    path = logsetup.install("liveview")
    print(path)
    dialogs = Path(sys.argv[1])
    logsetup.register_crash_dialog(
        lambda summary, log: dialogs.open("a").write(f"{summary}|{log}\\n")
    )
    logging.getLogger("liveview.demo").info("hello from the app")

    def worker():
        raise RuntimeError("boom in a worker")

    thread = threading.Thread(target=worker, name="capture-thread")
    thread.start()
    thread.join()

    def deep():
        raise ValueError("the last straw")

    deep()
    """
)


def test_crashes_are_logged_whole_and_shown(tmp_path: Path) -> None:
    dialogs = tmp_path / "dialogs.txt"
    script = tmp_path / "crashing_app.py"  # a file, so the traceback can show source lines
    script.write_text(CRASHING_APP, encoding="utf-8")
    env = {**os.environ, "LIVEVIEW_LOG_DIR": str(tmp_path / "logs"), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(script), str(dialogs)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1  # the uncaught exception still ends the process
    log_file = Path(result.stdout.splitlines()[0])
    assert log_file == tmp_path / "logs" / "liveview.log"
    text = log_file.read_text(encoding="utf-8")
    assert "hello from the app" in text
    assert "unexpected exception in thread capture-thread" in text
    assert "RuntimeError: boom in a worker" in text
    assert "unexpected exception in main thread" in text
    # the whole traceback, down to the function that raised
    assert 'in deep\n    raise ValueError("the last straw")' in text
    assert dialogs.read_text().splitlines() == [
        f"RuntimeError: boom in a worker|{log_file}",
        f"ValueError: the last straw|{log_file}",
    ]
    assert "ValueError: the last straw" in result.stderr  # and still on the console


def test_platform_log_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(logsetup.LOG_DIR_ENV, raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(sys, "platform", "linux")
    assert logsetup.log_dir("liveview") == tmp_path / "state" / "liveview" / "log"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert logsetup.log_dir("liveview") == Path.home() / "Library" / "Logs" / "liveview"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert logsetup.log_dir("liveview") == tmp_path / "local" / "liveview" / "Logs"


def test_unwritable_folder_falls_back_to_temp(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the folder should be")
    folder = logsetup._writable_dir(blocker / "logs", "liveview-test")
    assert folder != blocker / "logs" and folder.is_dir()


def test_log_rotates_at_its_size_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import logging
        from liveview import logsetup
        logsetup.LOG_FILE_MAX_BYTES = 20_000
        path = logsetup.install("liveview")
        for i in range(2_000):
            logging.getLogger("liveview.demo").info("line %d %s", i, "x" * 40)
        """
    )
    env = {**os.environ, "LIVEVIEW_LOG_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=60)
    files = sorted(p.name for p in tmp_path.glob("liveview.log*"))
    assert files[:2] == ["liveview.log", "liveview.log.1"]
    assert len(files) == logsetup.LOG_FILE_BACKUPS + 1  # old ones are deleted, not kept forever
    assert all(p.stat().st_size <= 20_000 + 200 for p in tmp_path.glob("liveview.log*"))


def test_console_stays_as_quiet_as_before(tmp_path: Path) -> None:
    code = textwrap.dedent(
        """
        import logging
        from liveview import logsetup
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
        logsetup.install("liveview")
        logging.getLogger("liveview.demo").info("only in the file")
        logging.getLogger("liveview.demo").warning("in both")
        """
    )
    env = {**os.environ, "LIVEVIEW_LOG_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True, timeout=60)  # fmt: skip
    assert "in both" in result.stderr and "only in the file" not in result.stderr
    text = (tmp_path / "liveview.log").read_text(encoding="utf-8")
    assert "only in the file" in text and "in both" in text
