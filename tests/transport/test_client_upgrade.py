"""LiveConnection.open against failures before the WebSocket exists, over real loopback sockets.

The local Live server always accepts the upgrade, so the behaviours here (HTTP status at upgrade,
a refused port, a peer that never answers the handshake) use tiny servers defined in this file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from http import HTTPStatus

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from liveview.errors import (
    ConnectionFailedError,
    FatalServiceError,
    Setting,
    TransientServiceError,
)
from liveview.protocol.messages import Setup, SetupConfig
from liveview.transport import LiveConnection, custom_endpoint, gemini_endpoint, local_endpoint
from tests.support.net import closed_port

KEY = "AIzaSyUPGRADEKEY-0123456789abcdefghijk"
SETUP = Setup(SetupConfig(model="gemini-test"))


class StatusServer:
    """Answers every upgrade with a fixed HTTP status; remembers the auth header it got."""

    def __init__(self, status: int, body: str = "") -> None:
        self.status = status
        self.body = body
        self.seen_keys: list[str | None] = []

    def process_request(self, connection: ServerConnection, request: Request) -> Response:
        self.seen_keys.append(request.headers.get("x-goog-api-key"))
        response = connection.respond(HTTPStatus(self.status), self.body)
        return response


@pytest.fixture
async def status_server() -> AsyncIterator[tuple[StatusServer, Server]]:
    handler = StatusServer(429)

    async def never(ws: ServerConnection) -> None:  # pragma: no cover - upgrade never succeeds
        await ws.close()

    async with serve(never, "127.0.0.1", 0, process_request=handler.process_request) as server:
        yield handler, server


def _url(server: Server) -> str:
    port = server.sockets[0].getsockname()[1]
    return f"ws://127.0.0.1:{port}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


@pytest.mark.parametrize(
    ("status", "cls", "needle", "setting"),
    [
        (429, FatalServiceError, "HTTP 429", None),
        (401, FatalServiceError, "Settings > API key", Setting.API_KEY),
        (403, FatalServiceError, "HTTP 403", Setting.API_KEY),
        (404, FatalServiceError, "HTTP 404", Setting.URL),
        (503, TransientServiceError, "HTTP 503", None),
    ],
)
async def test_http_status_at_upgrade(
    status_server: tuple[StatusServer, Server],
    status: int,
    cls: type[Exception],
    needle: str,
    setting: Setting | None,
) -> None:
    handler, server = status_server
    handler.status = status
    endpoint = custom_endpoint(_url(server), api_key=KEY)
    with pytest.raises(cls) as info:
        await LiveConnection.open(endpoint, SETUP, open_timeout_s=5)
    assert needle in str(info.value)
    assert KEY not in str(info.value)
    assert getattr(info.value, "setting", None) is setting
    assert handler.seen_keys == [KEY]  # the key did reach the (loopback) server, in the header


async def test_http_200_is_not_a_live_endpoint(status_server: tuple[StatusServer, Server]) -> None:
    handler, server = status_server
    handler.status = 200
    with pytest.raises(ConnectionFailedError, match="instead of accepting a WebSocket"):
        await LiveConnection.open(local_endpoint(_url(server)), SETUP, open_timeout_s=5)


async def test_refused_connection_says_nothing_is_listening() -> None:
    endpoint = local_endpoint(f"ws://127.0.0.1:{closed_port()}/ws")
    with pytest.raises(ConnectionFailedError) as info:
        await LiveConnection.open(endpoint, SETUP, open_timeout_s=5)
    message = str(info.value)
    assert "refused the connection" in message
    assert "Is the server running" in message
    assert "127.0.0.1" in message


async def test_unresolvable_host_is_a_connection_failure() -> None:
    # .invalid never resolves (RFC 6761), so this needs no network.
    endpoint = local_endpoint("ws://liveview-test.invalid:9/ws")
    with pytest.raises(ConnectionFailedError, match=r"name lookup failed|Could not connect"):
        await LiveConnection.open(endpoint, SETUP, open_timeout_s=5)


async def test_open_timeout_when_the_peer_never_answers_the_handshake() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # accept TCP, never answer HTTP

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(ConnectionFailedError) as info:
            await LiveConnection.open(
                local_endpoint(f"ws://127.0.0.1:{port}/ws"), SETUP, open_timeout_s=0.3
            )
        assert "within 0.3 s" in str(info.value)
        assert accepted
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_peer_that_is_not_http_gives_a_clear_message() -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH_9.2\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(ConnectionFailedError, match="did not answer as a Live WebSocket"):
            await LiveConnection.open(local_endpoint(f"ws://127.0.0.1:{port}/ws"), SETUP)
    finally:
        server.close()
        await server.wait_closed()


async def test_debug_logs_never_show_the_key(
    status_server: tuple[StatusServer, Server], caplog: pytest.LogCaptureFixture
) -> None:
    handler, server = status_server
    handler.status = 401
    port = server.sockets[0].getsockname()[1]
    token = "auth_tokens/SECRET-ephemeral-0123"
    endpoints = [
        custom_endpoint(_url(server), api_key=KEY),
        gemini_endpoint(token, host=f"127.0.0.1:{port}", scheme="ws"),
        custom_endpoint(_url(server) + "?key=QUERYKEY987"),
    ]
    caplog.set_level(logging.DEBUG)
    for endpoint in endpoints:
        with pytest.raises(FatalServiceError) as info:
            await LiveConnection.open(endpoint, SETUP, open_timeout_s=5)
        assert not any(s in str(info.value) for s in (KEY, token, "QUERYKEY987"))
    # Only the client's records: the test server above logs what it received, key included.
    text = "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith("websockets.server")
    )
    assert "websockets.client" in {r.name for r in caplog.records}
    # websockets logged the request headers at DEBUG: the header names are there, the values not.
    assert "x-goog-api-key: <redacted>" in text
    assert "Authorization: Token <redacted>" in text
    assert "key=<redacted>" in text
    for secret in (KEY, token, "SECRET-ephemeral", "QUERYKEY987"):
        assert secret not in text
