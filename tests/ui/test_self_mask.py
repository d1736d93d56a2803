"""liveview never shows itself: its window sits over a known pattern (another application's
window) while the screen is shared; in the frames the local server received the window's area
is filled flat and the rest matches the pattern, also after the window moves, and for the
overlay. With "Hide liveview from what is sent" off, the window is seen."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QWidget

from liveview.capture.masks import SELF_MASK_MARGIN_PX
from liveview.desktop.geometry import Region
from liveview.desktop.windows_x11 import X11WindowLister
from liveview.server import LocalLiveServer
from tests.capture.patterns import make_pattern, psnr
from tests.desktop.x11 import AppWindow
from tests.support.frames import crop, flat, frame_where
from tests.support.waiting import eventually
from tests.support.window import local_prefs, open_window

pytestmark = pytest.mark.x11

Image = np.ndarray


def region(rect: QRect) -> Region:
    return Region(rect.x(), rect.y(), rect.width(), rect.height())


def inset(rect: Region, by: int) -> Region:
    return Region(rect.x + by, rect.y + by, rect.width - 2 * by, rect.height - 2 * by)


class Pattern:
    """The other application's window: its client area and what it drew there."""

    def __init__(self, app: AppWindow, seed: int) -> None:
        with X11WindowLister() as lister:
            info = lister.window(app.window_id)
        assert info is not None
        self.area = info.geometry
        self.image = make_pattern(self.area.width, self.area.height, seed)

    def matches_outside(self, frame: Image, hidden: Region) -> float:
        """PSNR of the pattern's visible part, the hidden rectangle (grown by the mask's
        margin) left out of both."""
        grown = Region(
            hidden.x - SELF_MASK_MARGIN_PX - 2,
            hidden.y - SELF_MASK_MARGIN_PX - 2,
            hidden.width + 2 * SELF_MASK_MARGIN_PX + 4,
            hidden.height + 2 * SELF_MASK_MARGIN_PX + 4,
        )
        got = crop(frame, self.area).copy()
        want = self.image.copy()
        overlap = grown.intersection(self.area)
        if overlap is not None:
            local = Region(overlap.x - self.area.x, overlap.y - self.area.y, overlap.width,
                           overlap.height)  # fmt: skip
            got[local.y : local.bottom, local.x : local.right] = 0
            want[local.y : local.bottom, local.x : local.right] = 0
        return psnr(got, want)


async def place(widget: QWidget, x: int, y: int) -> Region:
    widget.move(x, y)
    await eventually(lambda: widget.frameGeometry().topLeft().toTuple() == (x, y))
    return region(widget.frameGeometry())


async def test_liveview_is_masked_in_every_frame_and_followed_when_it_moves(
    qtbot: Any, store: QSettings, live_server: LocalLiveServer, desktop: None
) -> None:
    prefs = local_prefs(live_server.url, source="screen:1", max_side=1920, jpeg_quality=95, fps=2.0)
    with AppWindow("a known pattern", 60, 60, 1500, 900, seed=7) as app:
        pattern = Pattern(app, seed=7)
        async with open_window(qtbot, store, prefs) as window:
            assert window.desktop.self_mask.enabled  # on by default
            window.resize(720, 520)
            here = await place(window, 300, 250)
            assert here.intersection(pattern.area) == here  # all of it over the pattern
            window.toggle_session()
            await eventually(lambda: window.model.runtime is not None and window.model.runtime.live)
            connection = live_server.connections[-1]

            frame = await frame_where(connection, lambda f: flat(f, here))
            assert frame.shape[:2] == (1080, 1920)
            assert pattern.matches_outside(frame, here) > 30

            # Moved: the mask follows, and where it was the pattern shows again.
            there = await place(window, 760, 320)
            frame = await frame_where(connection, lambda f: flat(f, there))
            gone = Region(here.x, here.y, there.x - here.x - SELF_MASK_MARGIN_PX - 4, here.height)
            assert not flat(frame, gone)  # the left part it left is no longer hidden
            assert pattern.matches_outside(frame, there) > 30

            # The overlay is one of liveview's windows too.
            overlay = window.desktop.overlay
            overlay.open()
            spot = await place(overlay, 120, 120)
            frame = await frame_where(connection, lambda f: flat(f, spot) and flat(f, there))
            overlay.hide()

            # "Hide liveview from what is sent" off: the window is seen as it is.
            old = window.model.prefs
            new = type(old)(**{**old.__dict__, "hide_self": False})
            window.model.update_prefs(new)
            window.desktop.prefs_changed(old, new)
            frame = await frame_where(connection, lambda f: not flat(f, inset(there, 20)))
            assert pattern.matches_outside(frame, there) > 30
