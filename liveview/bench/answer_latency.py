"""Time from a typed question about the screen to the first word of the spoken answer, over a
real WebSocket to the local server (LocalLiveServer in this process, its own text recognition).

Two cases, `rounds` each, a new page (new text) every round:
- cached: the frame is sent, the server's read-ahead reads it (the bench waits until the reader's
  cache holds it), then the question is asked;
- uncached: the frame is sent and the question asked at once.
"The first word" is the first serverContent part of the reply (audio, with its transcription).
The reader is the product's: shared, worker at low priority, READ_BUDGET_S per question.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from liveview.bench import pages
from liveview.encode import DEFAULT_JPEG_QUALITY, DEFAULT_MAX_SIDE_PX, encode_jpeg
from liveview.server import LocalLiveServer
from liveview.server.reading import READ_BUDGET_S, ScreenReader, set_shared_reader

PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
QUESTION = "What does the error on my screen say?"
CACHE_WAIT_S = 120.0
TURN_TIMEOUT_S = 120.0
PAGE_CYCLE = ("terminal", "editor", "article", "labels")


def _setup() -> dict[str, Any]:
    return {
        "setup": {
            "model": "models/gemini-3.8-live",
            "generationConfig": {"responseModalities": ["AUDIO"]},
            "outputAudioTranscription": {},
        }
    }


def _video(jpeg: bytes) -> str:
    blob = {"mimeType": "image/jpeg", "data": base64.b64encode(jpeg).decode()}
    return json.dumps({"realtimeInput": {"video": blob}})


def _question() -> str:
    turn = {"role": "user", "parts": [{"text": QUESTION}]}
    return json.dumps({"clientContent": {"turns": [turn], "turnComplete": True}})


async def _first_word(ws: ClientConnection) -> tuple[float, str]:
    """Seconds from now to the first reply part, and the whole transcription of the reply."""
    started = time.perf_counter()
    first: float | None = None
    said: list[str] = []
    async with asyncio.timeout(TURN_TIMEOUT_S):
        while True:
            message = json.loads(await ws.recv())
            body = message.get("serverContent", {})
            if first is None and body.get("modelTurn", {}).get("parts"):
                first = time.perf_counter() - started
            said.append(body.get("outputTranscription", {}).get("text", ""))
            if body.get("turnComplete"):
                return (first if first is not None else float("nan")), "".join(said)


async def _wait_cached(reader: ScreenReader, jpeg: bytes) -> float:
    started = time.perf_counter()
    while reader.cached(jpeg) is None:
        if time.perf_counter() - started > CACHE_WAIT_S:
            raise TimeoutError("the read-ahead did not read the frame in time")
        await asyncio.sleep(0.05)
    return time.perf_counter() - started


async def _round(url: str, reader: ScreenReader, jpeg: bytes, cached: bool) -> dict[str, Any]:
    async with connect(url + PATH, compression=None, max_size=None) as ws:
        await ws.send(json.dumps(_setup()))
        assert "setupComplete" in json.loads(await ws.recv())
        await ws.send(_video(jpeg))
        waited = await _wait_cached(reader, jpeg) if cached else 0.0
        await ws.send(_question())
        seconds, said = await _first_word(ws)
    return {"first_word_s": round(seconds, 3), "read_ahead_s": round(waited, 2),
            "quoted": said.count('"') // 2, "partial": "slow on this machine" in said}  # fmt: skip


async def _measure(rounds: int, seed: int) -> dict[str, Any]:
    reader = ScreenReader()
    previous = set_shared_reader(reader)
    try:
        async with LocalLiveServer() as server:
            # Load the engine first: its one-off start is not what a question waits for.
            warm = encode_jpeg(pages.render("terminal", seed).image, DEFAULT_MAX_SIDE_PX)
            await reader.read(warm.data, budget_s=CACHE_WAIT_S)
            out: dict[str, Any] = {}
            for case in ("cached", "uncached"):
                results = []
                for i in range(rounds):
                    name = PAGE_CYCLE[i % len(PAGE_CYCLE)]
                    page = pages.render(name, seed + 1000 * (case == "cached") + i + 1)
                    frame = encode_jpeg(page.image, DEFAULT_MAX_SIDE_PX, DEFAULT_JPEG_QUALITY)
                    results.append({"page": name, **await _round(server.url, reader, frame.data,
                                                                 case == "cached")})  # fmt: skip
                times = [r["first_word_s"] for r in results]
                out[case] = {"median_first_word_s": round(statistics.median(times), 3),
                             "max_first_word_s": max(times), "rounds": results}  # fmt: skip
    finally:
        set_shared_reader(previous)
        reader.close()
    out["targets_s"] = {"cached": 1.5, "uncached": 5.0}
    out["read_budget_s"] = READ_BUDGET_S
    out["complete_read_s"] = [round(s, 2) for s in reader.read_s]
    out["load_average"] = list(os.getloadavg())
    return out


def measure(rounds: int = 5, seed: int = 1) -> dict[str, Any]:
    return asyncio.run(_measure(rounds, seed))
