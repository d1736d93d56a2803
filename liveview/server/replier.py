"""One connection's turns: replies streamed like the service's, barge-in, tool calls.

A reply is a task the turn runner owns; a barge-in cancels it and the runner then sends
`serverContent.interrupted` and `turnComplete` (no `generationComplete`), as the service does.

Function calls follow the model's rules (protocol/catalogue.py). A BLOCKING call holds its reply
until the answer comes, and new input cancels it (toolCallCancellation). A NON_BLOCKING call,
gemini-3.8-live's default, lets the reply finish at once; its answer is then spoken according
to its `scheduling`: WHEN_IDLE once no reply is running, INTERRUPT at once (cutting the current
reply), SILENT never (it only joins the conversation). Extended-thinking models say
`interactionStatus` IN_PROGRESS while they work and IDLE when the whole request is done, and
speak a short filler turn first.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable

from liveview.pcm import pcm_duration_s
from liveview.protocol.catalogue import ModelInfo
from liveview.server import outbound, replies, speech
from liveview.server.calls import FrameSource, PendingCall, PendingCalls, ToolResultTurn
from liveview.server.inbound import FunctionDecl, FunctionResult, Setup
from liveview.server.outbound import Obj
from liveview.server.records import ConnectionInfo
from liveview.server.resumption import Conversation
from liveview.server.settings import ServerSettings
from liveview.server.tools import (
    ToolExchange,
    ToolRequest,
    check_response,
    describe_exchange,
    resolve,
)
from liveview.server.vision import FrameDecodeError, FrameTracker, analyse_jpeg

Send = Callable[[Obj], Awaitable[None]]
Hook = Callable[[], Awaitable[None]]
AnyTurn = replies.Turn | ToolResultTurn
FILLER = "Let me look into that."  # extended thinking: said while it works in the background
PICTURE_CALLS = ("zoom", "snapshot")  # answered with a picture sent just before the response


class Replier:
    def __init__(
        self,
        *,
        send: Send,
        setup: Setup,
        model: ModelInfo,
        conversation: Conversation,
        tracker: FrameTracker,
        settings: ServerSettings,
        info: ConnectionInfo,
        publish_handle: Callable[[bool], Awaitable[None]],
        on_reply_started: Hook,
    ) -> None:
        self._send = send
        self._setup = setup
        self._model = model
        self._conversation = conversation
        self._tracker = tracker
        self._settings = settings
        self._info = info
        self._publish_handle = publish_handle
        self._on_reply_started = on_reply_started
        self._waiting: deque[AnyTurn] = deque()
        self._wake = asyncio.Event()
        self._current: asyncio.Task[None] | None = None
        self._calls = PendingCalls(lambda: tracker.received)
        self._to_cancel: list[str] = []  # blocking calls cut short by the barge-in handled now
        self._sent_text_chars = 0
        self._sent_audio_s = 0.0
        self._started = False

    @property
    def active(self) -> bool:
        """A reply is being generated or streamed."""
        return self._current is not None and not self._current.done()

    # --- input side ---------------------------------------------------------------------------
    def submit(self, turn: AnyTurn) -> None:
        """A new turn: it interrupts a running reply unless activityHandling says not to."""
        self.barge_in()
        self._enqueue(turn)

    def _enqueue(self, turn: AnyTurn) -> None:
        if len(self._waiting) >= self._settings.max_waiting_turns:
            self._waiting.popleft()
            self._info.turns_dropped += 1
        self._waiting.append(turn)
        self._wake.set()

    def barge_in(self) -> None:
        """User activity during a reply (START_OF_ACTIVITY_INTERRUPTS): stop it at once. A
        blocking call the reply waits on is cancelled with it."""
        if self.active and self._setup.interrupts:
            assert self._current is not None
            self._current.cancel()

    def resolve_tool(self, result: FunctionResult) -> bool:
        """Deliver a toolResponse; False when its id was never issued (a protocol error)."""
        call = self._calls.take(result)
        if call is None:
            # A late answer to a cancelled or finished call is ignored, like the service does.
            return self._calls.known(result.id)
        self._picture_came(call)
        # The picture for a snapshot or zoom: liveview sends it just before the response; an
        # older client right after it (register for it now: it may be on its way already).
        frame: FrameSource = (
            self._tracker.last_data if self._calls.frames_since(call) else None
        ) or self._tracker.next_frame()
        check_response(call.exchange, result, call.decl)  # recorded as it arrives
        if call.future is not None:
            if not call.future.done():
                call.future.set_result((result, frame))
            return True
        self._answer_later(ToolResultTurn(call, result, frame))
        return True

    def _answer_later(self, turn: ToolResultTurn) -> None:
        """A NON_BLOCKING call's answer, taken in as its scheduling says."""
        scheduling = turn.result.scheduling or "WHEN_IDLE"
        exchange = turn.call.exchange
        exchange.scheduling = scheduling
        if scheduling == "SILENT":  # context only: nothing is said
            self._conversation.remember("tool", describe_exchange(exchange, turn.call.request))
        elif scheduling == "INTERRUPT":
            self.submit(turn)
        else:
            self._enqueue(turn)  # after the reply that is running, if any

    # --- the turn runner ------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                await self._run_turn(self._waiting.popleft())

    async def _run_turn(self, turn: AnyTurn) -> None:
        task = asyncio.create_task(self._reply(turn), name="liveview-server-reply")
        self._current = task
        try:
            await asyncio.wait([task])
        finally:
            if not task.done():  # the runner itself is being cancelled
                task.cancel()
                await asyncio.wait([task])
            self._current = None
        if task.cancelled():
            await self._finish_interrupted()
        elif (exc := task.exception()) is not None:
            raise exc

    def _begin_turn(self, turn: AnyTurn) -> None:
        self._sent_text_chars = 0
        self._sent_audio_s = 0.0
        self._started = False
        if isinstance(turn, ToolResultTurn):
            return  # the model speaks by itself: no user turn to count
        self._conversation.turns += 1
        said = replies.turn_text(turn)
        self._conversation.remember("user", said)
        if turn.kind == "text":
            self._conversation.ledger.add_text(said)

    async def _reply(self, turn: AnyTurn) -> None:
        arrived = asyncio.get_running_loop().time()
        self._begin_turn(turn)
        # sessionResumptionUpdate: no handle while the model is mid-turn.
        await self._publish_handle(False)
        background = self._model.interaction_status and not isinstance(turn, ToolResultTurn)
        if background:
            await self._send(outbound.interaction_status("IN_PROGRESS"))
        if isinstance(turn, replies.Turn):
            if turn.kind == "voice" and turn.utterance and self._setup.input_transcription:
                label = replies.speech_label(turn.utterance)
                await self._send(outbound.input_transcription(label))
            if background:  # several turns for one request: a filler while it works
                await self._say(FILLER)
                await self._send(outbound.generation_complete())
                await self._send(outbound.turn_complete(self._usage()))
            text = await self._compose(turn)
        else:
            text = await self._describe_answer(turn.call, turn.frame)
        await self._think(arrived)
        await self._say(text)
        await self._send(outbound.generation_complete())
        self._conversation.remember("model", text)
        await self._send(outbound.turn_complete(self._usage(), idle=background))
        await self._publish_handle(True)

    async def _think(self, arrived: float) -> None:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, arrived + self._settings.reply_delay_s - loop.time()))

    async def _say(self, text: str) -> None:
        if self._setup.audio_out:
            await self._speak(text)
        else:
            await self._write(text)

    async def _compose(self, turn: replies.Turn) -> str:
        if turn.tool is not None:
            return await self._tool_reply(turn.tool)
        frame = await self._tracker.settled()
        self._conversation.latest_frame = frame or self._conversation.latest_frame
        frame = self._conversation.latest_frame
        now = time.monotonic()
        if turn.kind == "voice" and turn.utterance is not None:
            return replies.voice_reply(turn.utterance, frame, self._conversation, now)
        screen = await replies.read_screen(self._tracker, turn.text)  # OCR (issue 15)
        zoom = replies.zoom_request(screen, turn.text, self._setup, self._tracker)
        if zoom is not None:  # small text: ask the client for a zoom_to_region crop
            return await self._tool_reply(zoom)
        return replies.text_reply(turn.text, frame, self._conversation, now, screen)

    async def _first_part_sent(self) -> None:
        if not self._started:
            self._started = True
            await self._on_reply_started()

    async def _write(self, text: str) -> None:
        """TEXT modality (relaxed mode only: no model of today takes it): word-sized parts, a
        little apart, so a reply lasts long enough to be interrupted."""
        words = text.split(" ")
        step = max(1, self._settings.text_words_per_part)
        for i in range(0, len(words), step):
            piece = " ".join(words[i : i + step]) + (" " if i + step < len(words) else "")
            await self._send(outbound.model_text(piece))
            self._sent_text_chars += len(piece)
            await self._first_part_sent()
            await asyncio.sleep(self._settings.text_part_interval_s)

    async def _speak(self, text: str) -> None:
        """AUDIO modality: 24 kHz PCM in 200 ms parts paced at real time (`audio_pacing`), each
        with its share of the transcript in the same message, as the service sends them."""
        voice = await asyncio.to_thread(
            speech.synthesise, text, self._setup.voice, use_espeak=self._settings.use_espeak
        )
        parts = speech.chunks(voice.pcm)
        words = speech.words_per_chunk(text, len(parts))
        loop = asyncio.get_running_loop()
        start = loop.time()
        pace = self._settings.audio_pacing
        for i, part in enumerate(parts):
            due = start + i * speech.CHUNK_S * pace - self._settings.audio_lead_s * pace
            await asyncio.sleep(max(0.0, due - loop.time()))
            transcript = words[i] if self._setup.output_transcription else ""
            await self._send(outbound.model_audio(part, transcript.strip() and transcript))
            self._sent_audio_s += pcm_duration_s(part, outbound.REPLY_SAMPLE_RATE_HZ)
            await self._first_part_sent()

    def _usage(self) -> Obj:
        ledger = self._conversation.ledger
        text_tokens = outbound.text_tokens("x" * self._sent_text_chars)
        audio_tokens = round(self._sent_audio_s * outbound.AUDIO_TOKENS_PER_S)
        self._sent_text_chars, self._sent_audio_s = 0, 0.0
        usage = outbound.usage_metadata(ledger, text_tokens, audio_tokens)
        # The reply joins the context for the next turn.
        ledger.text += text_tokens
        ledger.audio += audio_tokens
        if self._setup.compression:
            trigger = self._setup.trigger_tokens or 25_600
            if ledger.prompt > trigger:
                ledger.shrink_to(self._setup.target_tokens or trigger // 2)
        return usage

    async def _finish_interrupted(self) -> None:
        if self._to_cancel:
            # toolCallCancellation: the client must not answer (or act on) these calls.
            ids, self._to_cancel = self._to_cancel, []
            await self._send(outbound.tool_call_cancellation(ids))
        self._conversation.remember("model", "(interrupted)")
        await self._send(outbound.interrupted())
        await self._send(outbound.turn_complete(self._usage()))
        await self._publish_handle(True)

    # --- tool calls -----------------------------------------------------------------------------
    def _blocking(self, decl: FunctionDecl) -> bool:
        """The model waits for this call: declared BLOCKING, or the model's default."""
        if decl.behavior is not None:
            return decl.behavior == "BLOCKING"
        return not (self._model.takes_behavior and self._model.non_blocking_by_default)

    async def _tool_reply(self, request: ToolRequest) -> str:
        decl, why_not = resolve(request, self._setup)
        if decl is None:
            return why_not
        call_id = f"function-call-{secrets.token_hex(8)}"
        exchange = ToolExchange(call_id, decl.name, dict(request.args))
        exchange.blocking = self._blocking(decl)
        self._info.tool_exchanges.append(exchange)
        call = PendingCall(exchange, request, decl, blocking=exchange.blocking)
        self._calls.issue(call)
        if request.kind in PICTURE_CALLS:
            self._tracker.pictures_awaited += 1
        await self._send(outbound.tool_call(call_id, decl.name, dict(request.args)))
        await self._first_part_sent()
        if not call.blocking:
            # NON_BLOCKING: the model goes on; the answer is spoken when it comes.
            return (
                f"I called {decl.name} and carry on without waiting; I will say what it "
                "answers when it does."
            )
        return await self._await_answer(call)

    async def _await_answer(self, call: PendingCall) -> str:
        assert call.future is not None
        exchange = call.exchange
        try:
            _, frame = await asyncio.wait_for(call.future, self._settings.tool_timeout_s)
        except TimeoutError:
            return describe_exchange(exchange, call.request)
        except asyncio.CancelledError:
            exchange.cancelled = True
            self._to_cancel.append(exchange.call_id)
            raise
        finally:
            if not call.future.done() or call.future.cancelled():
                self._picture_came(call)  # timed out or cancelled: no picture will come
            self._calls.finish(exchange.call_id)
        return await self._describe_answer(call, frame)

    def _picture_came(self, call: PendingCall) -> None:
        if call.request.kind in PICTURE_CALLS and not call.picture_counted:
            call.picture_counted = True
            self._tracker.pictures_awaited -= 1

    async def _describe_answer(self, call: PendingCall, frame: FrameSource) -> str:
        exchange = call.exchange
        if call.request.kind not in PICTURE_CALLS:
            return describe_exchange(exchange, call.request)
        exchange.next_frame_size, data = await self._frame_size(frame)
        read = await replies.read_tool_frame(self._tracker, data)  # OCR at full detail
        return describe_exchange(exchange, call.request) + read

    async def _frame_size(self, frame: FrameSource) -> tuple[tuple[int, int] | None, bytes | None]:
        """The size (and bytes) of the picture that answers a snapshot or zoom."""
        try:
            if isinstance(frame, asyncio.Future):
                frame = await asyncio.wait_for(frame, self._settings.tool_frame_wait_s)
            analysed = await asyncio.to_thread(analyse_jpeg, frame)
        except (TimeoutError, FrameDecodeError):
            return None, None
        return (analysed.width, analysed.height), frame
