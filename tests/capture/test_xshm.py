"""Screen grabs straight into recycled shared memory, against the real Xvfb display: the pixels
are the screen's, a picture someone holds is never written again, and released slots are reused."""

from __future__ import annotations

import numpy as np
import pytest

from liveview.capture import Region, ScreenSource
from liveview.capture.screen import open_mss
from liveview.capture.xshm import GRAB_SLOTS, ShmGrabber
from liveview.encode import to_bgr
from tests.capture.patterns import make_pattern, needs_display, psnr

pytestmark = [pytest.mark.x11, needs_display]

X, Y, W, H = 240, 160, 480, 270


def _address(image: np.ndarray) -> int:
    return int(image.__array_interface__["data"][0])


def test_grabs_are_written_into_shared_memory_and_are_the_screen(qtbot) -> None:  # type: ignore[no-untyped-def]
    from tests.capture.qt_window import pattern_on_screen

    pattern = make_pattern(W, H, seed=21)
    with pattern_on_screen(qtbot, pattern, X, Y), ScreenSource(1, Region(X, Y, W, H)) as source:
        grabber = source.grabber
        assert grabber is not None
        # The fast path is on with this mss on Xvfb: an mss release that breaks it fails here.
        assert grabber.active, grabber.why_not
        frame = source.read()
        assert frame.image.shape == (H, W, 4) and frame.image.flags.writeable
        assert frame.image.flags.c_contiguous
        assert psnr(to_bgr(frame.image), pattern) > 40
        with open_mss() as sct:
            box = {"left": X, "top": Y, "width": W, "height": H}
            assert np.array_equal(frame.image, np.asarray(sct.grab(box)))
        assert grabber.fallbacks == 0


def test_a_held_picture_is_never_written_again(qtbot) -> None:  # type: ignore[no-untyped-def]
    from tests.capture.qt_window import pattern_on_screen

    first, second = make_pattern(W, H, seed=22), make_pattern(W, H, seed=23)
    with pattern_on_screen(qtbot, first, X, Y) as window, ScreenSource(1) as source:
        grabber = source.grabber
        assert grabber is not None and grabber.active
        held = source.read().image[Y : Y + H, X : X + W]  # only a view is kept: it counts too
        window.show_image(second)
        later = [source.read() for _ in range(GRAB_SLOTS + 2)]
        assert psnr(to_bgr(held), first) > 40  # untouched by the grabs that followed
        assert psnr(to_bgr(later[-1].image[Y : Y + H, X : X + W]), second) > 40
        # The held view and the GRAB_SLOTS-1 frames after it filled every slot: the rest came
        # through mss's own buffers, each its own picture.
        assert grabber.fallbacks == len(later) - (GRAB_SLOTS - 1)
        addresses = {_address(f.image) for f in later} | {_address(held)}
        assert len(addresses) == len(later) + 1


def test_released_slots_are_reused() -> None:
    with ScreenSource(1) as source:
        grabber = source.grabber
        assert grabber is not None and grabber.active
        addresses = set()
        for _ in range(20):
            frame = source.read()
            addresses.add(_address(frame.image))
            del frame
        assert len(addresses) <= 2  # the last frame is alive while the next one is grabbed
        assert grabber.fallbacks == 0


def test_a_box_larger_than_a_slot_and_a_foreign_grabber_go_through_mss() -> None:
    with open_mss() as sct:
        box = {"left": 0, "top": 0, "width": 320, "height": 200}
        expected = np.asarray(sct.grab(box)).copy()
        small_slots = ShmGrabber(sct, max_box_bytes=100 * 100 * 4)
        try:
            assert small_slots.active
            assert np.array_equal(small_slots.grab(box), expected)
            assert small_slots.fallbacks == 1
        finally:
            small_slots.close()
    not_mss = ShmGrabber(object(), max_box_bytes=1024)
    assert not not_mss.active
    assert "not an XCB-based mss" in not_mss.why_not
