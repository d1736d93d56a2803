"""A link that goes dark mid-session: keepalive notices, close() still returns.

The local server answers pings itself (websockets does), so a silent network is made with a
small TCP relay in front of it that stops forwarding when frozen. Real loopback sockets throughout.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from liveview.errors import ConnectionFailedError
from liveview.protocol import events as ev
from liveview.protocol.messages import ClientTurns, Setup, SetupConfig
from liveview.server import LocalLiveServer
from liveview.transport import LiveConnection, local_endpoint

TEXT_SETUP = Setup(SetupConfig(model="gemini-test", response_modalities=("TEXT",)))
RELAY_CHUNK_BYTES = 65_536


class FreezingRelay:
    """Forwards TCP both ways until `freeze()`; then reads and drops everything, like a dead link."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._frozen = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    def freeze(self) -> None:
        self._frozen = True

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        self._writers += [writer, up_writer]
        for src, dst, name in ((reader, up_writer, "up"), (up_reader, writer, "down")):
            task = asyncio.create_task(self._pump(src, dst), name=f"test-relay-{name}")
            self._tasks.add(task)

    async def _pump(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        while data := await src.read(RELAY_CHUNK_BYTES):
            if not self._frozen:
                dst.write(data)
                await dst.drain()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


@pytest.fixture
async def relay() -> AsyncIterator[FreezingRelay]:
    async with LocalLiveServer(use_espeak=False, strict=False) as server:
        parts = urlsplit(server.url)
        assert parts.hostname is not None and parts.port is not None
        relay = FreezingRelay(parts.hostname, parts.port)
        await relay.start()
        try:
            yield relay
        finally:
            await relay.stop()


def relay_endpoint(relay: FreezingRelay) -> str:
    return f"ws://127.0.0.1:{relay.port}/"


async def test_keepalive_detects_a_dead_link(relay: FreezingRelay) -> None:
    conn = await LiveConnection.open(
        local_endpoint(relay_endpoint(relay)),
        TEXT_SETUP,
        keepalive_interval_s=0.2,
        keepalive_timeout_s=0.3,
    )
    seen: list[ev.Event] = []
    with pytest.raises(ConnectionFailedError) as info:
        async for event in conn.events():
            seen.append(event)
            if isinstance(event, ev.SessionResumptionUpdate):
                relay.freeze()
    assert "stopped answering (no reply to keepalive pings)" in str(info.value)
    assert isinstance(seen[0], ev.SetupComplete)
    assert conn.closed
    await conn.close()


async def test_close_returns_on_a_dead_link(relay: FreezingRelay) -> None:
    conn = await LiveConnection.open(
        local_endpoint(relay_endpoint(relay)), TEXT_SETUP, keepalive_interval_s=None
    )
    relay.freeze()
    conn.send(ClientTurns.typed("this will never arrive"))
    await conn.close()  # bounded by the close timeout, whatever the peer does
    assert conn.closed
