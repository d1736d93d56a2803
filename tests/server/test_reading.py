"""The offline reader (issue 15): real rendered text, real RapidOCR, real WebSocket connections.

Every page's text is drawn from word lists with a new seed each run, so no reply can be canned.
The reader used here has a generous budget (other tests share this 2-core machine): these tests
check what is read and said; speed is the benchmarks' business (`liveview bench legibility`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from liveview.bench.legibility_score import levenshtein
from liveview.bench.pages import ERRORS, MONO, SANS, WORDS, Canvas
from liveview.encode import encode_jpeg
from liveview.server import LocalLiveServer
from liveview.server.ocr_engine import OcrEngine
from liveview.server.reading import ScreenReader, frame_key, set_shared_reader
from tests.support.peer import client_text, open_peer, reply_text, text_setup, video

TURN_S = 120.0
ZOOM_DECL = {
    "functionDeclarations": [
        {
            "name": "zoom_to_region",
            "description": "zoom",
            "behavior": "BLOCKING",  # as liveview declares it: the model waits for the crop
            "parameters": {
                "type": "OBJECT",
                "properties": {k: {"type": "INTEGER"} for k in ("x", "y", "width", "height")},
            },
        }
    ]
}


@pytest.fixture(scope="module")
def reader() -> Iterator[ScreenReader]:
    # Full priority (the app's worker runs at nice 5): the tests share a loaded machine.
    shared = ScreenReader(OcrEngine(nice=False), budget_s=90.0)
    previous = set_shared_reader(shared)
    yield shared
    set_shared_reader(previous)
    shared.close()


@pytest.fixture
async def server() -> AsyncIterator[LocalLiveServer]:
    """conftest's server with speech at 10x real time, not 4x: these replies quote whole screens
    (many seconds of speech) and only their transcripts are read."""
    async with LocalLiveServer(use_espeak=False, audio_pacing=0.1) as running:
        yield running


@pytest.fixture
def rng() -> random.Random:
    return random.Random(random.SystemRandom().randrange(10**9))


def phrase(rng: random.Random, n: int = 3) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def close_enough(read: str, drawn: str) -> bool:
    """At most one character wrong in twenty (the recogniser is good, not perfect)."""
    return levenshtein(read.lower(), drawn.lower()) <= max(1, len(drawn) // 20)


def quoted_lines(reply: str) -> list[str]:
    return reply.split('"')[1::2]


def has_line(reply: str, drawn: str) -> bool:
    return any(close_enough(q, drawn) for q in quoted_lines(reply))


def jpeg(canvas: Canvas, side: int = 1024) -> bytes:
    return encode_jpeg(canvas.finish(), side, 80).data


def terminal_with_error(rng: random.Random) -> tuple[bytes, list[str], str]:
    c = Canvas("#1e1e1e")
    lines = [f"{phrase(rng, 4)} {rng.randint(10, 9999)}" for _ in range(6)]
    error = f"{rng.choice(ERRORS)}: {phrase(rng, 3)}"
    at = rng.randint(2, 4)
    drawn = [*lines[:at], error, *lines[at:]]
    for i, text in enumerate(drawn):
        c.text(40, 60 + i * 44, text, 28, "#dddddd", MONO)
    return jpeg(c), drawn, error


async def test_a_rendered_line_is_read_exactly_and_cached(
    reader: ScreenReader, rng: random.Random
) -> None:
    c = Canvas("#ffffff", (800, 120))
    text = f"{phrase(rng, 4)} {rng.randint(100, 999)}"
    c.text(20, 40, text, 30, "#000000", SANS)
    data = jpeg(c)
    first = await reader.read(data)
    assert first.status == "complete" and not first.cached
    assert [line.text for line in first.lines] == [text]
    assert first.lines[0].confidence > 0.9
    again = await reader.read(data)
    assert again.cached and again.lines == first.lines
    assert reader.cached(data) is not None and frame_key(data) != frame_key(data, detail=True)


async def test_read_the_error_quotes_it_first(
    server: LocalLiveServer, reader: ScreenReader, rng: random.Random
) -> None:
    data, drawn, error = terminal_with_error(rng)
    peer = await open_peer(server.url)
    await peer.send(video(data))
    await peer.send(client_text("read the error"))
    reply = reply_text(await peer.turn(TURN_S))
    assert "Local text recognition, not a language model" in reply
    assert "Lines with error:" in reply
    quotes = quoted_lines(reply)
    assert close_enough(quotes[1], error), reply  # [0] is what was typed
    others = [line for line in drawn if line != error]
    positions = [next(i for i, q in enumerate(quotes) if close_enough(q, t)) for t in others]
    assert positions == sorted(positions), "the other lines follow in reading order"
    await peer.close()


async def test_a_region_question_quotes_only_that_region(
    server: LocalLiveServer, reader: ScreenReader, rng: random.Random
) -> None:
    c = Canvas("#f0f0f0")
    corners = {"top left": (80, 80), "top right": (1200, 80), "bottom left": (80, 900),
               "bottom right": (1200, 900)}  # fmt: skip
    texts = {}
    for name, (x, y) in corners.items():
        texts[name] = phrase(rng, 3)
        c.text(x, y, texts[name], 30, "#101010", SANS)
    peer = await open_peer(server.url)
    await peer.send(video(jpeg(c)))
    asked = rng.choice(sorted(corners))
    await peer.send(client_text(f"what's in the {asked}?"))
    reply = reply_text(await peer.turn(TURN_S))
    assert has_line(reply, texts[asked]), reply
    assert not any(has_line(reply, t) for name, t in texts.items() if name != asked), reply
    assert f"1 of them in the {asked}" in reply
    await peer.close()


def small_text_page(rng: random.Random) -> tuple[np.ndarray, str, tuple[int, int, int, int]]:
    c = Canvas("#ffffff")
    c.text(60, 60, phrase(rng, 3).capitalize(), 40, "#000000", SANS)
    small = f"{phrase(rng, 4)} {rng.randint(100, 999)}"
    c.text(60, 1000, small, 11, "#333333", SANS)
    item = c.items[-1]
    return c.finish(), small, (item.x, item.y, item.width, item.height)


async def test_small_text_makes_the_server_ask_for_a_zoom(
    server: LocalLiveServer, reader: ScreenReader, rng: random.Random
) -> None:
    page, small, (sx, sy, sw, sh) = small_text_page(rng)
    regular = encode_jpeg(page, 640, 70)  # 1/3: the 11 px line is under 4 px high
    peer = await open_peer(server.url, text_setup(tools=[ZOOM_DECL]))
    await peer.send(video(regular.data))
    await peer.send(client_text("read the small text at the bottom"))
    call = (await peer.until(lambda m: "toolCall" in m, TURN_S))[-1]["toolCall"]
    fn = call["functionCalls"][0]
    assert fn["name"] == "zoom_to_region"
    k = 1920 / regular.width
    x, y, w, h = (fn["args"][key] for key in ("x", "y", "width", "height"))
    assert x * k <= sx and y * k <= sy and (x + w) * k >= sx + sw and (y + h) * k >= sy + sh
    # The client's answer: the region cut from the full-resolution source (core/tools' path).
    x0, y0, x1, y1 = round(x * k), round(y * k), round((x + w) * k), round((y + h) * k)
    crop = encode_jpeg(np.ascontiguousarray(page[y0:y1, x0:x1]), 2048, 90)
    response = {"id": fn["id"], "name": fn["name"], "response": {"output": "sent"}}
    await peer.send({"toolResponse": {"functionResponses": [response]}})
    await peer.send(video(crop.data))
    reply = reply_text(await peer.turn(TURN_S))
    assert "at full detail" in reply and has_line(reply, small), reply
    await peer.close()


async def test_no_zoom_without_the_function_declared(
    server: LocalLiveServer, reader: ScreenReader, rng: random.Random
) -> None:
    page, _small, _box = small_text_page(rng)
    peer = await open_peer(server.url)
    await peer.send(video(encode_jpeg(page, 640, 70).data))
    await peer.send(client_text("read the small text at the bottom"))
    messages = await peer.turn(TURN_S)
    assert not any("toolCall" in m for m in messages)
    reply = reply_text(messages)
    assert "I found no readable text in the bottom" in reply or "too small or unclear" in reply
    await peer.close()


async def test_past_its_budget_a_read_answers_without_it_then_fills_the_cache(
    rng: random.Random,
) -> None:
    slow = ScreenReader(OcrEngine(nice=False), budget_s=0.05)
    try:
        data, drawn, _error = terminal_with_error(rng)
        early = await slow.read(data)
        assert early.status in ("pending", "partial")
        assert "slow on this machine" in early.note
        late = await slow.read(data, budget_s=120.0)  # the same read, still going on
        assert late.status == "complete" and len(late.lines) == len(drawn)
        assert (await slow.read(data)).cached
    finally:
        slow.close()


async def test_missing_models_are_said_once_and_analysis_goes_on(
    tmp_path: Path, rng: random.Random
) -> None:
    broken = ScreenReader(OcrEngine(model_dir=tmp_path))
    previous = set_shared_reader(broken)
    try:
        # Only the replies' transcripts are read: their speech goes out at 10x real time.
        async with LocalLiveServer(audio_pacing=0.1) as server:
            peer = await open_peer(server.url)
            data, _drawn, _error = terminal_with_error(rng)
            await peer.send(video(data))
            await peer.send(client_text("what does the screen say?"))
            first = reply_text(await peer.turn(TURN_S))
            assert "Text recognition is not available here" in first
            assert str(tmp_path) in first and "PP-OCRv6_det_small.onnx" in first
            assert "The latest frame is 960 by 540 pixels" in first
            await peer.send(client_text("and what does it say now?"))
            second = reply_text(await peer.turn(TURN_S))
            assert "not available" not in second and "The latest frame is" in second
            await peer.close()
    finally:
        set_shared_reader(previous)
        broken.close()
    assert broken.unavailable is not None


def huge_header_jpeg() -> bytes:
    """A real small JPEG whose header claims 60000x60000 pixels (a decompression bomb)."""
    ok, buf = cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))
    assert ok
    data = bytearray(buf.tobytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (60000).to_bytes(2, "big") * 2
    return bytes(data)


@pytest.mark.parametrize(
    ("frame", "said"),
    [
        (b"", "the frame was empty (0 bytes)"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "not a JPEG image"),
        (huge_header_jpeg(), "60000x60000 pixels, larger than the 8192 px limit"),
        (b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x10\x00\x10" + bytes(40), "damaged"),
    ],
)
async def test_bad_frames_are_said_and_nothing_stops(
    server: LocalLiveServer, reader: ScreenReader, rng: random.Random, frame: bytes, said: str
) -> None:
    c = Canvas("#ffffff", (800, 120))
    good_text = phrase(rng, 3)
    c.text(20, 40, good_text, 30, "#000000", SANS)
    peer = await open_peer(server.url)
    await peer.send(video(jpeg(c)))
    await peer.send(client_text("hi"))  # the good frame is analysed before the bad one comes
    await peer.turn(TURN_S)
    await peer.send(video(frame))
    await peer.send(client_text("what does it say?"))
    reply = reply_text(await peer.turn(TURN_S))
    assert "The newest frame received could not be used" in reply and said in reply, reply
    assert has_line(reply, good_text), "the last good frame is still read"
    await peer.close()
    assert server.connections[-1].closed_with is None


async def test_read_ahead_has_the_frame_read_before_the_question(
    server: LocalLiveServer, reader: ScreenReader, rng: random.Random
) -> None:
    data, drawn, _error = terminal_with_error(rng)
    peer = await open_peer(server.url)
    await peer.send(video(data))
    for _ in range(1200):  # the read-ahead starts on its own (the first frame at once)
        if reader.cached(data) is not None:
            break
        await asyncio.sleep(0.1)
    hits = reader.cache_hits
    await peer.send(client_text("what does the terminal say"))
    reply = reply_text(await peer.turn(TURN_S))
    assert reader.cache_hits == hits + 1
    assert has_line(reply, drawn[0]) and "In reading order:" in reply
    await peer.close()
