"""Real X clients for desktop tests: application windows in their own processes, a private
X server with or without a window manager, and a tray host (trayer)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.support.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_S = 20.0


def window_manager_running(env: dict[str, str] | None = None) -> bool:
    """An EWMH window manager owns a live _NET_SUPPORTING_WM_CHECK window."""
    run_env = env if env is not None else dict(os.environ)
    out = subprocess.run(
        ["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"],
        capture_output=True,
        text=True,
        env=run_env,
        check=False,
    ).stdout
    if "window id" not in out:
        return False
    wid = out.split()[-1]
    check = subprocess.run(
        ["xprop", "-id", wid, "_NET_WM_NAME"], capture_output=True, env=run_env, check=False
    )
    return check.returncode == 0


class AppWindow:
    """tests/desktop/app_window.py in a subprocess: a decorated, managed application window."""

    def __init__(
        self,
        title: str,
        x: int,
        y: int,
        width: int,
        height: int,
        *,
        seed: int = 0,
        wm_class: str = "liveview-test-app",
        env: dict[str, str] | None = None,
    ) -> None:
        run_env = dict(env if env is not None else os.environ)
        run_env["PYTHONPATH"] = str(REPO)
        run_env.pop("QT_QPA_PLATFORM", None)
        self.title = title
        self.process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "tests.desktop.app_window", "--title", title),
                *("--geometry", f"{width}x{height}+{x}+{y}", "--seed", str(seed)),
                *("--class", wm_class),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=run_env,
            cwd=REPO,
        )
        line = self._read_line(READY_TIMEOUT_S)
        if not line.startswith("ready "):
            self.process.kill()
            self.process.wait(5)
            self.close()
            raise AssertionError(f"the test window did not start: {line!r}")
        self.window_id = int(line.split()[1])
        self.pid = self.process.pid

    def _read_line(self, timeout_s: float) -> str:
        import selectors

        assert self.process.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.process.stdout, selectors.EVENT_READ)
            if not sel.select(timeout_s):
                return "<timeout>"
        return self.process.stdout.readline().strip()

    def command(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()
        reply = self._read_line(10.0)
        assert reply == "ok", f"{text!r} -> {reply!r}"

    def move(self, x: int, y: int) -> None:
        self.command(f"move {x} {y}")

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(Exception):
                self.command("close")
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> AppWindow:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@contextlib.contextmanager
def private_display(*, with_wm: bool) -> Iterator[dict[str, str]]:
    """A private Xvfb (and openbox when asked): an environment for child processes, and for
    this process through DISPLAY. Restores DISPLAY afterwards."""
    number = _free_display_number()
    server = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = dict(os.environ, DISPLAY=f":{number}")
    wm: subprocess.Popen[bytes] | None = None
    try:
        ready = wait_until(
            lambda: (
                subprocess.run(["xdpyinfo"], capture_output=True, env=env, check=False).returncode
                == 0
            ),
            timeout_s=10,
        )
        assert ready, "the private Xvfb did not start"
        if with_wm:
            wm = start_openbox(env)
        yield env
    finally:
        for process in (wm, server):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()


def start_openbox(env: dict[str, str]) -> subprocess.Popen[bytes]:
    assert shutil.which("openbox"), "openbox is not installed: scripts/setup-system.sh test"
    process = subprocess.Popen(
        ["openbox", "--sm-disable"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    assert wait_until(lambda: window_manager_running(env), timeout_s=10), "openbox did not start"
    return process


def _free_display_number() -> int:
    for number in range(120, 200):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            return number
    raise AssertionError("no free X display number")


@contextlib.contextmanager
def tray_host(env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """trayer, a freedesktop system-tray host, on the display: it owns _NET_SYSTEM_TRAY_S0
    while it runs, so QSystemTrayIcon.isSystemTrayAvailable() becomes true."""
    assert shutil.which("trayer"), "trayer is not installed: scripts/setup-system.sh test"
    run_env = dict(env if env is not None else os.environ)
    process = subprocess.Popen(
        [
            "trayer",
            *("--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "120"),
            *("--height", "24", "--SetDockType", "true", "--transparent", "false"),
        ],
        env=run_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        owned = wait_until(lambda: _tray_owned(run_env), timeout_s=10)
        assert owned, "trayer did not take the system tray selection"
        yield process
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()


def _tray_owned(env: dict[str, str]) -> bool:
    code = (
        "import sys; from Xlib import display; d = display.Display(); "
        "a = d.intern_atom('_NET_SYSTEM_TRAY_S%d' % d.get_default_screen()); "
        "sys.exit(0 if d.get_selection_owner(a) else 1)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=False)
    return result.returncode == 0
