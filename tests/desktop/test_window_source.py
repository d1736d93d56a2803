"""One window as a source, under openbox: found by title, its own pixels at its own aspect,
followed as it moves and resizes, held while minimised or closed, resumed when it is back."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import numpy as np
import pytest

from liveview.capture import FrameProducer, NoFrameNow, open_source, parse_source_spec
from liveview.capture.screen import open_mss
from liveview.capture.window import AmbiguousWindowError, WindowNotFoundError, WindowSource
from liveview.desktop.geometry import Region
from liveview.encode import decode_jpeg, encode_jpeg, to_bgr
from liveview.errors import UsageError
from tests.capture.patterns import make_pattern, psnr
from tests.desktop.x11 import REPO, AppWindow

pytestmark = pytest.mark.x11
FRAME_TIMEOUT_S = 5.0


def grab(region: Region) -> np.ndarray:
    with open_mss() as sct:
        shot = sct.grab(
            {"left": region.x, "top": region.y, "width": region.width, "height": region.height}
        )
        return to_bgr(np.asarray(shot))


async def fresh_frame(producer: FrameProducer, after_seq: int):  # type: ignore[no-untyped-def]
    return await asyncio.wait_for(producer.next_frame(after_seq), FRAME_TIMEOUT_S)


async def frame_where(producer: FrameProducer, predicate):  # type: ignore[no-untyped-def]
    """The first frame for which predicate(frame) holds (the window manager takes a moment)."""
    seq = -1
    for _ in range(100):
        frame = await fresh_frame(producer, seq)
        if predicate(frame):
            return frame
        seq = frame.seq
    raise AssertionError("no such frame")


def test_window_spec_parses_and_needs_a_title() -> None:
    spec = parse_source_spec("window:Some Title: with colons")
    assert (spec.kind, spec.title) == ("window", "Some Title: with colons")
    with pytest.raises(Exception, match="give part of the window's title after window:"):
        parse_source_spec("window:  ")


async def test_frames_are_the_windows_pixels_and_follow_it(app_window: AppWindow) -> None:
    source = open_source("window:TEST PATTERN")  # case-insensitive part of the title
    assert isinstance(source, WindowSource)
    holds: list[NoFrameNow | None] = []
    producer = FrameProducer(source, on_hold=holds.append)
    await producer.start()
    try:
        frame = await fresh_frame(producer, -1)
        assert frame.region == Region(400, 300, 480, 320)
        assert frame.image.shape == (320, 480, 4)  # only the client area, at its own aspect
        assert source.describe() == "window 'liveview test pattern' (liveview-test-app)"
        pattern = make_pattern(480, 320, seed=5)
        assert psnr(to_bgr(frame.image), grab(frame.region)) > 40  # what the screen shows
        assert psnr(to_bgr(frame.image), pattern) > 40  # which is what the window drew
        decoded = decode_jpeg(encode_jpeg(frame.image, max_side=1024, quality=80).data)
        assert decoded.shape == (320, 480, 3) and psnr(decoded, pattern) > 30

        await asyncio.to_thread(app_window.move, 900, 500)
        moved = await frame_where(producer, lambda f: f.region.x > 800)
        assert moved.region.y > 450
        assert psnr(to_bgr(moved.image), pattern) > 40

        await asyncio.to_thread(app_window.command, "resize 320 400")
        resized = await frame_where(producer, lambda f: f.image.shape[:2] == (400, 320))
        assert psnr(to_bgr(resized.image), make_pattern(320, 400, seed=5)) > 40
        assert holds == []
    finally:
        await producer.close()


async def test_off_screen_parts_are_clipped(app_window: AppWindow) -> None:
    producer = FrameProducer(open_source("window:liveview test pattern"))
    await producer.start()
    try:
        await asyncio.to_thread(app_window.move, 1700, 300)  # 480 wide: half past the edge
        frame = await frame_where(producer, lambda f: f.region.x > 1600)
        assert frame.region.right == 1920
        assert frame.image.shape[1] == frame.region.width < 480
    finally:
        await producer.close()


async def test_minimised_holds_with_a_notice_and_restoring_resumes(app_window: AppWindow) -> None:
    holds: list[NoFrameNow | None] = []
    producer = FrameProducer(open_source("window:liveview test pattern"), on_hold=holds.append)
    await producer.start()
    try:
        frame = await fresh_frame(producer, -1)
        await asyncio.to_thread(app_window.command, "minimize")
        await _until(lambda: producer.hold is not None)
        assert producer.hold is not None
        assert producer.hold.badge == "paused: window minimised"
        assert "is minimised or hidden: video is paused" in producer.hold.notice
        assert producer.latest() is None  # the last frame was withdrawn, not resent
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(producer.next_frame(frame.seq), 0.6)
        assert producer.running  # held, not failed

        await asyncio.to_thread(app_window.command, "restore")
        back = await fresh_frame(producer, frame.seq)
        assert psnr(to_bgr(back.image), make_pattern(480, 320, seed=5)) > 40
        await _until(lambda: holds and holds[-1] is None)
        # Told when it began and when it ended. openbox animates the restore from below the
        # screen, so "off screen" may be said in between.
        badges = [h.badge if h else None for h in holds]
        assert badges[0] == "paused: window minimised" and badges[-1] is None
        assert set(badges[1:-1]) <= {"paused: window off screen"}
    finally:
        await producer.close()


async def test_closing_holds_until_a_window_with_that_title_is_back(desktop: None) -> None:
    first = AppWindow("Report draft", 200, 200, 400, 300, seed=7)
    producer = FrameProducer(open_source("window:report draft"))
    await producer.start()
    try:
        await fresh_frame(producer, -1)
        await asyncio.to_thread(first.close)
        await _until(lambda: producer.hold is not None)
        assert producer.hold is not None and producer.hold.badge == "paused: window closed"
        assert "'Report draft' was closed" in producer.hold.notice
        assert producer.running

        with AppWindow("Report draft", 600, 100, 300, 200, seed=8):
            # A window just mapped may be grabbed once before it has painted: the stream comes
            # back with its pixels within a few frames.
            pattern = make_pattern(300, 200, seed=8)
            await frame_where(
                producer,
                lambda f: (
                    f.region == Region(600, 100, 300, 200) and psnr(to_bgr(f.image), pattern) > 40
                ),
            )
            assert producer.hold is None
    finally:
        await producer.close()
        first.close()


async def _until(predicate, timeout_s: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_no_match_lists_the_windows(app_window: AppWindow) -> None:
    with pytest.raises(WindowNotFoundError) as caught:
        open_source("window:no such window anywhere")
    message = str(caught.value)
    assert "No window's title contains 'no such window anywhere'" in message
    assert "'liveview test pattern' (liveview-test-app, 480x320 at 400,300, visible)" in message
    assert not isinstance(caught.value, UsageError)  # exit 3, like other bad configuration


def test_an_ambiguous_match_lists_the_candidates(app_window: AppWindow) -> None:
    with (
        AppWindow("liveview test pattern copy", 50, 50, 200, 100),
        pytest.raises(AmbiguousWindowError) as caught,
    ):
        open_source("window:test pat")
    error = caught.value
    assert isinstance(error, UsageError)
    assert {w.title for w in error.candidates} == {
        "liveview test pattern",
        "liveview test pattern copy",
    }
    assert "2 windows' titles contain 'test pat'" in str(error)
    assert "Give more of the title" in str(error)


def run_headless(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "liveview", "headless", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
        check=False,
    )


def test_the_cli_exits_2_for_several_matches_3_for_none_and_lists_windows(
    app_window: AppWindow,
) -> None:
    with AppWindow("liveview test pattern two", 50, 50, 200, 100):
        several = run_headless("--backend", "local", "--source", "window:pattern", "--text", "x")
        none = run_headless("--backend", "local", "--source", "window:zzz", "--text", "x")
        listing = run_headless("--list-sources")
    assert several.returncode == 2, several.stderr
    assert "2 windows' titles contain 'pattern'" in several.stderr
    assert "'liveview test pattern two'" in several.stderr
    assert "Traceback" not in several.stderr
    assert none.returncode == 3, none.stderr
    assert "No window's title contains 'zzz'" in none.stderr
    assert listing.returncode == 0
    assert "Windows (--source window:TITLE" in listing.stdout
    assert "'liveview test pattern' (liveview-test-app" in listing.stdout


def test_without_a_window_manager_the_cli_says_so_and_exits_3() -> None:
    from tests.desktop.x11 import private_display

    with private_display(with_wm=False) as env:
        result = subprocess.run(
            [
                *(sys.executable, "-m", "liveview", "headless", "--backend", "local"),
                *("--source", "window:anything", "--text", "x"),
            ],
            capture_output=True,
            text=True,
            env=dict(env, PYTHONPATH=str(REPO)),
            cwd=REPO,
            timeout=60,
            check=False,
        )
    assert result.returncode == 3, result.stderr
    assert "--source window:anything cannot be used here" in result.stderr
    assert "No window manager is running on display" in result.stderr
    assert "Traceback" not in result.stderr
