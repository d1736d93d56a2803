"""The window list on a real X server under openbox: what a user's window picker would show."""

from __future__ import annotations

import subprocess

import pytest

from liveview.capture.window import window_thumbnail
from liveview.desktop.geometry import Region
from liveview.desktop.window_platform import OwnWindowRects, list_windows, open_lister
from liveview.desktop.windows import WindowListError, match_windows, windows_text
from liveview.desktop.windows_x11 import X11WindowLister
from tests.capture.patterns import make_pattern, psnr, shrink
from tests.desktop.x11 import AppWindow, private_display
from tests.support.waiting import wait_until as wait_for

pytestmark = pytest.mark.x11


def xwininfo_geometry(window_id: int) -> Region:
    """The client area as xwininfo reports it (absolute). Not `xdotool getwindowgeometry`: under
    a reparenting window manager it adds the frame's offset (openbox: +1, +20)."""
    out = subprocess.run(
        ["xwininfo", "-id", str(window_id)], capture_output=True, text=True, check=True
    ).stdout
    values = {
        k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())
    }
    return Region(
        int(values["Absolute upper-left X"]),
        int(values["Absolute upper-left Y"]),
        int(values["Width"]),
        int(values["Height"]),
    )


def test_a_window_is_listed_with_title_application_process_and_geometry(
    app_window: AppWindow,
) -> None:
    windows = list_windows()
    [info] = [w for w in windows if w.handle == app_window.window_id]
    assert info.title == "liveview test pattern"
    assert info.app == "liveview-test-app"  # WM_CLASS
    assert info.pid == app_window.pid  # _NET_WM_PID
    assert info.process is not None and info.process.startswith("python")
    assert info.geometry == xwininfo_geometry(app_window.window_id)
    assert (info.geometry.width, info.geometry.height) == (480, 320)
    # openbox draws a title bar above the client: the frame holds the client and is taller.
    assert info.frame.intersection(info.geometry) == info.geometry
    assert info.frame.height > info.geometry.height
    assert info.visible and not info.minimised and info.is_application
    assert "'liveview test pattern' (liveview-test-app, 480x320 at" in windows_text(windows)


def test_minimised_state_and_stacking_order_follow_the_window_manager(
    app_window: AppWindow,
) -> None:
    with AppWindow("second window", 600, 350, 300, 200, seed=2) as second:
        with open_lister() as lister:
            first_info = lister.window(app_window.window_id)
            second_info = lister.window(second.window_id)
            assert first_info is not None and second_info is not None
            assert second_info.stacking > first_info.stacking  # opened later: on top
            app_window.command("raise")
            assert wait_for(
                lambda: _stacking(lister, app_window) > _stacking(lister, second), timeout_s=5
            )
            second.command("minimize")
            assert wait_for(lambda: _minimised(lister, second), timeout_s=5)
            info = lister.window(second.window_id)
            assert info is not None and not info.visible
            second.command("restore")
            assert wait_for(lambda: not _minimised(lister, second), timeout_s=5)
        handle = second.window_id
    with open_lister() as lister:
        assert wait_for(lambda: lister.window(handle) is None, timeout_s=5)  # closed: gone


def _stacking(lister: X11WindowLister, window: AppWindow) -> int:
    info = lister.window(window.window_id)
    assert info is not None
    return info.stacking


def _minimised(lister: X11WindowLister, window: AppWindow) -> bool:
    info = lister.window(window.window_id)
    return info is not None and info.minimised


def test_titles_match_case_insensitively_and_an_exact_title_wins(app_window: AppWindow) -> None:
    with (
        AppWindow("Notes", 50, 50, 200, 150) as notes,
        AppWindow("notes - backup", 300, 50, 200, 150),
    ):
        windows = list_windows()
        assert {w.title for w in match_windows(windows, "NOTES")} == {"Notes"}
        assert [w.handle for w in match_windows(windows, "notes")] == [notes.window_id]
        assert len(match_windows(windows, "note")) == 2
        assert match_windows(windows, "  ") == []


def test_a_thumbnail_is_small_and_shows_the_window(app_window: AppWindow) -> None:
    [info] = [w for w in list_windows() if w.handle == app_window.window_id]
    thumb = window_thumbnail(info, max_side=160)
    assert thumb is not None
    assert thumb.shape == (107, 160, 3)  # 480x320 at the window's own aspect
    expected = shrink(make_pattern(480, 320, seed=5), 160, 107)
    assert psnr(thumb, expected) > 25


def test_own_windows_are_found_by_process_including_override_redirect(
    app_window: AppWindow,
) -> None:
    own = OwnWindowRects(app_window.pid)
    try:
        rects = own()
        [info] = [w for w in list_windows() if w.handle == app_window.window_id]
        assert rects == [info.frame]
    finally:
        own.close()
    nobody = OwnWindowRects(pid=1)
    try:
        assert nobody() == []  # nobody's windows but its own
    finally:
        nobody.close()


def test_no_window_manager_is_a_clear_error() -> None:
    with private_display(with_wm=False) as env:
        lister = X11WindowLister(env["DISPLAY"])
        try:
            with pytest.raises(WindowListError, match="No window manager is running on display"):
                lister.snapshot()
        finally:
            lister.close()


def test_no_display_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    with pytest.raises(WindowListError, match="Wayland lets no application list"):
        list_windows()
    monkeypatch.delenv("WAYLAND_DISPLAY")
    with pytest.raises(WindowListError, match="DISPLAY is not set"):
        list_windows()
