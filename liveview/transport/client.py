"""One live connection: connect, set up, then send and receive concurrently until closed.

    conn = await LiveConnection.open(endpoint, Setup(cfg))   # returns after setupComplete
    conn.send(VideoFrame(jpeg))                              # never blocks: goes to a lane
    async for event in conn.events():                              # the receive pump
        ...
    await conn.close()

The protocol rules live in `LiveSession` (sans I/O); this module only moves its wire text over a
`websockets` connection, owns the sender task, and turns every way a connection can fail into one
error from liveview/errors.py with a message the user can act on. Reconnecting is the caller's
job (core/): this class holds exactly one connection.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from types import TracebackType

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from liveview.errors import (
    ConnectionFailedError,
    FatalServiceError,
    LiveViewError,
    LocalProtocolError,
    RemoteProtocolError,
)
from liveview.protocol import events as ev
from liveview.protocol import messages as msg
from liveview.protocol.close_codes import CloseKind, classify_close
from liveview.protocol.events import ProtocolErrorEvent
from liveview.protocol.session import LiveSession, SessionState
from liveview.protocol.setup_rules import blame
from liveview.transport.connect import (
    KEEPALIVE_INTERVAL_S,
    KEEPALIVE_TIMEOUT_S,
    MAX_MESSAGE_BYTES,
    OPEN_TIMEOUT_S,
    connect_websocket,
    verdict_error,
)
from liveview.transport.endpoint import Endpoint
from liveview.transport.errors import StaleHandleError
from liveview.transport.lanes import LaneCounters, Message, OutgoingLanes
from liveview.transport.wire import (
    Direction,
    WireHook,
    WireRecord,
    server_message_kind,
    summarize_client_message,
    summarize_server_events,
    wire_size,
)

log = logging.getLogger(__name__)

SETUP_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class ConnectionStats:
    messages_up: int
    bytes_up: int
    messages_down: int
    bytes_down: int
    protocol_errors: int
    lanes: LaneCounters
    queued: int  # messages waiting in the lanes now


class LiveConnection:
    """Use `await LiveConnection.open(...)`; the constructor is internal."""

    def __init__(
        self,
        endpoint: Endpoint,
        ws: ClientConnection,
        session: LiveSession,
        *,
        clock: Callable[[], float],
        on_wire: WireHook | None,
        lanes: OutgoingLanes | None,
    ) -> None:
        self._endpoint = endpoint
        self._ws = ws
        self._session = session
        self._clock = clock
        self._on_wire = on_wire
        self._lanes = lanes if lanes is not None else OutgoingLanes()
        self._pending: deque[ev.Event] = deque()  # received, not yet handed to events()
        self._sender: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()  # set while the lanes are empty and nothing is in flight
        self._idle.set()
        self._in_flight: Message | None = None  # taken from a lane, not yet on the socket
        self._unsent: list[Message] = []
        self._receiving = False
        self._closing = False  # close() was called: the end of the socket is ours
        self._closed = False
        self._messages_up = self._bytes_up = 0
        self._messages_down = self._bytes_down = 0
        self._protocol_errors = 0

    @classmethod
    async def open(
        cls,
        endpoint: Endpoint,
        setup_message: msg.Setup,
        *,
        open_timeout_s: float = OPEN_TIMEOUT_S,
        setup_timeout_s: float = SETUP_TIMEOUT_S,
        keepalive_interval_s: float | None = KEEPALIVE_INTERVAL_S,
        keepalive_timeout_s: float | None = KEEPALIVE_TIMEOUT_S,
        max_size: int = MAX_MESSAGE_BYTES,
        clock: Callable[[], float] = time.monotonic,
        on_wire: WireHook | None = None,
        lanes: OutgoingLanes | None = None,
    ) -> LiveConnection:
        """Connect, send `setup_message`, and return once the server sent setupComplete.

        Raises ConnectionFailedError (unreachable, timed out, no setupComplete, dropped),
        FatalServiceError / TransientServiceError / StaleHandleError (the service refused: HTTP
        status at upgrade or a close code during setup), LocalProtocolError (not a setup message).
        """
        session = LiveSession()
        setup_text = session.send(setup_message)  # refuses anything but a setup, before any I/O
        ws = await connect_websocket(
            endpoint,
            open_timeout_s=open_timeout_s,
            keepalive_interval_s=keepalive_interval_s,
            keepalive_timeout_s=keepalive_timeout_s,
            max_size=max_size,
        )
        conn = cls(endpoint, ws, session, clock=clock, on_wire=on_wire, lanes=lanes)
        try:
            await conn._set_up(setup_message, setup_text, setup_timeout_s)
        except BaseException:
            await conn._abort()
            raise
        conn._sender = asyncio.create_task(
            conn._send_loop(), name=f"liveview-send {endpoint.description}"
        )
        return conn

    async def _set_up(self, setup_message: msg.Setup, setup_text: str, timeout_s: float) -> None:
        started = self._clock()
        try:
            async with asyncio.timeout(timeout_s):
                await self._ws.send(setup_text)
                self._count_out(setup_message, setup_text)
                while self._session.state is not SessionState.ACTIVE:
                    self._pending.extend(self._receive_frame(await self._ws.recv()))
        except TimeoutError:
            raise ConnectionFailedError(
                f"{self._endpoint.description} accepted the connection but never finished setup "
                f"(no setupComplete within {timeout_s:g} s). The service may be overloaded, or the "
                "URL may not point at a Live server; try again later or check the URL."
            ) from None
        except ConnectionClosed as exc:
            raise self._setup_close_error(exc, setup_message) from None
        log.info(
            "session set up with %s in %.0f ms",
            self._endpoint.description,
            (self._clock() - started) * 1000,
        )

    # -- sending ---------------------------------------------------------------------------

    def send(self, message: msg.ClientMessage) -> bool:
        """Queue one client message (never blocks). True when something older was dropped for
        it: a video frame replaces an unsent one; an audio chunk past the bound drops the
        oldest.

        Raises ConnectionFailedError once the connection is closed, LocalProtocolError when the
        session state forbids the message (a second setup), SendBacklogError when the uplink is
        stalled with 1000 typed turns or tool responses waiting.
        """
        if self._closed or self._closing:
            raise ConnectionFailedError(f"the connection to {self._endpoint.description} is closed")
        if not isinstance(message, msg.ClientMessage):
            raise LocalProtocolError(f"{type(message).__name__} is not a Live client message")
        if not self._session.can_send(type(message)):
            raise LocalProtocolError(
                f"cannot send {message.kind} while the session is {self._session.state.value}"
            )
        dropped = self._lanes.put(message)
        self._idle.clear()
        return dropped

    async def _send_loop(self) -> None:
        try:
            while True:
                if not self._lanes:
                    self._idle.set()
                message = await self._lanes.get()
                try:
                    text = self._session.send(message)
                except (LocalProtocolError, TypeError, ValueError) as exc:
                    # send() checked the state already: this is a bug, not a network problem.
                    log.error("dropped a %s message liveview cannot send: %s", message.kind, exc)
                    continue
                self._in_flight = message
                await self._ws.send(text)
                self._in_flight = None
                self._count_out(message, text)
        except ConnectionClosed:
            # events() reports why; keep what was not sent for unsent_messages().
            self._mark_closed()
        except Exception:
            log.exception("the sender of %s failed", self._endpoint.description)
            self._mark_closed()
            await self._ws.close(1011, "client sender failed")

    def _count_out(self, message: msg.ClientMessage, text: str) -> None:
        size = wire_size(text)
        self._messages_up += 1
        self._bytes_up += size
        summary = summarize_client_message(message)
        self._wire(WireRecord(Direction.OUT, message.kind, size, summary, message))

    # -- receiving -------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[ev.Event]:
        """Server events in order, until the connection closes.

        Ends normally after a normal close (1000/1001, or our own close()). Otherwise raises
        ConnectionFailedError (dropped without a close frame, keepalive timeout) or the
        ServiceError subclass the close code and reason map to. A malformed message yields a
        ProtocolErrorEvent and the session goes on. One consumer at a time; breaking out and
        calling events() again later resumes where it stopped.
        """
        while True:
            # Events wait in a deque, so a consumer that breaks out mid-message and calls
            # events() again later loses nothing.
            while self._pending:
                yield self._pending.popleft()
            if self._receiving:
                raise RuntimeError("events() is already being awaited by another task")
            self._receiving = True
            try:
                frame = await self._ws.recv()
            except ConnectionClosed as exc:
                self._mark_closed()
                error = self._close_error(exc, during_setup=False)
                if error is None:
                    return
                raise error from None
            finally:
                self._receiving = False
            self._pending.extend(self._receive_frame(frame))

    def _receive_frame(self, frame: str | bytes) -> list[ev.Event]:
        size = len(frame) if isinstance(frame, bytes) else wire_size(frame)
        self._messages_down += 1
        self._bytes_down += size
        try:
            events = self._session.receive(frame, self._clock())
        except RemoteProtocolError as exc:
            self._protocol_errors += 1
            text = self._endpoint.redact(str(exc))
            log.warning("skipped a malformed message from %s: %s", self._endpoint.description, text)
            self._wire(WireRecord(Direction.IN, "malformed", size, text))
            return [ProtocolErrorEvent(text)]
        kind, summary = server_message_kind(events), summarize_server_events(events)
        self._wire(WireRecord(Direction.IN, kind, size, summary))
        return events

    def _setup_close_error(self, exc: ConnectionClosed, setup_message: msg.Setup) -> LiveViewError:
        """A close before setupComplete. When a field of our setup explains it (a setting the
        model refuses), it is fatal and names the setting: retrying the same setup cannot
        help, whatever the code says (a refused TEXT on gemini-3.1 closes 1011)."""
        error = self._close_error(exc, during_setup=True)
        rcvd = exc.rcvd
        explained = error is not None and error.setting is not None
        if rcvd is not None and not explained and not isinstance(error, StaleHandleError):
            reason = self._endpoint.redact(rcvd.reason)
            blamed = blame(setup_message.to_wire()["setup"], rcvd.code, reason)
            if blamed is not None:
                setting, message = blamed
                return FatalServiceError(message, code=rcvd.code, reason=reason, setting=setting)
        return error or ConnectionFailedError("the connection closed during setup")

    def _close_error(self, exc: ConnectionClosed, *, during_setup: bool) -> LiveViewError | None:
        """What a closed socket means: None for a normal end, else the error to raise."""
        desc = self._endpoint.description
        if self._closing and not during_setup:
            return None
        sent, rcvd = exc.sent, exc.rcvd
        if sent is not None and (rcvd is None or exc.rcvd_then_sent is False):
            # We closed first: websockets does so on keepalive timeout or an oversized message.
            if sent.code == 1011 and "keepalive" in sent.reason:
                return ConnectionFailedError(
                    f"{desc} stopped answering (no reply to keepalive pings); the connection "
                    "was dropped. Check your network connection."
                )
            if sent.code == 1009:
                return ConnectionFailedError(
                    f"{desc} sent a message larger than the client accepts; the connection "
                    "was closed."
                )
            return ConnectionFailedError(
                f"liveview closed the connection to {desc}: {sent.code} {sent.reason}".strip()
            )
        if rcvd is None:
            return ConnectionFailedError(
                f"The connection to {desc} was lost without a close frame (network drop or a "
                "server crash)."
            )
        reason = self._endpoint.redact(rcvd.reason)
        verdict = classify_close(rcvd.code, reason)
        if verdict.kind is CloseKind.NORMAL:
            if not during_setup:
                return None
            return ConnectionFailedError(
                f"{desc} closed the connection before setup finished ({rcvd.code} {reason})."
            )
        return verdict_error(verdict, code=rcvd.code, reason=reason)

    # -- lifecycle -------------------------------------------------------------------------

    def _mark_closed(self) -> None:
        self._closed = True
        self._session.close()
        self._idle.set()  # nothing more will be sent: release close(drain_timeout_s=...)

    async def close(self, *, drain_timeout_s: float = 0.0) -> None:
        """Stop sending and close the socket with 1000. Idempotent; never raises on a dead link.

        With `drain_timeout_s`, first wait up to that long for queued messages to go out (e.g. a
        typed turn just before exit); whatever is left is in `unsent_messages()`.
        """
        if self._closing:
            return
        if drain_timeout_s > 0 and not self._closed:
            try:
                async with asyncio.timeout(drain_timeout_s):
                    await self._idle.wait()
            except TimeoutError:
                log.info("closing with %d messages unsent", len(self._lanes))
        self._closing = True
        await self._stop_sender()
        try:
            await self._ws.close()
        finally:
            self._mark_closed()

    async def _stop_sender(self) -> None:
        task, self._sender = self._sender, None
        if task is None:
            return
        task.cancel()
        # asyncio.wait does not re-raise the task's CancelledError, only our own cancellation.
        await asyncio.wait([task])
        if self._in_flight is not None:
            self._unsent.append(self._in_flight)
            self._in_flight = None

    async def _abort(self) -> None:
        self._closing = True
        self._mark_closed()
        await self._ws.close()

    def unsent_messages(self) -> list[Message]:
        """After close: messages accepted by send() that never reached the socket, in order.
        Asking twice gives the same answer (the caller decides what to carry over)."""
        if not self._closed:
            raise RuntimeError("unsent_messages() is only meaningful once the connection closed")
        in_flight = [self._in_flight] if self._in_flight is not None else []
        return [*self._unsent, *in_flight, *self._lanes.pending()]

    async def __aenter__(self) -> LiveConnection:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- state -----------------------------------------------------------------------------

    @property
    def endpoint(self) -> Endpoint:
        return self._endpoint

    @property
    def session(self) -> LiveSession:
        """Resumption handle, goAway deadline (on `clock`), model_turn_active, pending tools."""
        return self._session

    @property
    def lanes(self) -> OutgoingLanes:
        return self._lanes

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def events_pending(self) -> bool:
        """Events of a message already received wait for events(): the message is not fully
        handled yet (a caller that moves to a new connection waits for its end)."""
        return bool(self._pending)

    @property
    def stats(self) -> ConnectionStats:
        return ConnectionStats(
            messages_up=self._messages_up,
            bytes_up=self._bytes_up,
            messages_down=self._messages_down,
            bytes_down=self._bytes_down,
            protocol_errors=self._protocol_errors,
            lanes=LaneCounters(**vars(self._lanes.counters)),
            queued=len(self._lanes),
        )

    def _wire(self, record: WireRecord) -> None:
        if self._on_wire is None:
            return
        try:
            self._on_wire(record)
        except Exception:
            # The inspector must never take the session down.
            log.exception("the on_wire hook failed")
