"""A minimal Live client for the server's tests, on websockets directly (not liveview.transport:
the server's tests must not depend on the client they are meant to catch)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any

import cv2
import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.support.oracle import validate_server_message

GEMINI_PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
RECV_TIMEOUT_S = 20.0

Msg = dict[str, Any]


MODEL = "models/gemini-3.8-live"


def text_setup(**extra: Any) -> Msg:
    """A setup whose replies are read as text. Today's models reply only in audio (TEXT closes
    1007), so this asks for AUDIO with its transcription, as liveview's text replies do."""
    setup: Msg = {
        "model": MODEL,
        "generationConfig": {"responseModalities": ["AUDIO"]},
        "outputAudioTranscription": {},
    }
    setup.update(extra)
    return {"setup": setup}


def relaxed_text_setup(**extra: Any) -> Msg:
    """TEXT replies, which only the server's relaxed mode takes (any model, any modality)."""
    setup: Msg = {"model": "models/any-model", "generationConfig": {"responseModalities": ["TEXT"]}}
    setup.update(extra)
    return {"setup": setup}


def audio_setup(voice: str = "Kore", **extra: Any) -> Msg:
    setup: Msg = {
        "model": MODEL,
        "generationConfig": {
            "responseModalities": ["AUDIO"],
            "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": voice}}},
        },
        "outputAudioTranscription": {},
        "inputAudioTranscription": {},
    }
    setup.update(extra)
    return {"setup": setup}


def client_text(text: str) -> Msg:
    return {
        "clientContent": {
            "turns": [{"role": "user", "parts": [{"text": text}]}],
            "turnComplete": True,
        }
    }


def jpeg_of(bgr: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return buf.tobytes()


def solid_jpeg(bgr: tuple[int, int, int], width: int = 320, height: int = 240) -> bytes:
    image = np.zeros((height, width, 3), np.uint8)
    image[:] = bgr
    return jpeg_of(image)


def video(jpeg: bytes) -> Msg:
    return {
        "realtimeInput": {
            "video": {"mimeType": "image/jpeg", "data": base64.b64encode(jpeg).decode()}
        }
    }


def audio(pcm: bytes, rate_hz: int = 16_000) -> Msg:
    return {
        "realtimeInput": {
            "audio": {
                "mimeType": f"audio/pcm;rate={rate_hz}",
                "data": base64.b64encode(pcm).decode(),
            }
        }
    }


def content(message: Msg) -> Msg:
    body = message.get("serverContent")
    return body if isinstance(body, dict) else {}


def reply_text(messages: list[Msg]) -> str:
    """Text parts, or the output transcription when the reply was spoken."""
    parts = [
        part.get("text", "")
        for m in messages
        for part in content(m).get("modelTurn", {}).get("parts", [])
    ]
    spoken = [content(m).get("outputTranscription", {}).get("text", "") for m in messages]
    return "".join(parts) or "".join(spoken)


def is_turn_complete(message: Msg) -> bool:
    return bool(content(message).get("turnComplete"))


class Peer:
    """One client connection; every message received is checked against the SDK's schema."""

    def __init__(self, ws: ClientConnection, *, validate: bool = True) -> None:
        self.ws = ws
        self.validate = validate
        self.frame_types: list[type] = []

    async def send(self, message: Msg | str | bytes) -> None:
        await self.ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))

    async def recv(self, timeout_s: float = RECV_TIMEOUT_S) -> Msg:
        raw = await asyncio.wait_for(self.ws.recv(), timeout_s)
        self.frame_types.append(type(raw))
        message = json.loads(raw)
        if self.validate:
            validate_server_message(message)
        return message

    async def until(
        self, done: Callable[[Msg], bool], timeout_s: float = RECV_TIMEOUT_S
    ) -> list[Msg]:
        messages: list[Msg] = []
        async with asyncio.timeout(timeout_s):
            while True:
                message = await self.recv(timeout_s)
                messages.append(message)
                if done(message):
                    return messages

    async def turn(self, timeout_s: float = RECV_TIMEOUT_S) -> list[Msg]:
        return await self.until(is_turn_complete, timeout_s)

    async def close(self) -> None:
        await self.ws.close()


async def open_peer(
    url: str,
    setup: Msg | None = None,
    *,
    path: str = GEMINI_PATH,
    headers: dict[str, str] | None = None,
    wait_setup_complete: bool = True,
) -> Peer:
    ws = await connect(url + path, compression=None, max_size=None, additional_headers=headers)
    peer = Peer(ws)
    try:
        await peer.send(setup or text_setup())
    except ConnectionClosed:
        if wait_setup_complete:
            raise  # otherwise the test is about a server that closes at once
    if wait_setup_complete:
        first = await peer.recv()
        assert "setupComplete" in first, first
    return peer


async def closed_with(peer: Peer, timeout_s: float = RECV_TIMEOUT_S) -> tuple[int | None, str]:
    """Read until the server closes; its close code and reason (None for no close frame)."""
    async with asyncio.timeout(timeout_s):
        await peer.ws.wait_closed()
    rcvd = peer.ws.protocol.close_rcvd
    return (rcvd.code, rcvd.reason) if rcvd is not None else (None, "")
