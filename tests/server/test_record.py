"""--record FILE: every client message, unchanged, one per line; and the in-memory record."""

from __future__ import annotations

import json
from pathlib import Path

from liveview.server import LocalLiveServer
from tests.support.peer import audio, client_text, open_peer, text_setup


async def test_record_file_holds_every_message_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "record.jsonl"
    sent = [
        json.dumps(text_setup()),
        '{"realtimeInput":  {"text": "spaces   kept"}}',
        json.dumps(client_text("second")).encode(),  # a binary frame is recorded as its text
    ]
    # The replies' speech at 10x real time: only what the peer sent is looked at.
    async with LocalLiveServer(record_path=path, audio_pacing=0.1) as server:
        peer = await open_peer(server.url, sent[0])  # type: ignore[arg-type]
        await peer.send(sent[1])
        await peer.turn()
        await peer.send(sent[2])
        await peer.turn()
        await peer.close()
        pretty = await open_peer(server.url, json.dumps(text_setup(), indent=2))  # type: ignore[arg-type]
        await pretty.close()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:3] == [sent[0], sent[1], sent[2].decode()]
    assert json.loads(lines[3]) == text_setup(), "a multi-line message is kept on one line"
    assert server.received[0] == [json.loads(s) for s in sent]
    assert server.connections[0].received_kinds == ["setup", "realtimeInput.text", "clientContent"]


async def test_memory_record_keeps_the_newest_messages_within_its_budget() -> None:
    async with LocalLiveServer(memory_record_bytes=2_000, audio_pacing=0.1) as server:
        peer = await open_peer(server.url)
        for _ in range(40):
            await peer.send(audio(bytes(75)))
        await peer.send({"realtimeInput": {"text": "last"}})
        await peer.turn()
        await peer.close()
    info = server.connections[0]
    assert info.received_dropped > 0
    assert sum(len(json.dumps(m)) for m in info.received) <= 2_500
    assert info.received[-1] == {"realtimeInput": {"text": "last"}}
    assert len(info.received) + info.received_dropped == 42
