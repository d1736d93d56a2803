"""The tray host the tray tests use: trayer takes the freedesktop system-tray selection on the
test display, so Qt sees a system tray while it runs, and none after."""

from __future__ import annotations

import subprocess

import pytest

from tests.desktop.x11 import tray_host
from tests.support.waiting import wait_until as wait_for

pytestmark = pytest.mark.x11


def test_qt_sees_a_system_tray_while_trayer_runs(desktop: None, qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QSystemTrayIcon

    assert not QSystemTrayIcon.isSystemTrayAvailable()
    with tray_host() as process:
        assert wait_for(QSystemTrayIcon.isSystemTrayAvailable, timeout_s=5)
        assert process.poll() is None
    assert process.returncode is not None
    names = subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], capture_output=True)
    assert names.returncode == 0  # the window manager is still there
