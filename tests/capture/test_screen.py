"""Screen source against the real Xvfb display: a known picture in a real window is grabbed,
JPEG-encoded, decoded and compared."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from liveview.capture import FrameProducer, Region, ScreenSource, list_monitors, open_source
from liveview.capture.screen import open_mss
from liveview.encode import decode_jpeg, encode_jpeg, to_bgr
from liveview.errors import CaptureError, ConfigError
from tests.capture.patterns import make_pattern, needs_display, psnr, shrink
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.x11, needs_display]

REPO = Path(__file__).resolve().parents[2]
# Even coordinates and sizes, so the 1/2 downscale of the whole monitor maps them exactly.
X, Y, W, H = 200, 150, 640, 360


@pytest.fixture
def pattern_window(qtbot):  # type: ignore[no-untyped-def]
    from tests.capture.qt_window import pattern_on_screen

    image = make_pattern(W, H, seed=3)
    with pattern_on_screen(qtbot, image, X, Y):
        yield image


def test_list_monitors_is_one_based_and_excludes_the_union() -> None:
    monitors = list_monitors()
    with open_mss() as sct:
        raw = sct.monitors
    assert len(monitors) == len(raw) - 1
    assert [m.index for m in monitors] == list(range(1, len(raw)))
    first = monitors[0]
    assert (first.left, first.top, first.width, first.height) == (0, 0, 1920, 1080)
    assert "1920x1080" in first.describe()


def test_region_grab_matches_the_window(pattern_window: np.ndarray) -> None:
    with ScreenSource(1, Region(X, Y, W, H)) as source:
        frame = source.read()
        assert source.describe() == f"screen 1 region {W}x{H} at {X},{Y}"
    assert frame.image.shape == (H, W, 4)  # BGRA, physical pixels
    assert psnr(to_bgr(frame.image), pattern_window) > 40  # lossless grab
    encoded = encode_jpeg(frame.image, max_side=1024, quality=80)
    assert (encoded.width, encoded.height) == (W, H)  # never upscaled
    assert psnr(decode_jpeg(encoded.data), pattern_window) >= 30
    small = encode_jpeg(frame.image, max_side=320, quality=80)
    decoded = decode_jpeg(small.data)
    assert decoded.shape == (180, 320, 3)
    assert psnr(decoded, shrink(pattern_window, 320, 180)) >= 30


def test_monitor_grab_through_the_producer_thread(pattern_window: np.ndarray) -> None:
    import asyncio

    async def grab() -> bytes:
        source = open_source("screen:1")
        assert source is not None
        producer = FrameProducer(source)
        await producer.start()
        try:
            frame = await producer.next_frame()
            assert frame.image.shape == (1080, 1920, 4)
            return encode_jpeg(frame.image, max_side=1024, quality=80).data
        finally:
            await producer.close()

    decoded = decode_jpeg(asyncio.run(grab()))
    # 1920x1080 -> exact 1/2 (the cheap integer INTER_AREA path), not 1024x576.
    assert decoded.shape == (540, 960, 3)
    window = decoded[Y // 2 : (Y + H) // 2, X // 2 : (X + W) // 2]
    # Leave out a JPEG block at the border: it also holds whatever surrounds the window.
    m = 8
    expected = shrink(pattern_window, W // 2, H // 2)
    assert psnr(window[m:-m, m:-m], expected[m:-m, m:-m]) >= 30


def test_monitor_index_out_of_range_lists_the_monitors() -> None:
    with pytest.raises(ConfigError) as caught:
        open_source("screen:7")
    message = str(caught.value)
    assert "no monitor 7" in message
    assert "1: screen 1920x1080 at 0,0" in message


def test_region_off_screen_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"not inside monitor 1 \(1920x1080 at 0,0\)"):
        open_source("screen:1", region="1800,1000,400,300")
    with pytest.raises(ConfigError, match="not inside"):
        open_source("screen", region="-50,0,100,100")


def test_region_picks_the_monitor_that_holds_it() -> None:
    source = open_source("screen", region="10,20,300,200")
    assert isinstance(source, ScreenSource)
    with source:
        frame = source.read()
        assert frame.image.shape == (200, 300, 4)
        assert source.describe() == "screen 1 region 300x200 at 10,20"


def _run_without_display(code: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_no_display_gives_a_clear_message() -> None:
    result = _run_without_display(
        """
        from liveview.capture import list_monitors, open_source
        from liveview.errors import CaptureError
        for call in (lambda: open_source("screen"), list_monitors):
            try:
                call()
            except CaptureError as exc:
                print(exc.user_message)
        """
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        assert line.startswith("No display to capture: DISPLAY is not set"), line
        assert "--source" in line
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed")
def test_display_gone_mid_stream_reports_an_error(tmp_path: Path) -> None:
    """A private Xvfb is killed under a running capture: an error event, not a crash."""
    display = next(
        n
        for n in range(150, 250)
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists()
    )
    xvfb = subprocess.Popen(
        ["Xvfb", f":{display}", "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_until(lambda: Path(f"/tmp/.X11-unix/X{display}").exists())
        script = """
            import asyncio, sys
            from liveview.capture import FrameProducer, ScreenSource
            async def main():
                errors = []
                producer = FrameProducer(ScreenSource(1), on_error=errors.append)
                await producer.start()
                frame = await producer.next_frame()
                print("grabbed", frame.image.shape, flush=True)
                sys.stdin.readline()  # the test kills the X server now
                try:
                    while True:
                        frame = await producer.next_frame(frame.seq)
                except Exception as exc:
                    print("raised", type(exc).__name__, flush=True)
                await producer.close()
                print("callback", [type(e).__name__ for e in errors], flush=True)
            asyncio.run(main())
            """
        env = {**os.environ, "DISPLAY": f":{display}"}
        child = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script)],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().startswith("grabbed (480, 640, 4)")
        xvfb.terminate()  # SIGTERM: the server goes away and removes its lock and socket
        xvfb.wait(timeout=10)
        child.stdin.write("go\n")
        child.stdin.flush()
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert "raised CaptureError" in out
        assert "callback ['CaptureError']" in out
    finally:
        if xvfb.poll() is None:
            xvfb.terminate()
            xvfb.wait(timeout=10)


def test_read_before_open_is_a_capture_error() -> None:
    with pytest.raises(CaptureError):
        ScreenSource(1).read()
