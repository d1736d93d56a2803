"""Masks: the pure mapping of screen rectangles onto frames, the user's privacy rectangles on
disk, and liveview's own windows masked in real screen grabs under openbox."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest

from liveview.capture import (
    Frame,
    FrameProducer,
    NoFrameNow,
    ScreenSource,
    SyntheticSource,
    privacy,
)
from liveview.capture.masks import (
    MASK_COLOUR_BGR,
    SELF_MASK_MARGIN_PX,
    RectMask,
    RectsBox,
    SelfMask,
    fill_rects,
    grow,
    mask_frame,
    to_image_box,
)
from liveview.capture.screen import MonitorInfo, open_mss
from liveview.desktop.geometry import Region
from liveview.desktop.window_platform import OwnWindowRects, list_windows
from liveview.encode import decode_jpeg, encode_jpeg, to_bgr
from liveview.errors import ConfigError
from tests.capture.patterns import make_pattern, psnr

# --- pure mapping ----------------------------------------------------------------------------


def test_a_screen_rectangle_maps_through_the_frames_origin() -> None:
    region = Region(1920, 100, 800, 600)  # a region on a second monitor
    assert to_image_box(Region(2000, 150, 100, 50), region, 800, 600) == (80, 50, 180, 100)
    assert to_image_box(Region(1800, 0, 200, 200), region, 800, 600) == (0, 0, 80, 100)  # clipped
    assert to_image_box(Region(0, 0, 100, 100), region, 800, 600) is None  # elsewhere


def test_hidpi_frames_scale_the_rectangle_outwards() -> None:
    region = Region(0, 0, 100, 50)  # logical size; the image has twice the pixels
    assert to_image_box(Region(10, 10, 5, 5), region, 200, 100) == (20, 20, 30, 30)
    odd = to_image_box(Region(10, 10, 5, 5), region, 150, 75)  # 1.5x: never a pixel less
    assert odd == (15, 15, 23, 23)


def test_fill_covers_exactly_the_rectangles_on_bgr_and_bgra() -> None:
    region = Region(100, 100, 40, 30)
    bgra = np.full((30, 40, 4), 7, dtype=np.uint8)
    assert fill_rects(bgra, region, [Region(110, 105, 10, 10), Region(0, 0, 5, 5)]) == 1
    assert (bgra[5:15, 10:20] == (*MASK_COLOUR_BGR, 255)).all()
    bgra[5:15, 10:20] = 7
    assert (bgra == 7).all()
    bgr = np.zeros((30, 40, 3), dtype=np.uint8)
    fill_rects(bgr, region, [Region(90, 90, 100, 100)], colour=(1, 2, 3))
    assert (bgr == (1, 2, 3)).all()


def test_mask_frame_leaves_untouched_frames_alone_and_copies_read_only_ones() -> None:
    image = np.zeros((10, 10, 3), dtype=np.uint8)
    frame = Frame(image, 0.0, 0, "test", Region(0, 0, 10, 10))
    assert mask_frame(frame, [Region(50, 50, 5, 5)]) is frame
    camera = Frame(image, 0.0, 0, "camera")  # not of the screen: no region, nothing to map
    assert mask_frame(camera, [Region(0, 0, 5, 5)]) is camera
    image.flags.writeable = False
    masked = mask_frame(frame, [Region(0, 0, 5, 5)])
    assert masked is not frame and (masked.image[:5, :5] == MASK_COLOUR_BGR).all()
    assert (image == 0).all()


def test_rects_box_is_what_the_gui_thread_feeds() -> None:
    box = RectsBox()
    assert box() == ()
    box.set([Region(1, 2, 3, 4)])
    assert box() == (Region(1, 2, 3, 4),)


# --- privacy rectangles on disk --------------------------------------------------------------

MONITOR = MonitorInfo(1, "DP-1", 1920, 0, 1280, 1024, False)


def test_privacy_rectangles_are_kept_per_monitor_in_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert privacy.default_path() == tmp_path / "liveview" / "privacy_masks.json"
    masks = privacy.PrivacyMasks().with_rect(MONITOR, Region(2000, 100, 300, 200))
    assert masks.rects_for(MONITOR) == (Region(80, 100, 300, 200),)  # monitor coordinates
    path = privacy.save(masks)
    assert json.loads(path.read_text()) == {
        "version": 1,
        "monitors": {"DP-1 1280x1024": [{"x": 80, "y": 100, "width": 300, "height": 200}]},
    }
    loaded = privacy.load()
    assert loaded == masks
    # The monitor moved to the left of the primary: the rectangle stays on it.
    moved = MonitorInfo(2, "DP-1", -1280, 0, 1280, 1024, False)
    assert loaded.screen_rects([moved]) == [Region(-1200, 100, 300, 200)]
    other = MonitorInfo(1, "HDMI-1", 0, 0, 1920, 1080, True)
    assert loaded.screen_rects([other]) == []  # kept, but that monitor is not connected
    assert loaded.without_rect(MONITOR, 0) == privacy.PrivacyMasks()


def test_a_corrupt_file_is_reported_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "privacy_masks.json"
    path.write_text('{"version": 1, "monitors": {"DP-1 1280x1024": [{"x": 1')
    with pytest.raises(ConfigError, match=r"not valid JSON .* the file was left as it is"):
        privacy.load(path)
    assert path.read_text().endswith('"x": 1')
    path.write_text(json.dumps({"version": 1, "monitors": {"m": [{"x": 0, "y": 0}]}}))
    with pytest.raises(ConfigError, match="needs integer x, y, width and height"):
        privacy.load(path)
    path.write_text(json.dumps({"version": 7, "monitors": {}}))
    with pytest.raises(ConfigError, match="not a version 1 privacy mask file"):
        privacy.load(path)
    assert privacy.load(tmp_path / "absent.json") == privacy.PrivacyMasks()


def test_a_rectangle_off_its_monitor_is_refused() -> None:
    with pytest.raises(ConfigError, match="is not on monitor 1"):
        privacy.PrivacyMasks().with_rect(MONITOR, Region(0, 0, 100, 100))
    with pytest.raises(ConfigError, match="has no privacy rectangle 1"):
        privacy.PrivacyMasks().without_rect(MONITOR, 0)


# --- liveview's own windows masked in real grabs --------------------------------------------


def grab_screen() -> np.ndarray:
    with open_mss() as sct:
        return to_bgr(np.asarray(sct.grab(sct.monitors[1])))


def masked_pixels(frame_region: Region, image_shape: tuple[int, ...], rect: Region) -> np.ndarray:
    box = to_image_box(rect, frame_region, image_shape[1], image_shape[0])
    assert box is not None
    flags = np.zeros(image_shape[:2], dtype=bool)
    x0, y0, x1, y1 = box
    flags[y0:y1, x0:x1] = True
    return flags


def assert_masked_exactly(frame: Frame, rect: Region, screen: np.ndarray) -> None:
    """`rect` is flat in the frame, and everything else is what the screen shows."""
    assert frame.region is not None
    image = to_bgr(frame.image)
    inside = masked_pixels(frame.region, image.shape, rect)
    assert (image[inside] == MASK_COLOUR_BGR).all()
    r = frame.region
    expected = screen[r.y : r.bottom, r.x : r.right]
    assert (image[~inside] == expected[~inside]).all()


async def next_frame_after(producer: FrameProducer, seq: int) -> Frame:
    return await asyncio.wait_for(producer.next_frame(seq), 5)


@pytest.mark.x11
async def test_liveviews_windows_are_masked_and_followed_when_moved(desktop: None) -> None:
    from tests.desktop.x11 import AppWindow

    with (
        AppWindow("a document the user shares", 300, 200, 900, 600, seed=11) as document,
        AppWindow("stand-in for liveview", 700, 400, 360, 240, seed=12) as liveview_window,
    ):
        own = OwnWindowRects(liveview_window.pid)  # asks the X server, on the capture thread
        producer = FrameProducer(ScreenSource(1), filters=[SelfMask(own)])
        await producer.start()
        try:
            frame = await next_frame_after(producer, -1)
            [stand_in] = [w for w in list_windows() if w.handle == liveview_window.window_id]
            rect = grow(stand_in.frame, SELF_MASK_MARGIN_PX)
            assert_masked_exactly(frame, rect, grab_screen())
            # The document's visible part, away from the stand-in, is what it drew.
            pattern = make_pattern(900, 600, 11)
            [doc] = [w for w in list_windows() if w.handle == document.window_id]
            x, y = doc.geometry.x, doc.geometry.y
            shown = to_bgr(frame.image)
            assert psnr(shown[y : y + 160, x : x + 340], pattern[:160, :340]) > 40

            await asyncio.to_thread(liveview_window.move, 100, 700)
            for _ in range(100):  # the window manager places it; the mask follows at once
                frame = await next_frame_after(producer, frame.seq)
                [moved] = [w for w in list_windows() if w.handle == liveview_window.window_id]
                if moved.frame.y > 600:
                    break
            frame = await next_frame_after(producer, frame.seq)
            assert_masked_exactly(frame, grow(moved.frame, SELF_MASK_MARGIN_PX), grab_screen())
            # Where the stand-in was, the document shows again.
            was = stand_in.geometry
            part = to_bgr(frame.image)[was.y : was.bottom, was.x : was.right]
            drawn = pattern[was.y - y : was.bottom - y, was.x - x : was.right - x]
            assert psnr(part, drawn) > 40

            jpeg = decode_jpeg(encode_jpeg(frame.image, max_side=1920, quality=80).data)
            flat = jpeg[
                moved.frame.y + 4 : moved.frame.bottom - 4,
                moved.frame.x + 4 : moved.frame.right - 4,
            ]
            assert np.abs(flat.astype(int) - MASK_COLOUR_BGR).max() <= 6  # flat after JPEG too
        finally:
            await producer.close()
            own.close()
        assert document.window_id != liveview_window.window_id


@pytest.mark.x11
async def test_a_region_source_maps_the_mask_to_its_own_origin(desktop: None) -> None:
    box = RectsBox([Region(500, 400, 100, 80)])
    producer = FrameProducer(
        ScreenSource(region=Region(400, 300, 640, 360)), filters=[SelfMask(box, margin_px=0)]
    )
    await producer.start()
    try:
        frame = await next_frame_after(producer, -1)
        image = to_bgr(frame.image)
        assert (image[100:180, 100:200] == MASK_COLOUR_BGR).all()
        assert_masked_exactly(frame, Region(500, 400, 100, 80), grab_screen())
        box.set([Region(1000, 600, 200, 200)])  # moved (fed from the GUI thread): followed
        frame = await next_frame_after(producer, frame.seq)
        assert_masked_exactly(frame, Region(1000, 600, 200, 200), grab_screen())
        assert (to_bgr(frame.image)[300:, 600:] == MASK_COLOUR_BGR).all()  # clipped to the region
    finally:
        await producer.close()


@pytest.mark.x11
async def test_privacy_rectangles_are_masked_on_their_monitor(desktop: None) -> None:
    from liveview.capture import list_monitors

    monitors = list_monitors()
    masks = privacy.PrivacyMasks().with_rect(monitors[0], Region(10, 20, 300, 100))
    producer = FrameProducer(ScreenSource(1), filters=[masks.mask(monitors)])
    await producer.start()
    try:
        frame = await next_frame_after(producer, -1)
        assert_masked_exactly(frame, Region(10, 20, 300, 100), grab_screen())
    finally:
        await producer.close()


async def test_when_liveviews_windows_cannot_be_located_video_is_held() -> None:
    def broken() -> list[Region]:
        raise RuntimeError("the window system went away")

    screen_like = _RegionedSynthetic()
    holds: list[NoFrameNow | None] = []
    producer = FrameProducer(screen_like, filters=[SelfMask(broken)], on_hold=holds.append)
    await producer.start()
    try:
        for _ in range(100):
            if holds:
                break
            await asyncio.sleep(0.02)
        assert holds and holds[0] is not None
        assert holds[0].badge == "paused: cannot hide liveview"
        assert "the window system went away" in holds[0].notice
        assert producer.latest() is None and producer.running
    finally:
        await producer.close()


async def test_frames_that_are_not_of_the_screen_pass_untouched() -> None:
    calls: list[int] = []

    def rects() -> list[Region]:
        calls.append(1)
        return [Region(0, 0, 10_000, 10_000)]

    producer = FrameProducer(SyntheticSource(64, 48, fps=20), filters=[RectMask(rects)])
    await producer.start()
    try:
        frame = await next_frame_after(producer, -1)
        assert frame.region is None and not (to_bgr(frame.image) == MASK_COLOUR_BGR).all()
        assert calls == []  # not even asked
    finally:
        await producer.close()


class _RegionedSynthetic(SyntheticSource):
    """The test pattern as if it were a screen grab at (0, 0) (no display needed)."""

    def read(self) -> Frame:
        frame = super().read()
        return Frame(frame.image, frame.captured_at, frame.seq, "screen-like", Region(0, 0, 64, 48))

    def __init__(self) -> None:
        super().__init__(64, 48, fps=20)
