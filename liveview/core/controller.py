"""SessionController: one live session, held across connections.

It runs the connection loop (open, pump events, and when a connection ends ask the reconnect
policy what to do), routes the user's input through the Uplink and the model's output to the
listeners and the player, answers function calls through the ToolRunner, and makes barge-in one
flush. Plain asyncio; no widgets.

Time is the event loop's (the one clock: the goAway deadline, the stall watchdog, the figures);
a test controls it by running the controller on a loop whose time it controls.

Threading contract: every public method must be called on the controller's event loop. Audio and
capture threads hop onto it with `loop.call_soon_threadsafe` (see `submit_mic_chunk_threadsafe`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

from liveview.core import events as core
from liveview.core.latency import ReplyLatency
from liveview.core.policy import Action, Fail, Fresh, Moved, Phase, ReconnectPolicy, Resume, Retry
from liveview.core.settings import SessionSettings
from liveview.core.stall import STALL_NOTICE_S, STALL_RECONNECT_S, Stall, StallWatchdog
from liveview.core.stats import SessionStats
from liveview.core.tool_runner import ToolHandler, ToolRunner
from liveview.core.uplink import Uplink
from liveview.errors import (
    AudioDeviceError,
    ConnectionFailedError,
    LiveViewError,
    UnsupportedSettingError,
)
from liveview.protocol import events as ev
from liveview.protocol import messages as msg
from liveview.protocol.setup_rules import refusals
from liveview.transport.client import LiveConnection
from liveview.transport.endpoint import Endpoint
from liveview.transport.wire import Direction, WireRecord

log = logging.getLogger(__name__)

# Reconnect this long before goAway's deadline even if the model is still mid-reply (at most
# a quarter of the time left, so a short timeLeft still leaves room to finish a reply).
GO_AWAY_SAFETY_MARGIN_S = 2.0

Listener = Callable[[object], None]
OpenConnection = Callable[..., Awaitable[LiveConnection]]
__all__ = ["ReplyPlayer", "SessionController", "ToolHandler"]


class ReplyPlayer(Protocol):
    """What the controller needs of audio playback (liveview.audio implements it)."""

    def push(self, pcm: bytes, turn_id: int, rate: int = 24_000) -> None: ...

    def end_turn(self, turn_id: int) -> None:
        """No more audio will come for this turn (plays out what is held back for pre-roll)."""
        ...

    def flush(self) -> float:
        """Drop everything queued, device buffer included; return ms of the reply heard."""
        ...


class _Stopped(Exception):
    """stop() came first."""


class SessionController:
    def __init__(
        self,
        settings: SessionSettings,
        endpoint: Endpoint,
        *,
        player: ReplyPlayer | None = None,
        tool_handler: ToolHandler | None = None,
        policy: ReconnectPolicy | None = None,
        open_connection: OpenConnection = LiveConnection.open,
        open_timeout_s: float = 10.0,
        setup_timeout_s: float = 15.0,
        stall_notice_s: float = STALL_NOTICE_S,
        stall_reconnect_s: float = STALL_RECONNECT_S,
    ) -> None:
        self.settings = settings
        self.endpoint = endpoint
        self.player = player
        self.tool_handler = tool_handler
        self.policy = policy or ReconnectPolicy()
        self.open_connection = open_connection
        self.open_timeout_s = open_timeout_s
        self.setup_timeout_s = setup_timeout_s
        self.stall = StallWatchdog(stall_notice_s, stall_reconnect_s)
        self.state = core.ConnectionState.IDLE
        self.stats = SessionStats()
        self.handle: str | None = None
        self.turn_id = 0
        self.latency = ReplyLatency()
        # A stale resumption handle starts a fresh session: this gives the conversation so far
        # as its seed (the runtime sets it), so the user keeps the thread.
        self.seed_for_fresh_session: Callable[[], msg.ClientTurns | None] | None = None
        self.uplink = Uplink(
            self.stats, push_to_talk=settings.push_to_talk, on_turn_sent=self._turn_sent
        )
        self._listeners: list[Listener] = []
        self._stop = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._conn: LiveConnection | None = None
        self._timer: asyncio.Timeout | None = None  # the pump's wait for the next event
        self._audio_problem_reported = False

    # -- listeners ----------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def notify(self, event: object) -> None:
        """Tell every listener about an event from around the session (video, audio, tools)."""
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:  # a broken view must not take the session down
                log.exception("session listener failed on %s", type(event).__name__)

    def _set_state(self, state: core.ConnectionState, detail: str = "") -> None:
        self.state = state
        self.notify(core.StateChanged(state, detail))

    def _now(self) -> float:
        return (self._loop or asyncio.get_running_loop()).time()

    # -- inputs -------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._conn is not None

    def send_text(self, text: str) -> None:
        """A typed turn; queued (not dropped) while reconnecting."""
        text = text.strip()
        if not text:
            return
        now = self._now()
        self.latency.user_done(now)
        sent = self.uplink.send_turn(msg.ClientTurns.typed(text), now)
        self.notify(core.UserText(text, queued=not sent))

    def send_turns(self, turns: msg.ClientTurns) -> None:
        """Turns with their roles (the seed of an earlier conversation, say)."""
        self.uplink.send_turn(turns, self._now())

    def submit_mic_chunk(self, pcm: bytes, captured_at: float, speech: bool = False) -> None:
        """One 16 kHz mic chunk. `speech`: the level meter saw voice (for the latency figure)."""
        if speech and not self.uplink.muted:
            self.latency.user_done(captured_at)
        self.uplink.mic_chunk(msg.AudioChunk(pcm, msg.MIC_SAMPLE_RATE_HZ, captured_at))

    def submit_mic_chunk_threadsafe(self, pcm: bytes, captured_at: float, speech: bool) -> None:
        """For the audio thread: hop onto the loop; never blocks the real-time path."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.submit_mic_chunk, pcm, captured_at, speech)

    def submit_video_frame(self, jpeg: bytes) -> bool:
        """A JPEG for the latest-only video lane; True when it replaced an unsent frame."""
        return self.uplink.video_frame(jpeg)

    def set_mic_muted(self, muted: bool) -> None:
        self.uplink.set_muted(muted)

    def push_to_talk(self, pressed: bool) -> None:
        """activityStart/activityEnd around the held key (automatic detection is off)."""
        now = self._now()
        if pressed and self.uplink.connected and self.settings.push_to_talk:
            self._barge_in_locally()
        elif not pressed:
            self.latency.user_done(now)
        self.uplink.activity(pressed, now)

    def stop(self) -> None:
        self._stop.set()

    # -- the connection loop ------------------------------------------------------------------

    async def run(self) -> None:
        """Hold the session until stop() or a fatal error. Never raises LiveViewError."""
        self._loop = asyncio.get_running_loop()
        stop_task = asyncio.create_task(self._stop.wait(), name="session-stop")
        try:
            await self._connection_loop(stop_task)
        finally:
            stop_task.cancel()
            if self.player is not None:
                self.player.flush()

    async def _connection_loop(self, stop_task: asyncio.Task[bool]) -> None:
        reason, lost_at = "", None
        self._set_state(core.ConnectionState.CONNECTING, self.endpoint.description)
        while not self._stop.is_set():
            try:
                conn = await self._race(self._open(), stop_task)
            except _Stopped:
                break
            except LiveViewError as exc:
                action = self.policy.decide(exc, Phase.OPENING, self._now())
                if not await self._act(action, stop_task):
                    return
                reason = reason or _reason_of(action)
                continue
            self._attach(conn, lost_at, reason)
            runner = ToolRunner(
                self.tool_handler,
                answer=self.uplink.tool_response,
                is_non_blocking=self.settings.is_non_blocking,
                emit=self.notify,
            )
            cause: LiveViewError | Moved | None = None
            try:
                cause = await self._race(self._pump(conn, runner), stop_task)
            except _Stopped:
                pass
            except LiveViewError as exc:
                cause = exc
            await self._detach(conn, runner)
            lost_at = self._now()
            if cause is None:
                break
            action = self.policy.decide(cause, Phase.LIVE, lost_at)
            if not await self._act(action, stop_task):
                return
            reason = _reason_of(action)
        self._set_state(core.ConnectionState.ENDED)

    async def _act(self, action: Action, stop_task: asyncio.Task[bool]) -> bool:
        """Carry out the policy's decision; False when the session is over."""
        if isinstance(action, Fail):
            log.info("session failed: %s", action.error.user_message)
            self._set_state(core.ConnectionState.ERROR, action.error.user_message)
            self.notify(core.SessionFailed(action.error))
            return False
        if isinstance(action, Fresh):
            self.handle = None
            self.notify(core.Notice(action.notice))
            seed = self.seed_for_fresh_session() if self.seed_for_fresh_session else None
            if seed is not None:
                self.send_turns(seed)  # goes out first on the new connection
        self._set_state(core.ConnectionState.RECONNECTING, _reason_of(action))
        if isinstance(action, Retry):
            try:
                await self._race(asyncio.sleep(action.after_s), stop_task)
            except _Stopped:
                self._set_state(core.ConnectionState.ENDED)
                return False
        return True

    async def _race(self, work: Awaitable[Any], stop_task: asyncio.Task[bool]) -> Any:
        """Run `work` unless stop() comes first (then raise _Stopped)."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, LiveViewError):
            result = await task
            if isinstance(result, LiveConnection):
                await result.close()
        raise _Stopped

    async def _open(self) -> LiveConnection:
        setup = msg.Setup(self.settings.with_handle(self.handle))
        refused = refusals(setup.to_wire()["setup"])  # e.g. extra setup fields the model refuses
        if refused:
            raise UnsupportedSettingError(refused[0].message, setting=refused[0].setting)
        return await self.open_connection(
            self.endpoint,
            setup,
            open_timeout_s=self.open_timeout_s,
            setup_timeout_s=self.setup_timeout_s,
            clock=self._now,
            on_wire=self._on_wire,
        )

    def _attach(self, conn: LiveConnection, lost_at: float | None, reason: str) -> None:
        now = self._now()
        resumed = self.handle is not None
        self.policy.connected(now)
        self._conn = conn
        self._set_state(core.ConnectionState.LIVE, self.endpoint.description)
        # Nothing lost: mic audio captured while disconnected, then typed turns, in order.
        self.uplink.attach(conn, now)
        if lost_at is not None:
            self.stats.reconnects += 1
            self.notify(core.Reconnected(resumed, now - lost_at, reason))

    async def _detach(self, conn: LiveConnection, runner: ToolRunner) -> None:
        """Stop using `conn`; keep its handle; take back what it never sent."""
        self._conn = None
        self.uplink.detach()
        self.stall.stop()  # a turn the old connection took is not awaited from the new one
        if conn.session.resumption_handle:
            self.handle = conn.session.resumption_handle
        await runner.close()  # the new connection will not accept answers to the old calls
        with contextlib.suppress(LiveViewError):
            await conn.close()
        self.uplink.take_back(conn.unsent_messages())

    # -- receiving ----------------------------------------------------------------------------

    async def _pump(self, conn: LiveConnection, runner: ToolRunner) -> Moved:
        """Dispatch events until the connection ends (an error) or is left (Moved)."""
        events: AsyncIterator[ev.Event] = conn.events()
        while True:
            try:
                async with asyncio.timeout_at(self._next_deadline(conn)) as timer:
                    self._timer = timer
                    event = await anext(events)
            except StopAsyncIteration:
                raise ConnectionFailedError("The server closed the connection.") from None
            except TimeoutError:
                # The cut generator is closed; the connection keeps what it received.
                events = conn.events()
                moved = self._deadline_reached(conn)
                if moved is not None:
                    return moved
                continue
            finally:
                self._timer = None
            self._dispatch(event, runner)
            # goAway: move between turns, once the whole message is handled (usageMetadata and
            # interactionStatus ride with turnComplete) and no call waits for its answer.
            pending_go_away = conn.session.go_away_deadline is not None
            if pending_go_away and conn.session.model_idle and not conn.events_pending:
                return Moved("the server recycled the connection")

    def _go_away_move_at(self, conn: LiveConnection) -> float | None:
        deadline, left = conn.session.go_away_deadline, conn.session.go_away_time_left_s
        if deadline is None or left is None:
            return None
        return deadline - min(GO_AWAY_SAFETY_MARGIN_S, left / 4)

    def _next_deadline(self, conn: LiveConnection) -> float | None:
        """The earlier of: leaving before goAway's cut, the stall watchdog's next word."""
        when = (self._go_away_move_at(conn), self.stall.next_deadline())
        known = [w for w in when if w is not None]
        return min(known) if known else None

    def _deadline_reached(self, conn: LiveConnection) -> Moved | None:
        now = self._now()
        move_at = self._go_away_move_at(conn)
        if move_at is not None and now >= move_at:
            # goAway's deadline came mid-reply: move now rather than be cut off.
            return Moved("the connection's time ran out")
        stall = self.stall.check(now)
        if stall is Stall.GIVE_UP:
            raise ConnectionFailedError(
                f"The server stopped answering for {self.stall.reconnect_s:.0f} s."
            )
        if stall is Stall.NOTICE:
            quiet = f"The server has not answered for {self.stall.notice_s:.0f} s; still waiting."
            self.notify(core.Notice(quiet, core.NoticeLevel.WARNING))
        return None

    def _turn_sent(self, now: float) -> None:
        """A turn went out: a reply is awaited (the stall watchdog's clock starts)."""
        self.stall.turn_sent(now)
        if self._timer is not None and self._conn is not None:
            self._timer.reschedule(self._next_deadline(self._conn))

    def _dispatch(self, event: ev.Event, runner: ToolRunner) -> None:
        if not isinstance(event, (ev.SessionResumptionUpdate, ev.UsageMetadata)):
            self.stall.stop()  # the server is answering
        if isinstance(event, ev.ModelAudio):
            self._reply_started()
            self._play(event)
        elif isinstance(event, (ev.OutputTranscription, ev.ModelText)):
            self._reply_started()  # text replies: the first words stop the clock
        elif isinstance(event, ev.Interrupted):
            self.notify(event)
            self._barge_in_locally()
            return
        elif isinstance(event, ev.TurnComplete):
            if self.player is not None:
                self.player.end_turn(self.turn_id)
            self.turn_id += 1
        elif isinstance(event, ev.ProtocolErrorEvent):
            self.notify(core.ProtocolProblem(event.message))
            return
        elif isinstance(event, ev.UsageMetadata):
            self.stats.total_tokens = max(self.stats.total_tokens, event.total_token_count)
        elif isinstance(event, ev.ToolCall):
            runner.start(event.calls)
        elif isinstance(event, ev.ToolCallCancellation):
            runner.cancel(event.ids)
        self.notify(event)

    def _reply_started(self) -> None:
        latency = self.latency.reply_started(self._now())
        if latency is not None:
            self.stats.add_reply_latency(latency)
            median = self.stats.median_reply_latency_s or latency
            self.notify(core.LatencyMeasured(latency, median, len(self.stats.reply_latencies_s)))

    def _play(self, event: ev.ModelAudio) -> None:
        if self.player is None:
            return
        try:
            self.player.push(event.data, self.turn_id, event.sample_rate_hz)
        except AudioDeviceError as exc:  # an odd rate or length: skip it, say so once
            if not self._audio_problem_reported:
                self._audio_problem_reported = True
                warning = core.NoticeLevel.WARNING
                self.notify(core.Notice(f"Skipped reply audio: {exc.user_message}", warning))

    def _barge_in_locally(self) -> None:
        """serverContent.interrupted (or push-to-talk): go silent at once, mark the reply."""
        if self.player is None:
            return
        heard_ms = self.player.flush()
        self.notify(core.ReplyCutOff(heard_ms))

    def _on_wire(self, record: WireRecord) -> None:
        now = self._now()
        (self.stats.bytes_up if record.direction is Direction.OUT else self.stats.bytes_down).add(
            now, record.size
        )
        # Counted on the socket, not at the lane: a frame replaced while queued never went.
        if isinstance(record.message, msg.VideoFrame):
            self.stats.frames_sent.add(now)
        elif isinstance(record.message, msg.AudioChunk):
            self.stats.mic_chunks_sent += 1
        self.notify(
            core.WireMessage(record.direction, record.kind, record.size, record.summary, now)
        )


def _reason_of(action: Action) -> str:
    if isinstance(action, Resume):
        return action.reason
    if isinstance(action, Fresh):
        return "the earlier session expired"
    if isinstance(action, Retry):
        return action.reason
    return action.error.user_message
