"""LocalLiveServer: the Live API on loopback, as the embedded backend and the test peer.

Embedding in a program that has its own event loop (the GUI's): run it on its own loop in a
background thread, so its OpenCV and speech work never slows the caller's loop:

    server = LocalLiveServer()
    url = server.start_in_thread()          # "ws://127.0.0.1:PORT"
    ...
    server.stop_thread()

In a test or any asyncio program: `async with LocalLiveServer() as server: server.url`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from liveview.errors import ConfigError
from liveview.server import models_endpoint, texts
from liveview.server.connection import Connection
from liveview.server.faults import Fault, FaultSwitches
from liveview.server.records import ConnectionInfo, RecordWriter, decoded, record_line
from liveview.server.resumption import HandleStore
from liveview.server.settings import MAX_MESSAGE_BYTES, ServerSettings

_GEMINI = "/ws/google.ai.generativelanguage.{}.GenerativeService.BidiGenerateContent"
# The real service's paths, each with the API version a "model not found" reason names.
PATHS: dict[str, str] = {
    **{_GEMINI.format(v): v for v in texts.API_VERSIONS},
    _GEMINI.format("v1alpha") + "Constrained": "v1alpha",
    "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent": "v1beta1",
    "/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent": "v1",
    "/": "v1beta",
}
THREAD_START_TIMEOUT_S = 10.0


def _offered_keys(request: Request) -> list[str]:
    """Every place a client may put a key or token (never logged)."""
    query = parse_qs(urlsplit(request.path).query)
    keys = [*query.get("key", []), *query.get("access_token", [])]
    if header := request.headers.get("x-goog-api-key"):
        keys.append(header)
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() in ("bearer", "token") and token:
        keys.append(token.strip())
    return keys


class LocalLiveServer:
    """A Gemini Live compatible WebSocket server with honest local replies.

    Options: `settings` (a ServerSettings) and/or any of its fields as keyword arguments
    (api_key, lifetime_s, go_away_lead_s, retired_models, use_espeak, ...), `record_path` for the
    JSON-lines record, `faults` for pre-planned faults (or use `server.faults` at run time).
    """

    def __init__(
        self,
        *,
        settings: ServerSettings | None = None,
        record_path: str | Path | None = None,
        faults: FaultSwitches | None = None,
        **overrides: Any,
    ) -> None:
        try:
            self.settings = dataclasses.replace(settings or ServerSettings(), **overrides)
        except TypeError as exc:
            raise ConfigError(f"unknown local server option: {exc}") from exc
        self.record_path = Path(record_path) if record_path is not None else None
        self.faults = faults or FaultSwitches()
        self.handles = HandleStore(self.settings.handle_ttl_s)
        self.connections: list[ConnectionInfo] = []
        self._kept: deque[tuple[ConnectionInfo, int]] = deque()  # in-memory record, oldest first
        self._kept_bytes = 0
        self._live: set[Connection] = set()
        self._server: Server | None = None
        self._writer: RecordWriter | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._url = ""
        self._thread: threading.Thread | None = None
        self._thread_stop: asyncio.Event | None = None
        self._thread_error: BaseException | None = None

    @property
    def url(self) -> str:
        if not self._url:
            raise ConfigError("the local server is not running")
        return self._url

    @property
    def received(self) -> list[list[dict[str, Any]]]:
        """Per connection, in accept order: every client message as decoded JSON."""
        return [info.received for info in self.connections]

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._server is not None:
            raise ConfigError("the local server is already running")
        self._loop = asyncio.get_running_loop()
        if self.record_path is not None:
            self._writer = await asyncio.to_thread(RecordWriter, self.record_path)
        self._server = await serve(
            self._handle,
            host,
            port,
            process_request=self._check_path,
            compression=None,  # JPEG and PCM do not deflate; deflate only costs time
            max_size=MAX_MESSAGE_BYTES,
        )
        sockname = self._server.sockets[0].getsockname()
        shown = f"[{sockname[0]}]" if ":" in sockname[0] else sockname[0]
        self._url = f"ws://{shown}:{sockname[1]}"
        self.faults.set_now_hook(self._now_hook)
        return self._url

    async def stop(self) -> None:
        self.faults.set_now_hook(None)
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._writer is not None:
            await asyncio.to_thread(self._writer.close)
            self._writer = None
        self._url = ""

    async def __aenter__(self) -> LocalLiveServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- running on its own loop in a thread ------------------------------------------------
    def start_in_thread(
        self, host: str = "127.0.0.1", port: int = 0, timeout_s: float = THREAD_START_TIMEOUT_S
    ) -> str:
        """Serve on a new event loop in a daemon thread; returns the URL once it accepts."""
        ready = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._thread_main(host, port, ready)),
            name="liveview-local-server",
            daemon=True,
        )
        self._thread.start()
        if not ready.wait(timeout_s):
            raise ConfigError("the local server did not start in time")
        if self._thread_error is not None:
            raise ConfigError(f"the local server could not start: {self._thread_error}")
        return self.url

    async def _thread_main(self, host: str, port: int, ready: threading.Event) -> None:
        self._thread_stop = asyncio.Event()
        try:
            await self.start(host, port)
        except OSError as exc:
            self._thread_error = exc
            ready.set()
            return
        ready.set()
        try:
            await self._thread_stop.wait()
        finally:
            await self.stop()

    def stop_thread(self, timeout_s: float = THREAD_START_TIMEOUT_S) -> None:
        loop, stop, thread = self._loop, self._thread_stop, self._thread
        if loop is not None and stop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(stop.set)
        if thread is not None:
            thread.join(timeout_s)
        self._thread = None

    # --- connections --------------------------------------------------------------------------
    def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        if models_endpoint.is_models_path(request.path):
            return self._models_list(connection, request)
        if urlsplit(request.path).path not in PATHS:
            return connection.respond(HTTPStatus.NOT_FOUND, "Not Found\n")
        rejection = self.faults.take_rejection()
        if rejection is not None:
            return _http_error(connection, rejection.code)
        return None

    def _models_list(self, connection: ServerConnection, request: Request) -> Response:
        """models.list over plain HTTP GET on the same port (the service's JSON and paging)."""
        if self.settings.api_key is not None and self.settings.api_key not in _offered_keys(
            request
        ):
            status, body = HTTPStatus.BAD_REQUEST, models_endpoint.bad_key_body()
        else:
            status, body = models_endpoint.models_page(urlsplit(request.path).query)
        response = connection.respond(status, models_endpoint.encode(body))
        response.headers["Content-Type"] = "application/json; charset=UTF-8"
        return response

    async def _handle(self, ws: ServerConnection) -> None:
        request = ws.request
        assert request is not None
        path = urlsplit(request.path).path
        info = ConnectionInfo(len(self.connections), path, PATHS.get(path, "v1beta"))
        self.connections.append(info)
        key_ok = self.settings.api_key is None or self.settings.api_key in _offered_keys(request)

        async def record(raw: str | bytes) -> None:
            self._remember(info, raw)
            if self._writer is not None:
                line = record_line(raw)
                if not self._writer.try_write(line):
                    await asyncio.to_thread(self._writer.write_blocking, line)

        connection = Connection(
            ws,
            info=info,
            settings=self.settings,
            handles=self.handles,
            faults=self.faults,
            record=record,
            key_ok=key_ok,
        )
        self._live.add(connection)
        try:
            await connection.serve()
        finally:
            self._live.discard(connection)

    def _remember(self, info: ConnectionInfo, raw: str | bytes) -> None:
        info.received.append(decoded(raw))
        budget = self.settings.memory_record_bytes
        if budget is None:
            return
        self._kept.append((info, len(raw)))
        self._kept_bytes += len(raw)
        while self._kept_bytes > budget and len(self._kept) > 1:
            oldest, size = self._kept.popleft()
            del oldest.received[0]  # FIFO per connection, like the deque across them
            oldest.received_dropped += 1
            self._kept_bytes -= size

    def _now_hook(self, action: Fault) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            raise ConfigError("the local server is not running")
        loop.call_soon_threadsafe(self._apply_now, action)

    def _apply_now(self, action: Fault) -> None:
        for connection in list(self._live):
            connection.apply_now(action)

    @property
    def open_connections(self) -> int:
        return len(self._live)


_HTTP_ERRORS = {
    429: ("RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."),
    503: ("UNAVAILABLE", "The service is currently unavailable."),
    403: ("PERMISSION_DENIED", "The caller does not have permission"),
}


def _http_error(connection: ServerConnection, status: int) -> Response:
    """A refused upgrade with a Google-style JSON error body."""
    name, message = _HTTP_ERRORS.get(status, ("UNKNOWN", HTTPStatus(status).phrase))
    body = json.dumps({"error": {"code": status, "message": message, "status": name}})
    response = connection.respond(HTTPStatus(status), body + "\n")
    response.headers["Content-Type"] = "application/json; charset=UTF-8"
    return response


@contextmanager
def running_in_thread(
    server: LocalLiveServer | None = None, host: str = "127.0.0.1", port: int = 0
) -> Iterator[LocalLiveServer]:
    """`with running_in_thread() as server: server.url` — for code without an event loop."""
    server = server or LocalLiveServer()
    server.start_in_thread(host, port)
    try:
        yield server
    finally:
        server.stop_thread()
