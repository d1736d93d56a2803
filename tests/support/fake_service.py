"""A stand-in for the Live service behind `SessionController(open_connection=...)`, for the
controller's reconnect tests: no sockets, no sleeps (the tests run on looptime's loop, whose
clock jumps ahead when nothing is due).

Each connection is protocol-faithful where the controller can tell: it keeps a real LiveSession
(the state table, the goAway deadline, the resumption handle, pending calls) fed with the
service's own JSON, it refuses sends once closed, and what was accepted but not sent comes back
from `unsent_messages()` as the real transport's does.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from liveview.errors import ConnectionFailedError, LiveViewError
from liveview.protocol import events as ev
from liveview.protocol import messages as msg
from liveview.protocol.session import LiveSession

Json = dict[str, Any]
_END = object()


class FakeConnection:
    def __init__(self, setup: msg.Setup, clock: Callable[[], float]) -> None:
        self.setup = setup
        self.session = LiveSession()
        self.session.send(setup)
        self._clock = clock
        self.sent: list[msg.ClientMessage] = []
        self.held: list[msg.ClientMessage] = []  # accepted, never "sent" (a dead link)
        self.holding = False
        self.closed = False
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._pending: deque[ev.Event] = deque()
        self.receive({"setupComplete": {}})
        for event in list(self._pending):  # open() returns after setupComplete
            if isinstance(event, ev.SetupComplete):
                self._pending.remove(event)

    # -- what the service does -------------------------------------------------------------

    def receive(self, *messages: Json) -> None:
        """The service sends these (parsed now, on the loop's clock, like the transport)."""
        for message in messages:
            self._pending.extend(self.session.receive(json.dumps(message), self._clock()))
        self._queue.put_nowait(None)

    def cut(self, error: LiveViewError | None = None) -> None:
        """The connection ends: with `error` (a drop, a close code), or normally."""
        self._queue.put_nowait(error if error is not None else _END)

    # -- what the controller uses ----------------------------------------------------------

    @property
    def events_pending(self) -> bool:
        return bool(self._pending)

    async def events(self) -> AsyncIterator[ev.Event]:
        while True:
            while self._pending:
                yield self._pending.popleft()
            item = await self._queue.get()
            if item is _END:
                self.closed = True
                return
            if isinstance(item, LiveViewError):
                self.closed = True
                raise item

    def send(self, message: msg.ClientMessage) -> bool:
        if self.closed:
            raise ConnectionFailedError("the connection is closed")
        self.session.send(message)
        (self.held if self.holding else self.sent).append(message)
        return False

    async def close(self, *, drain_timeout_s: float = 0.0) -> None:
        self.closed = True

    def unsent_messages(self) -> list[msg.ClientMessage]:
        return list(self.held)

    def sent_of(self, kind: type[msg.ClientMessage]) -> list[Any]:
        return [m for m in self.sent if isinstance(m, kind)]


class FakeService:
    """`open_connection` for the controller: each open gives a new FakeConnection, or raises
    the next error planned with `refuse()`."""

    def __init__(self) -> None:
        self.connections: list[FakeConnection] = []
        self.attempts = 0
        self._refusals: deque[LiveViewError] = deque()
        self.opened = asyncio.Event()

    def refuse(self, *errors: LiveViewError) -> None:
        self._refusals.extend(errors)

    async def open(self, endpoint: object, setup: msg.Setup, **options: Any) -> FakeConnection:
        self.attempts += 1
        await asyncio.sleep(0)  # a real open yields to the loop
        if self._refusals:
            raise self._refusals.popleft()
        conn = FakeConnection(setup, asyncio.get_running_loop().time)
        self.connections.append(conn)
        self.opened.set()
        return conn

    @property
    def last(self) -> FakeConnection:
        return self.connections[-1]

    def handles_sent(self) -> list[str | None]:
        return [c.setup.config.resumption_handle for c in self.connections]
