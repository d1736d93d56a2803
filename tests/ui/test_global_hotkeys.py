"""The window's global hotkeys under openbox: another application has the focus, xdotool presses
the defaults, and the local server's record shows the effect (a sharp frame, video stopping and
resuming, activity start and end). A key another client holds is said in Settings and F1."""

from __future__ import annotations

import asyncio
import base64
import subprocess
from collections.abc import Iterator
from typing import Any

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSettings
from Xlib import XK, X, display

from liveview.desktop.hotkeys import HotkeyAction
from liveview.errors import Setting
from liveview.server import LocalLiveServer
from liveview.ui.actions import shortcuts_text
from tests.desktop.x11 import AppWindow
from tests.support.waiting import eventually
from tests.support.window import local_prefs, open_window

pytestmark = pytest.mark.x11


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True)


def active_window() -> int:
    out = subprocess.run(["xdotool", "getactivewindow"], capture_output=True, text=True)
    return int(out.stdout.strip())


@pytest.fixture
def other_app(desktop: None) -> Iterator[AppWindow]:
    with AppWindow("some other application", 1300, 600, 400, 300, seed=3) as window:
        yield window


def focus(window: AppWindow) -> None:
    xdotool("windowactivate", "--sync", str(window.window_id))
    assert active_window() == window.window_id


def frame_widths(connection: Any) -> list[int]:
    widths = []
    for message in connection.received:
        video = message.get("realtimeInput", {}).get("video")
        if video:
            data = np.frombuffer(base64.b64decode(video["data"]), np.uint8)
            widths.append(cv2.imdecode(data, cv2.IMREAD_COLOR).shape[1])
    return widths


async def test_defaults_work_while_another_application_has_the_focus(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, other_app: AppWindow
) -> None:
    prefs = local_prefs(live_server.url, source="screen:1", push_to_talk=True, fps=1.0)
    async with open_window(qtbot, store, prefs) as window:
        await window.desktop.start()
        assert window.desktop.hotkeys.problems() == {}
        window.toggle_session()
        await eventually(lambda: window.model.runtime is not None and window.model.runtime.live)
        connection = live_server.connections[-1]
        await eventually(lambda: len(frame_widths(connection)) >= 1)
        assert max(frame_widths(connection)) <= 1024  # regular frames: max_side 1024
        focus(other_app)

        # Ctrl+Alt+S: a sharp snapshot (the snapshot settings: native 1920 px) arrives now.
        await asyncio.to_thread(xdotool, "key", "ctrl+alt+s")
        await eventually(lambda: 1920 in frame_widths(connection))
        assert active_window() == other_app.window_id  # the focus never moved

        # Ctrl+Alt+P: video stops; again: it resumes.
        await asyncio.to_thread(xdotool, "key", "ctrl+alt+p")
        await eventually(lambda: window.model.video.paused)
        assert window.controls.pause_button.isChecked()
        await asyncio.sleep(0.3)
        sent = len(frame_widths(connection))
        await asyncio.sleep(2.5)  # 1 frame/s and a keep-alive would have sent 2 by now
        assert len(frame_widths(connection)) == sent
        await asyncio.to_thread(xdotool, "key", "ctrl+alt+p")
        await eventually(lambda: len(frame_widths(connection)) > sent)
        assert not window.controls.pause_button.isChecked()

        # Ctrl+Alt+T held: push-to-talk's activityStart, then activityEnd at the release.
        await asyncio.to_thread(xdotool, "keydown", "ctrl+alt+t")
        await eventually(lambda: "realtimeInput.activityStart" in connection.received_kinds)
        assert "realtimeInput.activityEnd" not in connection.received_kinds
        await asyncio.sleep(0.6)  # longer than a tap
        await asyncio.to_thread(xdotool, "keyup", "ctrl+alt+t")
        await eventually(lambda: "realtimeInput.activityEnd" in connection.received_kinds)

        # Ctrl+Alt+H hides the window (the overlay keeps the session in sight) and brings it
        # back.
        await asyncio.to_thread(xdotool, "key", "ctrl+alt+h")
        await eventually(lambda: not window.isVisible())
        assert window.desktop.overlay.isVisible()
        await asyncio.to_thread(xdotool, "key", "ctrl+alt+h")
        await eventually(window.isVisible)
        window.desktop.overlay.hide()

        # Ctrl+Alt+Space: the overlay's prompt, focused, from another application.
        focus(other_app)
        await asyncio.to_thread(xdotool, "key", "ctrl+alt+space")
        await eventually(lambda: window.desktop.prompt_has_focus())
        assert window.desktop.overlay.isVisible()


class ForeignGrab:
    """Another X client holding Ctrl+Alt+S, as another application would."""

    def __init__(self) -> None:
        self.display = display.Display()
        root = self.display.screen().root
        keycode = self.display.keysym_to_keycode(XK.string_to_keysym("s"))
        mask = X.ControlMask | X.Mod1Mask
        root.grab_key(keycode, mask, False, X.GrabModeAsync, X.GrabModeAsync)
        self.display.sync()

    def close(self) -> None:
        self.display.close()


async def test_a_key_another_application_holds_is_said_in_settings_and_f1(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, desktop: None
) -> None:
    grab = ForeignGrab()
    try:
        async with open_window(qtbot, store, local_prefs(live_server.url)) as window:
            await window.desktop.start()
            problems = window.desktop.hotkeys.problems()
            assert list(problems) == [HotkeyAction.SNAPSHOT]
            assert "taken by another application" in problems[HotkeyAction.SNAPSHOT]
            # Said at once, with a button to Settings...
            assert window.banner.isVisible()
            assert "Ctrl+Alt+S is taken" in window.banner.label.text()
            # ... in Settings, beside the key ...
            dialog = window.open_settings(Setting.HOTKEYS)
            status = dialog.desktop.problem_texts()
            assert status[HotkeyAction.SNAPSHOT].startswith("✗ Ctrl+Alt+S is taken")
            assert status[HotkeyAction.TALK] == "✓ works"
            assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Desktop"
            # ... and choosing another key makes it work.
            dialog.desktop.hotkey_edits[HotkeyAction.SNAPSHOT].setText("ctrl+alt+shift+s")
            assert dialog.desktop.problem_texts()[HotkeyAction.SNAPSHOT] == (
                "tried when you press OK"
            )
            dialog.desktop.hotkey_edits[HotkeyAction.TALK].setText("Ctrl+Alt+Banana")
            assert "'Banana' is not a key" in dialog.desktop.problem_texts()[HotkeyAction.TALK]
            dialog.desktop.hotkey_edits[HotkeyAction.TALK].setText("Ctrl+Alt+T")
            dialog.accept()
            assert window.model.prefs.hotkey_snapshot == "Ctrl+Alt+Shift+S"
            await eventually(lambda: window.desktop.hotkeys.problems() == {})
            # F1 lists every global key.
            text = shortcuts_text("F8", window.desktop.hotkeys.listing())
            for key in ("Ctrl+Alt+Space", "Ctrl+Alt+T", "Ctrl+Alt+Shift+S", "Ctrl+Alt+P"):
                assert key in text
            assert "not working" not in text
    finally:
        grab.close()


def test_f1_says_when_a_global_key_does_not_work() -> None:
    rows = [("Ctrl+Alt+S", "Send a sharp snapshot", "Ctrl+Alt+S is taken by another app")]
    text = shortcuts_text("F8", rows)
    assert "Global hotkeys" in text
    assert "✗ not working: Ctrl+Alt+S is taken by another app" in text
