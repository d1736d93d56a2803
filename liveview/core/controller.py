"""SessionController: one live session, held across connections.

It owns the connection loop (connect, pump events, reconnect on goAway or a drop, give up on fatal
errors), routes media in (mic chunks, video frames, typed turns) and replies out (text to the
listeners, audio to the player), and makes barge-in one flush. Plain asyncio; no widgets.

Threading contract: every public method must be called on the controller's event loop. Audio and
capture threads hop onto it with `loop.call_soon_threadsafe` (see `submit_mic_chunk_threadsafe`).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Protocol

from liveview.core import events as core
from liveview.core.backoff import Backoff
from liveview.core.mic_backlog import MicBacklog, MicChunk
from liveview.core.settings import SessionSettings
from liveview.core.stats import SessionStats
from liveview.core.tool_declarations import scheduling_for
from liveview.errors import (
    AudioDeviceError,
    ConfigError,
    ConnectionFailedError,
    FatalServiceError,
    LiveViewError,
    ServiceError,
    TransientServiceError,
    UnsupportedSettingError,
)
from liveview.protocol import events as ev
from liveview.protocol import messages as msg
from liveview.protocol.setup_rules import refusals
from liveview.transport.client import LiveConnection, ProtocolErrorEvent
from liveview.transport.endpoint import Endpoint
from liveview.transport.errors import StaleHandleError

log = logging.getLogger(__name__)

# Reconnect this long before goAway's deadline even if the model is still mid-reply (at most
# a quarter of the time left, so a short timeLeft still leaves room to finish a reply).
GO_AWAY_SAFETY_MARGIN_S = 2.0
MAX_QUEUED_TEXTS = 50
# A turn sent and nothing back: tell the user after this long, reconnect after that long.
STALL_NOTICE_S = 10.0
STALL_RECONNECT_S = 45.0
STALL_POLL_S = 0.25

Listener = Callable[[object], None]
ToolHandler = Callable[[ev.FunctionCall], Awaitable[dict[str, Any]]]


class ReplyPlayer(Protocol):
    """What the controller needs of audio playback (liveview.audio implements it)."""

    def push(self, pcm: bytes, turn_id: int, rate: int = 24_000) -> None: ...

    def end_turn(self, turn_id: int) -> None:
        """No more audio will come for this turn (plays out what is held back for pre-roll)."""
        ...

    def flush(self) -> float:
        """Drop everything queued, device buffer included; return ms of the reply heard."""
        ...


class _ConnectionEnded(Exception):
    """The pump stopped on purpose (goAway handled, or stop requested)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SessionController:
    def __init__(
        self,
        settings: SessionSettings,
        endpoint: Endpoint,
        *,
        player: ReplyPlayer | None = None,
        tool_handler: ToolHandler | None = None,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        open_connection: Callable[..., Awaitable[LiveConnection]] = LiveConnection.open,
        open_timeout_s: float = 10.0,
        setup_timeout_s: float = 15.0,
        retry_first_connect: bool = True,
        stall_notice_s: float = STALL_NOTICE_S,
        stall_reconnect_s: float = STALL_RECONNECT_S,
    ) -> None:
        self.settings = settings
        self.endpoint = endpoint
        self.player = player
        self.tool_handler = tool_handler
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.open_connection = open_connection
        self.open_timeout_s = open_timeout_s
        self.setup_timeout_s = setup_timeout_s
        # Scripted runs want one clear failure when the very first connection cannot be made;
        # the window keeps trying (the network may come back).
        self.retry_first_connect = retry_first_connect
        self._ever_connected = False
        self.stall_notice_s = stall_notice_s
        self.stall_reconnect_s = stall_reconnect_s
        self.state = core.ConnectionState.IDLE
        self.stats = SessionStats()
        self.handle: str | None = None
        self.turn_id = 0
        self._listeners: list[Listener] = []
        self._conn: LiveConnection | None = None
        self._backlog = MicBacklog()
        self._queued_texts: deque[str] = deque(maxlen=MAX_QUEUED_TEXTS)
        self._stop = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._first_audio_pending = False
        self._last_user_activity_at: float | None = None
        self._mic_muted = False
        self._tool_tasks: dict[str, asyncio.Task[None]] = {}
        # Loop time when a turn was sent and nothing has come back since (stall watchdog).
        self._awaiting_reply_since: float | None = None
        self._stall_noticed = False
        self._audio_problem_reported = False

    # -- listeners ------------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def notify(self, event: object) -> None:
        """Tell every listener about an event from around the session (video, audio)."""
        self._emit(event)

    def _emit(self, event: object) -> None:
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a broken view must not take the session down
                log.exception("session listener failed on %s", type(event).__name__)

    def _set_state(self, state: core.ConnectionState, detail: str = "") -> None:
        self.state = state
        self._emit(core.StateChanged(state, detail))

    # -- inputs ---------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._conn is not None

    def send_text(self, text: str) -> None:
        """A typed turn; queued (not dropped) while reconnecting."""
        text = text.strip()
        if not text:
            return
        self._last_user_activity_at = self.clock()
        self._first_audio_pending = True
        if self._conn is not None:
            self._conn.send(msg.build_client_text(text))
            self._await_reply()
            self._emit(core.UserText(text))
        else:
            self._queued_texts.append(text)
            self._emit(core.UserText(text, queued=True))

    def submit_mic_chunk(self, pcm: bytes, captured_at: float, speech: bool = False) -> None:
        """One 16 kHz mic chunk. `speech`: the level meter saw voice (for the latency figure)."""
        if self._mic_muted:
            return
        if speech:
            self._last_user_activity_at = captured_at
            self._first_audio_pending = True
        chunk = MicChunk(pcm, msg.MIC_SAMPLE_RATE_HZ, captured_at)
        if self._conn is None:
            self._backlog.add(chunk)
            self.stats.mic_chunks_dropped = self._backlog.dropped
            return
        self._conn.send(msg.build_audio(chunk.pcm, chunk.sample_rate_hz))
        self.stats.mic_chunks_sent += 1

    def submit_mic_chunk_threadsafe(self, pcm: bytes, captured_at: float, speech: bool) -> None:
        """For the audio thread: hop onto the loop; never blocks the real-time path."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.submit_mic_chunk, pcm, captured_at, speech)

    def submit_video_frame(self, jpeg: bytes) -> bool:
        """A JPEG for the latest-only video lane; True when it replaced an unsent frame."""
        if self._conn is None:
            return False  # video simply restarts with a fresh frame after a reconnect
        return self._conn.send_video(jpeg)

    def set_mic_muted(self, muted: bool) -> None:
        """Muting tells the service the stream paused, so its voice detection does not hang.
        audioStreamEnd belongs to automatic activity detection: with push-to-talk (detection
        disabled) activityEnd already ends the turn, and the service refuses the marker."""
        automatic = not self.settings.push_to_talk
        if muted and not self._mic_muted and self._conn is not None and automatic:
            self._conn.send(msg.build_audio_stream_end())
        self._mic_muted = muted

    def push_to_talk(self, pressed: bool) -> None:
        """activityStart/activityEnd around the held key (automatic detection is off)."""
        if not self.settings.push_to_talk or self._conn is None:
            return
        if pressed:
            self._barge_in_locally()
            self._conn.send(msg.build_activity_start())
        else:
            self._last_user_activity_at = self.clock()
            self._first_audio_pending = True
            self._conn.send(msg.build_activity_end())
            self._await_reply()

    def stop(self) -> None:
        self._stop.set()

    # -- the connection loop --------------------------------------------------------------------

    async def run(self) -> None:
        """Hold the session until stop() or a fatal error. Never raises LiveViewError."""
        self._loop = asyncio.get_running_loop()
        stop_task = asyncio.create_task(self._stop.wait(), name="session-stop")
        try:
            await self._connection_loop(stop_task)
        finally:
            stop_task.cancel()
            for task in self._tool_tasks.values():
                task.cancel()
            if self.player is not None:
                self.player.flush()

    async def _connection_loop(self, stop_task: asyncio.Task[bool]) -> None:
        reconnect_reason = ""
        lost_at: float | None = None
        self._set_state(core.ConnectionState.CONNECTING, self.endpoint.description)
        while not self._stop.is_set():
            try:
                conn = await self._race(self._open(), stop_task)
            except _ConnectionEnded:
                break
            except StaleHandleError:
                self.handle = None
                self._emit(core.Notice("The earlier session expired; starting a fresh one."))
                continue
            except (FatalServiceError, ConfigError) as exc:  # retrying cannot help
                self._fail(exc)
                return
            except (TransientServiceError, ConnectionFailedError, ServiceError) as exc:
                if not (self._ever_connected or self.retry_first_connect):
                    self._fail(exc)
                    return
                if not await self._wait_before_retry(exc, stop_task):
                    return
                reconnect_reason = reconnect_reason or exc.user_message
                continue
            self._ever_connected = True
            connected_at = self.clock()
            resumed = self.handle is not None
            self._on_connected(conn)
            if lost_at is not None:
                self.stats.reconnects += 1
                self._emit(core.Reconnected(resumed, connected_at - lost_at, reconnect_reason))
            try:
                await self._race(self._pump(conn), stop_task)
            except _ConnectionEnded as ended:
                reconnect_reason = ended.reason
            except StaleHandleError:
                self.handle = None
                reconnect_reason = "the earlier session expired"
            except FatalServiceError as exc:
                await self._detach(conn)
                self._fail(exc)
                return
            except (TransientServiceError, ConnectionFailedError, ServiceError) as exc:
                reconnect_reason = exc.user_message
                self.backoff.connection_lasted(self.clock() - connected_at)
                await self._detach(conn)
                lost_at = self.clock()
                if not await self._wait_before_retry(exc, stop_task):
                    return
                continue
            await self._detach(conn)
            lost_at = self.clock()
            if not self._stop.is_set():
                self._set_state(core.ConnectionState.RECONNECTING, reconnect_reason)
        self._set_state(core.ConnectionState.ENDED)

    async def _race(self, work: Awaitable[Any], stop_task: asyncio.Task[bool]) -> Any:
        """Run `work` unless stop() comes first (then raise _ConnectionEnded)."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, LiveViewError):
            result = await task
            if isinstance(result, LiveConnection):
                await result.close()
        raise _ConnectionEnded("stopped")

    async def _open(self) -> LiveConnection:
        setup = msg.build_setup(self.settings.with_handle(self.handle))
        refused = refusals(setup["setup"])  # e.g. extra setup fields the model refuses
        if refused:
            raise UnsupportedSettingError(refused[0].message, setting=refused[0].setting)
        return await self.open_connection(
            self.endpoint,
            setup,
            open_timeout_s=self.open_timeout_s,
            setup_timeout_s=self.setup_timeout_s,
            on_wire=self._on_wire,
        )

    async def _wait_before_retry(self, exc: LiveViewError, stop_task: asyncio.Task[bool]) -> bool:
        delay = self.backoff.next_delay_s()
        if delay is None:
            self._fail(exc)
            return False
        self._set_state(core.ConnectionState.RECONNECTING, exc.user_message)
        try:
            await self._race(asyncio.sleep(delay), stop_task)
        except _ConnectionEnded:
            self._set_state(core.ConnectionState.ENDED)
            return False
        return True

    def _fail(self, exc: LiveViewError) -> None:
        log.info("session failed: %s", exc.user_message)
        self._set_state(core.ConnectionState.ERROR, exc.user_message)
        self._emit(core.SessionFailed(exc))

    def _on_connected(self, conn: LiveConnection) -> None:
        self._conn = conn
        self._set_state(core.ConnectionState.LIVE, self.endpoint.description)
        # Nothing lost: mic audio captured while disconnected, then typed turns, in order.
        for chunk in self._backlog.take_all():
            conn.send(msg.build_audio(chunk.pcm, chunk.sample_rate_hz))
            self.stats.mic_chunks_sent += 1
        while self._queued_texts:
            conn.send(msg.build_client_text(self._queued_texts.popleft()))

    async def _detach(self, conn: LiveConnection) -> None:
        """Stop using `conn`; keep its handle; rescue mic audio it never got to send."""
        self._conn = None
        if conn.session.resumption_handle:
            self.handle = conn.session.resumption_handle
        for task in self._tool_tasks.values():
            task.cancel()  # the new connection will not accept answers to the old calls
        self._tool_tasks.clear()
        with contextlib.suppress(LiveViewError):
            await conn.close()
        rescued_audio: list[MicChunk] = []
        rescued_texts: list[str] = []
        for message in conn.unsent_messages():
            rescued_audio.extend(_audio_chunks(message, self.clock()))
            rescued_texts.extend(_typed_texts(message))
        self._backlog.put_back(rescued_audio)
        self._queued_texts.extendleft(reversed(rescued_texts))

    # -- receiving ------------------------------------------------------------------------------

    async def _pump(self, conn: LiveConnection) -> None:
        """Dispatch events until the connection ends; return only through _ConnectionEnded."""
        go_away_pending = False
        events = aiter(conn.events())
        try:
            async with asyncio.timeout(None) as deadline:
                while True:
                    event = await self._next_event(events)
                    self._dispatch(event)
                    if isinstance(event, ev.GoAway):
                        go_away_pending = True
                        margin_s = min(GO_AWAY_SAFETY_MARGIN_S, event.time_left_s / 4)
                        when = event.time_left_s - margin_s
                        deadline.reschedule(asyncio.get_running_loop().time() + max(0.0, when))
                    if go_away_pending and conn.session.model_idle and not conn.events_pending:
                        # Between turns (and after the whole message: usageMetadata and
                        # interactionStatus ride with turnComplete): the moment to move.
                        raise _ConnectionEnded("the server recycled the connection")
        except StopAsyncIteration:
            pass
        except TimeoutError:
            # goAway's deadline came mid-reply: move now rather than be cut off.
            raise _ConnectionEnded("the connection's time ran out") from None
        raise ConnectionFailedError("The server closed the connection.")

    async def _next_event(self, events: AsyncIterator[ev.Event]) -> ev.Event:
        """The next event, checking every STALL_POLL_S whether an awaited reply is overdue."""
        pending = asyncio.ensure_future(anext(events))
        try:
            while True:
                done, _ = await asyncio.wait({pending}, timeout=STALL_POLL_S)
                if done:
                    return pending.result()
                self._check_stall()
        finally:
            pending.cancel()

    def _check_stall(self) -> None:
        """A turn was sent and the server stays quiet: say so once, then give up on it."""
        if self._awaiting_reply_since is None:
            return
        quiet_s = asyncio.get_running_loop().time() - self._awaiting_reply_since
        if quiet_s >= self.stall_reconnect_s:
            self._awaiting_reply_since = None
            raise ConnectionFailedError(
                f"The server stopped answering for {self.stall_reconnect_s:.0f} s."
            )
        if quiet_s >= self.stall_notice_s and not self._stall_noticed:
            self._stall_noticed = True
            quiet = f"The server has not answered for {self.stall_notice_s:.0f} s; still waiting."
            self._emit(core.Notice(quiet, "warning"))

    def _await_reply(self) -> None:
        if self._awaiting_reply_since is None:
            self._awaiting_reply_since = asyncio.get_running_loop().time()
            self._stall_noticed = False

    def _dispatch(self, event: ev.Event) -> None:
        now = self.clock()
        if not isinstance(event, (ev.SessionResumptionUpdate, ev.UsageMetadata)):
            self._awaiting_reply_since = None  # the server is answering
        if isinstance(event, ev.ModelAudio):
            self._on_model_audio(event, now)
        elif isinstance(event, ev.Interrupted):
            self._emit(event)
            self._barge_in_locally()
            return
        elif isinstance(event, ev.TurnComplete):
            if self.player is not None:
                self.player.end_turn(self.turn_id)
            self.turn_id += 1
        elif isinstance(event, ProtocolErrorEvent):
            self._emit(core.ProtocolProblem(event.message))
            return
        elif isinstance(event, ev.UsageMetadata):
            self.stats.total_tokens = max(self.stats.total_tokens, event.total_token_count)
        elif isinstance(event, ev.ToolCall):
            self._start_tool_calls(event)
        elif isinstance(event, ev.ToolCallCancellation):
            for call_id in event.ids:
                task = self._tool_tasks.pop(call_id, None)
                if task is not None:
                    task.cancel()
        self._emit(event)

    def _on_model_audio(self, event: ev.ModelAudio, now: float) -> None:
        if self._first_audio_pending and self._last_user_activity_at is not None:
            latency = now - self._last_user_activity_at
            self.stats.last_reply_latency_s = latency
            self._first_audio_pending = False
        if self.player is not None:
            try:
                self.player.push(event.data, self.turn_id, event.sample_rate_hz)
            except AudioDeviceError as exc:  # an odd rate or length: skip it, say so once
                if not self._audio_problem_reported:
                    self._audio_problem_reported = True
                    self._emit(core.Notice(f"Skipped reply audio: {exc.user_message}", "warning"))

    def _barge_in_locally(self) -> None:
        """serverContent.interrupted (or push-to-talk): go silent at once, mark the reply."""
        if self.player is None:
            return
        heard_ms = self.player.flush()
        self._emit(core.ReplyCutOff(heard_ms))

    def _on_wire(self, direction: str, kind: str, size: int, summary: str) -> None:
        now = self.clock()
        (self.stats.bytes_up if direction == "out" else self.stats.bytes_down).add(now, size)
        if direction == "out" and kind == "realtimeInput.video":
            # Counted on the socket, not at the lane: a frame replaced while queued never went.
            self.stats.frames_sent.add(now)
        self._emit(core.WireMessage(direction, kind, size, summary, now))

    # -- tools ----------------------------------------------------------------------------------

    def _start_tool_calls(self, event: ev.ToolCall) -> None:
        for call in event.calls:
            task = asyncio.create_task(self._answer_tool_call(call), name=f"tool-{call.name}")
            self._tool_tasks[call.id] = task

    async def _answer_tool_call(self, call: ev.FunctionCall) -> None:
        try:
            if self.tool_handler is None:
                result: dict[str, Any] = {"error": f"liveview has no function named {call.name}"}
            else:
                result = await self.tool_handler(call)
        except LiveViewError as exc:
            result = {"error": exc.user_message}
        finally:
            self._tool_tasks.pop(call.id, None)
        if self._conn is not None:
            # NON_BLOCKING calls: the answer says when the model should take it in.
            scheduling = (
                scheduling_for(call.name, result)
                if self.settings.is_non_blocking(call.name)
                else None
            )
            response = msg.FunctionResponse(call.id, call.name, result, scheduling=scheduling)
            self._conn.send(msg.build_tool_response([response]))
            self._emit(core.ToolAnswered(call.id, call.name, result))


def _audio_chunks(message: Mapping[str, Any], now: float) -> list[MicChunk]:
    audio = message.get("realtimeInput", {}).get("audio")
    if audio is None:
        return []
    return [MicChunk(base64.b64decode(audio["data"]), msg.MIC_SAMPLE_RATE_HZ, now)]


def _typed_texts(message: Mapping[str, Any]) -> list[str]:
    turns = message.get("clientContent", {}).get("turns", [])
    return [part["text"] for turn in turns for part in turn.get("parts", []) if "text" in part]
