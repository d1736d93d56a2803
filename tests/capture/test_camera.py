"""Camera source on real files and real loopback HTTP streams (no /dev/video* here)."""

from __future__ import annotations

import asyncio
import functools
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from liveview.capture import CameraKind, CameraSource, FrameProducer, list_cameras, open_source
from liveview.errors import CaptureError, ConfigError, LiveViewError
from tests.capture.patterns import frame_number, numbered_frames, write_video
from tests.support.net import closed_port

FPS = 20.0
COUNT = 12


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return write_video(tmp_path / "clip.avi", numbered_frames(COUNT), FPS)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files, and /live.mjpg: an IP-camera style multipart MJPEG stream of
    `stream_frames` frames, after which the connection drops (the camera "dies")."""

    stream_frames = 8

    def do_GET(self) -> None:
        if not self.path.startswith("/live.mjpg"):
            super().do_GET()
            return
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        for image in numbered_frames(self.stream_frames):
            ok, jpeg = cv2.imencode(".jpg", image)
            assert ok
            header = f"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
            self.wfile.write(header.encode() + jpeg.tobytes() + b"\r\n")
            self.wfile.flush()
            time.sleep(0.02)  # a camera's pace

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_base(clip: Path) -> Iterator[str]:
    handler = functools.partial(_Handler, directory=str(clip.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_file_plays_at_its_own_rate_and_loops(clip: Path) -> None:
    source = open_source(f"file:{clip}")
    assert isinstance(source, CameraSource)
    with source:
        assert source.frame_interval_s == pytest.approx(1 / FPS)
        assert source.describe() == "file clip.avi (160x120, 20 fps)"
        frames = [source.read() for _ in range(COUNT + 3)]
    numbers = [frame_number(f.image) for f in frames]
    assert numbers == [*range(COUNT), 0, 1, 2]  # looped at the end
    assert [f.seq for f in frames] == list(range(COUNT + 3))
    assert all(f.image.shape == (120, 160, 3) for f in frames)
    # Paced by the file's clock (a lower bound only: sleeping never makes it faster).
    assert frames[-1].captured_at - frames[0].captured_at >= (len(frames) - 1.5) / FPS


def test_file_that_ends_raises_capture_error(clip: Path) -> None:
    with CameraSource(clip, CameraKind.FILE, loop=False) as source:
        for _ in range(COUNT):
            source.read()
        with pytest.raises(CaptureError, match=r"clip\.avi ended"):
            source.read()


async def test_file_end_is_an_error_event_not_a_crash(clip: Path) -> None:
    errors: list[CaptureError] = []
    producer = FrameProducer(
        CameraSource(clip, CameraKind.FILE, loop=False), on_error=errors.append
    )
    await producer.start()
    seen = []
    with pytest.raises(CaptureError, match="ended"):
        last = -1
        while True:
            frame = await producer.next_frame(last)
            seen.append(frame_number(frame.image))
            last = frame.seq
    await producer.close()
    assert len(errors) == 1 and "ended" in str(errors[0])
    assert producer.error is errors[0]
    assert not producer.running
    assert seen == sorted(seen) and seen[-1] == COUNT - 1  # newest-only, in order, to the end


def test_url_reads_a_file_served_over_http(http_base: str) -> None:
    source = open_source(f"url:{http_base}/clip.avi")
    assert isinstance(source, CameraSource)
    with source:
        numbers = [frame_number(source.read().image) for _ in range(COUNT)]
        assert numbers == list(range(COUNT))
        with pytest.raises(CaptureError, match="ended or stopped"):
            source.read()  # streams never loop


async def test_mjpeg_stream_that_dies_gives_an_error_event(http_base: str) -> None:
    errors: list[CaptureError] = []
    source = open_source(f"{http_base}/live.mjpg")  # a bare http:// address is a URL source
    assert isinstance(source, CameraSource)
    producer = FrameProducer(source, on_error=errors.append)
    await producer.start()
    numbers: list[int] = []
    last = -1
    with pytest.raises(CaptureError):
        while True:
            frame = await producer.next_frame(last)
            numbers.append(frame_number(frame.image))
            last = frame.seq
    await producer.close()
    assert numbers and numbers[-1] == _Handler.stream_frames - 1
    assert len(errors) == 1
    assert "127.0.0.1" in producer.describe()


async def test_unreachable_stream_fails_to_start() -> None:
    producer = FrameProducer(CameraSource(f"http://127.0.0.1:{closed_port()}/x", CameraKind.URL))
    with pytest.raises(CaptureError, match="could not be opened"):
        await producer.start()
    assert not producer.running


def test_credentials_in_urls_are_not_shown() -> None:
    source = CameraSource("rtsp://admin:secret@10.0.0.5/stream", CameraKind.URL)
    assert "secret" not in source.describe()
    assert source.describe() == "url rtsp://***@10.0.0.5/stream"


def test_no_cameras_here_and_discovery_is_quick() -> None:
    # This machine has no /dev/video*: discovery must answer [] without probing.
    assert list(Path("/dev").glob("video*")) == []
    assert list_cameras() == []


def test_unknown_camera_is_a_clear_config_error() -> None:
    with pytest.raises(ConfigError) as caught:
        open_source("camera:3")
    assert "There is no camera 3" in str(caught.value)
    assert "No cameras were found" in str(caught.value)


def test_missing_file_is_a_clear_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        open_source(f"file:{tmp_path / 'nope.mp4'}")


def test_file_that_is_not_a_video(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.avi"
    bogus.write_text("not a video")
    source = open_source(f"file:{bogus}")
    assert source is not None
    with pytest.raises(LiveViewError, match="could not be opened"):
        source.open()
    source.close()


async def test_discovery_runs_in_a_thread() -> None:
    cameras = await asyncio.to_thread(list_cameras, 4)
    assert cameras == []
