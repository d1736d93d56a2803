"""Privacy masks drawn by the user (issue 13, item 5): Ctrl+Shift+M (or Settings › Desktop) opens
an editor over the shared monitor; a dragged rectangle is blacked out in the frames the local
server receives from then on, is kept in the config folder per monitor, and is shown again the
next time the editor opens. Deleting it shows the screen again; Esc changes nothing; a file
that cannot be read is said and left as it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication

from liveview.capture import privacy
from liveview.capture.screen import MonitorInfo, list_monitors
from liveview.desktop.geometry import Region
from liveview.desktop.windows_x11 import X11WindowLister
from liveview.server import LocalLiveServer
from liveview.ui.privacy_editor import QtPrivacyEditor
from liveview.ui.privacy_masks import masked_monitor
from tests.capture.patterns import make_pattern, psnr
from tests.desktop.x11 import AppWindow
from tests.support.frames import crop, flat, frame_where
from tests.support.waiting import eventually
from tests.support.window import local_prefs, open_window

pytestmark = pytest.mark.x11

DRAWN = Region(200, 220, 400, 300)  # screen pixels; the pattern window covers it
INSIDE = Region(204, 224, 392, 292)  # DRAWN but its edge, where JPEG blocks ring
ELSEWHERE = Region(700, 200, 250, 250)  # also on the pattern, never masked


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "liveview" / privacy.FILE_NAME


def shown_editors() -> list[QtPrivacyEditor]:
    return [
        w for w in QApplication.allWidgets() if isinstance(w, QtPrivacyEditor) and w.isVisible()
    ]


async def shown_editor() -> QtPrivacyEditor:
    await eventually(lambda: len(shown_editors()) == 1)
    return shown_editors()[0]


def client_area(app: AppWindow) -> Region:
    """Where the pattern window's own pixels are (inside the window manager's frame)."""
    with X11WindowLister() as lister:
        info = lister.window(app.window_id)
    assert info is not None
    return info.geometry


def drag(qtbot: Any, editor: QtPrivacyEditor, rect: Region) -> None:
    qtbot.mousePress(editor, Qt.MouseButton.LeftButton, pos=QPoint(rect.x, rect.y))
    qtbot.mouseMove(editor, QPoint(rect.right, rect.bottom))
    qtbot.mouseRelease(editor, Qt.MouseButton.LeftButton, pos=QPoint(rect.right, rect.bottom))


def matches_pattern(frame: Any, pattern: Any, area: Region, rect: Region) -> float:
    local = Region(rect.x - area.x, rect.y - area.y, rect.width, rect.height)
    return psnr(crop(frame, rect), crop(pattern, local))


async def test_a_drawn_rectangle_is_blacked_out_in_what_is_sent_and_kept(
    qtbot: Any,
    store: QSettings,
    live_server: LocalLiveServer,
    desktop: None,
    config_home: Path,
) -> None:
    prefs = local_prefs(live_server.url, source="screen:1", max_side=1920, jpeg_quality=95, fps=2.0)
    with AppWindow("a known pattern", 60, 60, 1000, 700, seed=11) as app:
        area = client_area(app)
        assert area.intersection(DRAWN) == DRAWN and area.intersection(ELSEWHERE) == ELSEWHERE
        pattern = make_pattern(area.width, area.height, 11)
        key = privacy.monitor_key(list_monitors()[0])
        async with open_window(qtbot, store, prefs) as window:
            window.resize(640, 480)
            window.move(1200, 500)  # off the pattern: the self-mask stays out of the way
            window.toggle_session()
            await eventually(lambda: window.model.runtime is not None and window.model.runtime.live)
            connection = live_server.connections[-1]
            frame = await frame_where(connection, lambda f: not flat(f, INSIDE))
            assert matches_pattern(frame, pattern, area, DRAWN) > 30  # seen before any mask

            action = window.actions_by_name["Privacy masks…"]
            assert action.shortcut().toString() == "Ctrl+Shift+M"
            action.trigger()
            editor = await shown_editor()
            assert editor.rects() == []  # nothing drawn yet
            drag(qtbot, editor, DRAWN)
            assert len(editor.rects()) == 1
            mark = len(connection.received)  # an unchanged screen sends one frame: look from here
            qtbot.keyClick(editor, Qt.Key.Key_Return)

            await eventually(config_home.exists)
            assert json.loads(config_home.read_text())["monitors"] == {
                key: [{"x": 200, "y": 220, "width": 400, "height": 300}]
            }
            frame = await frame_where(connection, lambda f: flat(f, INSIDE), since=mark)
            assert matches_pattern(frame, pattern, area, ELSEWHERE) > 30  # the rest is sent
            assert "1 privacy rectangle on monitor 1" in window.status.currentMessage()

            # Opened again, the editor shows what is kept; Esc leaves it so.
            action.trigger()
            editor = await shown_editor()
            [shown] = editor.rects()
            assert (shown.x(), shown.y(), shown.width(), shown.height()) == (200, 220, 400, 300)
            qtbot.keyClick(editor, Qt.Key.Key_Delete)  # nothing selected: nothing removed
            assert len(editor.rects()) == 1
            qtbot.keyClick(editor, Qt.Key.Key_Escape)
            await eventually(lambda: "left as they were" in window.status.currentMessage())
            assert window.desktop.privacy.masks.rects_for(list_monitors()[0]) == (DRAWN,)

            # Clicked and deleted: the screen is seen there again, and the file says so.
            action.trigger()
            editor = await shown_editor()
            qtbot.mouseClick(
                editor, Qt.MouseButton.LeftButton, pos=QPoint(DRAWN.x + 50, DRAWN.y + 50)
            )
            assert editor.selected == 0
            qtbot.keyClick(editor, Qt.Key.Key_Delete)
            assert editor.rects() == []
            mark = len(connection.received)
            qtbot.keyClick(editor, Qt.Key.Key_Return)
            frame = await frame_where(connection, lambda f: not flat(f, INSIDE), since=mark)
            assert matches_pattern(frame, pattern, area, DRAWN) > 30
            await eventually(lambda: json.loads(config_home.read_text())["monitors"] == {})


async def test_a_privacy_file_that_cannot_be_read_is_said_and_left_alone(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, desktop: None, config_home: Path
) -> None:
    config_home.parent.mkdir(parents=True)
    config_home.write_text("{not json", encoding="utf-8")
    prefs = local_prefs(live_server.url, source="screen:1")
    async with open_window(qtbot, store, prefs) as window:
        said = await window.desktop.privacy.edit()
        assert "not valid JSON" in said and str(config_home) in said
        assert "not valid JSON" in window.banner.label.text()
        assert shown_editors() == []
    assert config_home.read_text(encoding="utf-8") == "{not json"  # nothing lost


async def test_settings_opens_the_editor_and_says_what_was_kept(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, desktop: None, config_home: Path
) -> None:
    prefs = local_prefs(live_server.url, source="screen:1")
    async with open_window(qtbot, store, prefs) as window:
        dialog = window.open_settings()
        assert dialog.desktop.masks_note.text() == "none yet"
        dialog.desktop.draw_masks.click()
        editor = await shown_editor()
        assert editor.parent() is dialog  # takes input while the modal dialog is open
        drag(qtbot, editor, Region(100, 100, 200, 150))
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        await eventually(lambda: "applied and saved" in dialog.desktop.masks_note.text())
        assert "1 privacy rectangle on monitor 1" in dialog.desktop.masks_note.text()
        saved = privacy.load(config_home)
        [rects] = saved.monitors.values()
        assert rects == (Region(100, 100, 200, 150),)
        dialog.reject()
        again = window.open_settings()
        assert again.desktop.masks_note.text() == "1 rectangle kept on 1 monitor"
        again.reject()


def test_the_shared_monitor_is_edited_else_the_primary() -> None:
    left = MonitorInfo(1, "DP-1", 0, 0, 1920, 1080, False)
    right = MonitorInfo(2, "HDMI-1", 1920, 0, 1280, 1024, True)
    assert masked_monitor([left, right], "screen:1") is left
    assert masked_monitor([left, right], "window:Notes") is right  # not a screen: the primary
    assert masked_monitor([left, right], "screen:7") is right  # unplugged since
    assert masked_monitor([left], "test") is left  # no primary flagged: the first
    assert masked_monitor([], "screen:1") is None
