"""One client connection: setup first, then the receive loop, the lifetime clock and faults."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import time
from collections.abc import Awaitable, Callable
from typing import NoReturn

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from liveview.protocol.catalogue import bare_id, lookup
from liveview.server import inbound, outbound, texts
from liveview.server.admission import refusal_for
from liveview.server.faults import Fault, FaultKind, FaultPoint, FaultSwitches
from liveview.server.inbound import Setup
from liveview.server.inbound_errors import ClientProtocolError
from liveview.server.outbound import Obj
from liveview.server.records import ConnectionInfo
from liveview.server.replier import Replier
from liveview.server.replies import Turn
from liveview.server.resumption import Conversation, HandleStore
from liveview.server.settings import ServerSettings
from liveview.server.tools import tool_request
from liveview.server.vad import EnergyVad, summarise_audio
from liveview.server.vision import FrameTracker

Record = Callable[[str | bytes], Awaitable[None]]
MALFORMED_JSON = b'{"serverContent": {"modelTurn": {"parts": [{"text": "cut off'


class ConnectionDone(Exception):
    """Ends a connection's tasks (the connection was closed, dropped or finished)."""


class Connection:
    def __init__(
        self,
        ws: ServerConnection,
        *,
        info: ConnectionInfo,
        settings: ServerSettings,
        handles: HandleStore,
        faults: FaultSwitches,
        record: Record,
        key_ok: bool,
    ) -> None:
        self.ws = ws
        self.info = info
        self._settings = settings
        self._handles = handles
        self._faults = faults
        self._record = record
        self._key_ok = key_ok
        self._stalled = False
        self._unknown_fields_pending = False
        self._turn_fault: Fault | None = None
        self._tg: asyncio.TaskGroup | None = None
        self._consumed = -1  # lastConsumedClientMessageIndex
        self._tracker = FrameTracker()
        self._vad = EnergyVad(threshold_dbfs=settings.vad_threshold_dbfs)
        self._ptt: bytearray | None = None  # push-to-talk audio while activityStart..End
        self._ptt_rate_hz = inbound.MIC_DEFAULT_RATE_HZ
        self._audio_in_s = 0.0
        self._audio_tokens = 0
        self._video_started = asyncio.Event()
        self.setup: Setup | None = None
        self.conversation = Conversation()
        self.replier: Replier | None = None

    # --- the connection's life ----------------------------------------------------------------
    async def serve(self) -> None:
        try:
            # One task group for the connection's whole life: an immediate fault (a task) can
            # land even while the setup is still being read.
            async with asyncio.TaskGroup() as tg:
                self._tg = tg
                await self._live()
        except* (ConnectionDone, ConnectionClosed):
            pass
        finally:
            self._tg = None

    async def _live(self) -> None:
        fault = self._faults.take_for_connection()
        self.info.fault = fault
        if fault is not None and fault.at is FaultPoint.ACCEPT:
            await self._apply(fault)
        if not await self._handshake():
            return
        if fault is not None and fault.at is FaultPoint.SETUP:
            await self._apply(fault)
        self._turn_fault = fault if fault is not None and fault.at is FaultPoint.TURN else None
        assert self._tg is not None and self.replier is not None
        self._tg.create_task(self._tracker.run(), name="liveview-server-vision")
        self._tg.create_task(self.replier.run(), name="liveview-server-turns")
        self._tg.create_task(self._lifetime(), name="liveview-server-lifetime")
        self._tg.create_task(self._session_limit(), name="liveview-server-session-limit")
        await self._receive_loop()

    async def _recv(self) -> str | bytes:
        raw = await self.ws.recv()
        self._consumed += 1
        await self._record(raw)
        rate = self._faults.read_bytes_per_s
        if rate:
            # A slow uplink: reading stalls, so TCP pushes back on the client's sends.
            await asyncio.sleep(len(raw) / rate)
        return raw

    async def _close(self, code: int, reason: str) -> NoReturn:
        reason = texts.fit_reason(reason)
        self.info.closed_with = (code, reason)
        await self.ws.close(code, reason)
        raise ConnectionDone

    def _drop(self) -> None:
        """Cut TCP with no close frame: the client sees 1006."""
        self.info.dropped = True
        self.ws.transport.abort()

    async def _handshake(self) -> bool:
        raw = await self._recv()
        if not self._key_ok:
            await self._close(texts.CLOSE_INVALID_ARGUMENT, texts.BAD_API_KEY)
        try:
            message = inbound.decode_json(raw)
            top, items = inbound.parse_message(message)
        except ClientProtocolError as exc:
            await self._close(exc.code, exc.reason)
        if top != "setup" or not isinstance(items[0], Setup):
            await self._close(texts.CLOSE_INVALID_ARGUMENT, texts.INVALID_ARGUMENT)
        setup = items[0]
        assert isinstance(setup, Setup)
        body = next(iter(message.values()))
        refused = refusal_for(body, self._settings, self.info.api_version)
        if refused is not None:
            await self._close(*refused)
        if setup.resume_handle:
            restored = self._handles.restore(setup.resume_handle)
            if restored is None:
                await self._close(texts.CLOSE_POLICY, texts.SESSION_NOT_FOUND)
            assert restored is not None
            self.conversation = restored
            self.info.resumed = True
        self.setup = setup
        self.info.setup = setup
        self.info.session_id = self.conversation.session_id
        if setup.silence_duration_ms is not None:
            self._vad.silence_s = max(0.05, setup.silence_duration_ms / 1000)
        self.replier = Replier(
            send=self.send,
            setup=setup,
            model=self._settings.model(bare_id(setup.model)) or lookup(setup.model),
            conversation=self.conversation,
            tracker=self._tracker,
            settings=self._settings,
            info=self.info,
            publish_handle=self._publish_handle,
            on_reply_started=self._reply_started,
        )
        await self.send(outbound.setup_complete(self.conversation.session_id))
        await self._publish_handle(True)
        return True

    async def _lifetime(self) -> None:
        go_away_at = self._settings.go_away_at_s()
        if go_away_at is None or self._settings.lifetime_s is None:
            return
        await asyncio.sleep(go_away_at)
        await self._go_away(self._settings.lifetime_s - go_away_at)

    async def _session_limit(self) -> None:
        """Without contextWindowCompression the service ends a session after ~15 min of audio,
        ~2 min once video was sent (PROTOCOL.md); the time counts across resumptions."""
        assert self.setup is not None
        if self.setup.compression:
            return
        while True:
            limits = [self._settings.audio_session_limit_s]
            if self.conversation.video_seen:
                limits.append(self._settings.video_session_limit_s)
            known = [limit for limit in limits if limit is not None]
            wait_s = None
            if known:
                wait_s = self.conversation.started_at + min(known) - time.monotonic()
            self._video_started.clear()
            if wait_s is not None and wait_s <= 0:
                await self._close(texts.CLOSE_INTERNAL, texts.DEADLINE_EXPIRED)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._video_started.wait(), wait_s)

    async def _go_away(self, time_left_s: float) -> None:
        await self.send(outbound.go_away(time_left_s))
        await asyncio.sleep(time_left_s)
        await self._close(texts.CLOSE_POLICY, texts.LIFETIME_EXPIRED)

    # --- sending --------------------------------------------------------------------------------
    async def send(self, message: Obj) -> None:
        if self._stalled:
            return  # a stalled server reads on but never answers
        if self._unknown_fields_pending:
            self._unknown_fields_pending = False
            message = _with_unknown_fields(message)
        for key in message:
            self.info.sent[key] += 1
        await self.ws.send(outbound.encode(message))  # bytes: a binary frame, like the service

    async def _publish_handle(self, resumable: bool) -> None:
        """sessionResumptionUpdate: a handle only between turns, empty while mid-turn."""
        if self.setup is None or not self.setup.resumption:
            return
        handle = self._handles.issue(self.conversation) if resumable else ""
        # lastConsumedClientMessageIndex belongs to transparent resumption only.
        consumed = self._consumed if self.setup.transparent_resumption else None
        await self.send(outbound.resumption_update(handle, resumable, consumed))

    # --- faults ---------------------------------------------------------------------------------
    async def _apply(self, fault: Fault) -> None:
        await _FAULT_ACTIONS[fault.kind](self, fault)

    async def _fault_drop(self, fault: Fault) -> None:
        self._drop()
        raise ConnectionDone

    async def _fault_close(self, fault: Fault) -> None:
        await self._close(fault.code, fault.close_reason())

    async def _fault_stall(self, fault: Fault) -> None:
        self._stalled = True

    async def _fault_malformed(self, fault: Fault) -> None:
        await self.ws.send(MALFORMED_JSON)

    async def _fault_unknown_fields(self, fault: Fault) -> None:
        self._unknown_fields_pending = True

    async def _fault_go_away(self, fault: Fault) -> None:
        await self._go_away(fault.time_left_s)

    async def _fault_reject(self, fault: Fault) -> None:
        """Handled at the upgrade (LocalLiveServer._check_path): a connection never sees it."""

    async def _reply_started(self) -> None:
        fault, self._turn_fault = self._turn_fault, None
        if fault is not None:
            await self._apply(fault)

    def apply_now(self, fault: Fault) -> None:
        """An immediate fault from `FaultSwitches.*_now()` (called on this server's loop)."""
        if self._tg is not None:
            self._tg.create_task(self._apply(fault), name=f"liveview-server-{fault.kind}")

    # --- receiving ------------------------------------------------------------------------------
    async def _receive_loop(self) -> None:
        while True:
            raw = await self._recv()
            try:
                _top, items = inbound.parse_message(inbound.decode_json(raw))
            except ClientProtocolError as exc:
                await self._close(exc.code, exc.reason)
            for item in items:
                await self._dispatch(item)

    async def _dispatch(self, item: inbound.Item) -> None:
        assert self.replier is not None and self.setup is not None
        match item:
            case inbound.Audio():
                self._on_audio(item)
            case inbound.Video():
                if not self.conversation.video_seen:
                    self.conversation.video_seen = True
                    self._video_started.set()  # the shorter session limit applies from now
                self._tracker.submit(item.data)
                self.info.frames_dropped = self._tracker.dropped
                self.conversation.ledger.image += outbound.IMAGE_TOKENS.get(
                    self.setup.media_resolution, outbound.IMAGE_TOKENS[None]
                )
            case inbound.Text():
                self.replier.submit(Turn("text", item.text, tool=tool_request(item.text)))
            case inbound.ClientTurns():
                self._on_client_turns(item)
            case inbound.ActivityStart():
                if not self.setup.vad_disabled:
                    # activityStart is only valid with automatic activity detection disabled.
                    await self._close(texts.CLOSE_INVALID_ARGUMENT, texts.INVALID_ARGUMENT)
                self._ptt = bytearray()
                self.replier.barge_in()
            case inbound.ActivityEnd():
                if self._ptt is not None:
                    heard = summarise_audio(bytes(self._ptt), self._ptt_rate_hz)
                    self._ptt = None
                    self.replier.submit(Turn("voice", utterance=heard))
            case inbound.AudioStreamEnd():
                if self.setup.vad_disabled and self._settings.strict:
                    # Only for automatic activity detection (the API reference says so);
                    # the strict server holds clients to it.
                    await self._close(texts.CLOSE_INVALID_ARGUMENT, texts.INVALID_ARGUMENT)
                if (flushed := self._vad.flush()) is not None:
                    self.replier.submit(Turn("voice", utterance=flushed))
            case inbound.ToolResponses():
                for result in item.results:
                    if not self.replier.resolve_tool(result):
                        await self._close(texts.CLOSE_INVALID_ARGUMENT, texts.INVALID_ARGUMENT)
            case inbound.Setup():
                await self._close(texts.CLOSE_INVALID_ARGUMENT, texts.INVALID_ARGUMENT)
            case _:
                pass  # contextUpdate: accepted, nothing to do locally

    def _on_audio(self, item: inbound.Audio) -> None:
        assert self.replier is not None and self.setup is not None
        self._audio_in_s += len(item.pcm) / 2 / item.rate_hz
        tokens = int(self._audio_in_s * outbound.AUDIO_TOKENS_PER_S)
        self.conversation.ledger.audio += tokens - self._audio_tokens
        self._audio_tokens = tokens
        if self.setup.vad_disabled:
            if self._ptt is not None:
                self._ptt_rate_hz = item.rate_hz
                self._ptt += item.pcm
                limit = int(self._settings.ptt_max_s * item.rate_hz) * 2
                if len(self._ptt) > limit:
                    del self._ptt[: len(self._ptt) - limit]  # oldest push-to-talk audio dropped
            return
        started, heard = self._vad.feed(item.pcm, item.rate_hz)
        if started:
            self.replier.barge_in()  # speech energy during a reply interrupts it
        if heard is not None:
            self.replier.submit(Turn("voice", utterance=heard))

    def _on_client_turns(self, item: inbound.ClientTurns) -> None:
        assert self.replier is not None
        if item.turn_complete:
            text = "\n".join(item.texts)
            self.replier.submit(Turn("text", text, tool=tool_request(text)))
            return
        for text in item.texts:  # context only: no reply until a turn completes
            self.conversation.remember("user", text)
            self.conversation.ledger.add_text(text)


def _with_unknown_fields(message: Obj) -> Obj:
    """The API grows: a field no client knows yet, at the top and inside the first body."""
    message = copy.deepcopy(message)
    for body in message.values():
        if isinstance(body, dict):
            body["futureField"] = {"note": "a field this client does not know yet"}
            break
    message["futureTopLevelField"] = {"note": "clients must ignore unknown fields"}
    return message


# What each fault does to a connection: one table for the planned faults and the immediate ones.
_FAULT_ACTIONS: dict[FaultKind, Callable[[Connection, Fault], Awaitable[None]]] = {
    FaultKind.DROP: Connection._fault_drop,
    FaultKind.CLOSE: Connection._fault_close,
    FaultKind.STALL: Connection._fault_stall,
    FaultKind.MALFORMED: Connection._fault_malformed,
    FaultKind.UNKNOWN_FIELDS: Connection._fault_unknown_fields,
    FaultKind.GO_AWAY: Connection._fault_go_away,
    FaultKind.REJECT: Connection._fault_reject,
}
