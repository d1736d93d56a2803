"""Turns as the service plays them: barge-in, NO_INTERRUPTION, spoken replies, voice turns."""

from __future__ import annotations

import asyncio
import base64

import numpy as np

from liveview.server import LocalLiveServer
from tests.support.peer import (
    Msg,
    Peer,
    audio,
    audio_setup,
    client_text,
    closed_with,
    content,
    is_turn_complete,
    open_peer,
    reply_text,
    text_setup,
)

MIC_RATE_HZ = 16_000
CHUNK_SAMPLES = 640  # 40 ms, what a client sends


def tone_pcm(seconds: float, dbfs: float = -20.0, freq_hz: float = 220.0) -> bytes:
    t = np.arange(int(seconds * MIC_RATE_HZ)) / MIC_RATE_HZ
    amplitude = 10 ** (dbfs / 20) * np.sqrt(2)
    return (amplitude * np.sin(2 * np.pi * freq_hz * t) * 32767).astype("<i2").tobytes()


def silence_pcm(seconds: float) -> bytes:
    return bytes(int(seconds * MIC_RATE_HZ) * 2)


async def send_pcm(peer: Peer, pcm: bytes) -> None:
    step = CHUNK_SAMPLES * 2
    for i in range(0, len(pcm), step):
        await peer.send(audio(pcm[i : i + step]))


def kinds(messages: list[Msg]) -> list[str]:
    found = []
    for m in messages:
        found += list(content(m))
        found += [k for k in m if k != "serverContent"]
    return found


async def test_second_text_turn_mid_reply_interrupts(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send(client_text("first question"))
    await peer.until(lambda m: "modelTurn" in content(m))
    await peer.send(client_text("second question"))
    first = await peer.turn()
    assert content(first[-1]) == {"turnComplete": True}
    flags = kinds(first)
    assert "interrupted" in flags
    assert flags.index("interrupted") < len(flags) - 1
    assert "generationComplete" not in flags, "an interrupted turn has no generationComplete"
    second = await peer.turn()
    assert "generationComplete" in kinds(second)
    assert '"second question"' in reply_text(second)
    assert 'Earlier you said "first question"' in reply_text(second)
    await peer.close()


async def test_no_interruption_lets_the_reply_finish(server: LocalLiveServer) -> None:
    setup = text_setup(realtimeInputConfig={"activityHandling": "NO_INTERRUPTION"})
    peer = await open_peer(server.url, setup)
    await peer.send(client_text("one"))
    await peer.until(lambda m: "modelTurn" in content(m))
    await peer.send(client_text("two"))
    first, second = await peer.turn(), await peer.turn()
    assert "interrupted" not in kinds(first) + kinds(second)
    assert '"one"' in reply_text(first) and '"two"' in reply_text(second)
    await peer.close()


async def test_spoken_reply_is_24khz_pcm_in_200ms_parts_paced_at_real_time() -> None:
    loop = asyncio.get_running_loop()
    async with LocalLiveServer() as server:  # espeak-ng speech at the service's own pace
        await _spoken_reply_is_paced(server, loop)


async def _spoken_reply_is_paced(server: LocalLiveServer, loop: asyncio.AbstractEventLoop) -> None:
    peer = await open_peer(server.url, audio_setup(voice="Charon"))
    await peer.send(client_text("hello"))
    arrivals: list[tuple[float, int]] = []
    messages: list[Msg] = []
    while not messages or not is_turn_complete(messages[-1]):
        message = await peer.recv()
        messages.append(message)
        for part in content(message).get("modelTurn", {}).get("parts", []):
            blob = part["inlineData"]
            assert blob["mimeType"] == "audio/pcm;rate=24000"
            arrivals.append((loop.time(), len(base64.b64decode(blob["data"]))))
    sizes = [size for _t, size in arrivals]
    assert all(size == 9600 for size in sizes[:-1]) and 0 < sizes[-1] <= 9600
    duration_s = sum(sizes) / 2 / 24_000
    assert duration_s > 1.5, "a sentence of speech"
    span_s = arrivals[-1][0] - arrivals[0][0]
    # Paced at real time (the sender runs at most ~0.4 s ahead): not a burst, not a crawl.
    assert duration_s - 1.5 < span_s < duration_s + 3.0
    spoken = reply_text(messages)
    assert 'You typed "hello"' in spoken
    assert "generationComplete" in kinds(messages)
    await peer.close()


async def test_speech_then_silence_is_a_voice_turn(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, text_setup(inputAudioTranscription={}))
    await send_pcm(peer, silence_pcm(0.3) + tone_pcm(1.2) + silence_pcm(0.8))
    messages = await peer.turn()
    transcripts = [
        content(m)["inputTranscription"]["text"]
        for m in messages
        if "inputTranscription" in content(m)
    ]
    assert len(transcripts) == 1 and transcripts[0].startswith("[speech 1.")
    text = reply_text(messages)
    assert "I heard 1." in text and "dBFS" in text and "cannot make out words" in text
    await peer.close()


async def test_speech_during_a_reply_barges_in(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send(client_text("talk for a while"))
    await peer.until(lambda m: "modelTurn" in content(m))
    await send_pcm(peer, tone_pcm(0.4))
    interrupted = await peer.turn()
    assert "interrupted" in kinds(interrupted)
    await send_pcm(peer, silence_pcm(0.8))
    assert "I heard" in reply_text(await peer.turn())
    await peer.close()


async def test_audio_stream_end_flushes_the_utterance(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await send_pcm(peer, tone_pcm(0.6))
    await peer.send({"realtimeInput": {"audioStreamEnd": True}})
    assert "I heard 0.6 seconds" in reply_text(await peer.turn())
    await peer.close()


async def test_push_to_talk_delimits_the_turn(server: LocalLiveServer) -> None:
    setup = text_setup(realtimeInputConfig={"automaticActivityDetection": {"disabled": True}})
    peer = await open_peer(server.url, setup)
    await send_pcm(peer, tone_pcm(1.0))  # outside activityStart..End: not a turn
    await peer.send({"realtimeInput": {"activityStart": {}}})
    await send_pcm(peer, tone_pcm(0.5) + silence_pcm(1.0))  # silence does not end it
    await peer.send({"realtimeInput": {"activityEnd": {}}})
    messages = await peer.turn()
    assert "I heard 1.5 seconds" in reply_text(messages)
    await peer.close()


async def test_activity_start_without_disabling_detection_is_1007(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send({"realtimeInput": {"activityStart": {}}})
    assert await closed_with(peer) == (1007, "Request contains an invalid argument.")


async def test_turn_without_turn_complete_is_only_context(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send(
        {
            "clientContent": {
                "turns": [{"role": "user", "parts": [{"text": "remember me"}]}],
                "turnComplete": False,
            }
        }
    )
    await peer.send(client_text("now answer"))
    text = reply_text(await peer.turn())
    assert '"now answer"' in text and 'Earlier you said "remember me"' in text
    await peer.close()
