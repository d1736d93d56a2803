"""Frame analysis: measured facts only (size, brightness, colours, motion, faces, QR codes)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from liveview.server import LocalLiveServer
from liveview.server.vision import FrameDecodeError, analyse_jpeg, describe
from tests.support.peer import client_text, jpeg_of, open_peer, reply_text, solid_jpeg, video


def qr_jpeg(text: str) -> bytes:
    code = cv2.QRCodeEncoder.create().encode(text)
    code = cv2.resize(code, None, fx=8, fy=8, interpolation=cv2.INTER_NEAREST)
    canvas = np.full((480, 640), 255, np.uint8)
    canvas[40 : 40 + code.shape[0], 40 : 40 + code.shape[1]] = code
    return jpeg_of(cv2.cvtColor(canvas, cv2.COLOR_GRAY2BGR))


@pytest.mark.parametrize(
    ("bgr", "name"),
    [((0, 0, 255), "red"), ((255, 0, 0), "blue"), ((0, 200, 0), "green"), ((0, 255, 255), "yellow"),
     ((255, 255, 255), "white"), ((0, 0, 0), "black")],
)  # fmt: skip
def test_dominant_colour_is_named(bgr: tuple[int, int, int], name: str) -> None:
    frame = analyse_jpeg(solid_jpeg(bgr))
    assert frame.colours[0][0] == name
    assert frame.colours[0][1] > 0.9


def test_size_brightness_and_motion() -> None:
    dark = analyse_jpeg(solid_jpeg((20, 20, 20), 200, 100))
    assert (dark.width, dark.height) == (200, 100)
    assert dark.brightness < 40 and dark.motion is None
    same = analyse_jpeg(solid_jpeg((20, 20, 20), 200, 100), dark.thumb)
    assert same.motion == 0.0
    half = np.full((100, 200, 3), 20, np.uint8)
    half[:, 100:] = 230
    moved = analyse_jpeg(jpeg_of(half), dark.thumb)
    assert moved.motion is not None and 0.4 < moved.motion < 0.6
    assert "50% of it changed" in describe(moved)


def test_qr_code_is_decoded_and_no_face_is_invented() -> None:
    frame = analyse_jpeg(qr_jpeg("https://example.org/liveview"))
    assert frame.qr_texts == ("https://example.org/liveview",)
    assert frame.faces == 0
    assert '"https://example.org/liveview"' in describe(frame)


def test_undecodable_bytes_raise() -> None:
    with pytest.raises(FrameDecodeError):
        analyse_jpeg(b"\xff\xd8 not really a jpeg")


async def test_reply_names_the_colour_and_the_qr_code(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send(video(solid_jpeg((0, 0, 255), 640, 360)))
    await peer.send(client_text("what do you see"))
    text = reply_text(await peer.turn())
    assert "640 by 360" in text and "red" in text
    await peer.send(video(qr_jpeg("hello qr")))
    await peer.send({"realtimeInput": {"text": "and now"}})
    text = reply_text(await peer.turn())
    assert 'A QR code reads "hello qr"' in text and "changed since the previous frame" in text
    await peer.close()


def drawn_face(size: int = 200) -> np.ndarray:
    """A blurred cartoon face: skin oval, brows, eyes, nose, mouth (enough for a Haar cascade)."""
    img = np.full((400, 400), 90, np.uint8)
    cx, cy = 200, 200
    cv2.ellipse(img, (cx, cy), (int(size * 0.42), int(size * 0.55)), 0, 0, 360, 200, -1)
    for side in (-1, 1):
        ex, ey = cx + side * int(size * 0.2), cy - int(size * 0.1)
        brow = (int(size * 0.13), int(size * 0.03))
        cv2.ellipse(img, (ex, ey - int(size * 0.12)), brow, 0, 0, 360, 60, -1)
        cv2.ellipse(img, (ex, ey), (int(size * 0.1), int(size * 0.05)), 0, 0, 360, 40, -1)
    mouth = (int(size * 0.16), int(size * 0.04))
    cv2.ellipse(img, (cx, cy + int(size * 0.28)), mouth, 0, 0, 360, 70, -1)
    cv2.line(img, (cx, cy), (cx, cy + int(size * 0.12)), 150, 3)
    return cv2.cvtColor(cv2.GaussianBlur(img, (9, 9), 3), cv2.COLOR_GRAY2BGR)


def test_a_face_is_found_by_the_bundled_cascade() -> None:
    frame = analyse_jpeg(jpeg_of(drawn_face()))
    assert frame.faces == 1
    assert "one face found" in describe(frame)
    assert analyse_jpeg(solid_jpeg((200, 200, 200))).faces == 0
