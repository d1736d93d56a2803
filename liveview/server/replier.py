"""One connection's turns: replies streamed like the service's, barge-in, tool calls.

A reply is a task the turn runner owns; a barge-in cancels it and the runner then sends
`serverContent.interrupted` and `turnComplete` (no `generationComplete`), as the service does.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable

from liveview.server import outbound, replies, speech
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
_PendingCall = tuple["asyncio.Future[tuple[FunctionResult, asyncio.Future[bytes]]]", FunctionDecl]


class Replier:
    def __init__(
        self,
        *,
        send: Send,
        setup: Setup,
        conversation: Conversation,
        tracker: FrameTracker,
        settings: ServerSettings,
        info: ConnectionInfo,
        publish_handle: Callable[[bool], Awaitable[None]],
        on_reply_started: Hook,
    ) -> None:
        self._send = send
        self._setup = setup
        self._conversation = conversation
        self._tracker = tracker
        self._settings = settings
        self._info = info
        self._publish_handle = publish_handle
        self._on_reply_started = on_reply_started
        self._waiting: deque[replies.Turn] = deque()
        self._wake = asyncio.Event()
        self._current: asyncio.Task[None] | None = None
        self._calls: dict[str, _PendingCall] = {}
        self._to_cancel: list[str] = []  # calls cut short by the barge-in being handled
        self._finished_calls: set[str] = set()
        self._sent_text_chars = 0
        self._sent_audio_s = 0.0
        self._started = False

    @property
    def active(self) -> bool:
        """A reply is being generated or streamed."""
        return self._current is not None and not self._current.done()

    # --- input side ---------------------------------------------------------------------------
    def submit(self, turn: replies.Turn) -> None:
        """A new user turn: it interrupts a running reply unless activityHandling says not to."""
        self.barge_in()
        if len(self._waiting) >= self._settings.max_waiting_turns:
            self._waiting.popleft()
            self._info.turns_dropped += 1
        self._waiting.append(turn)
        self._wake.set()

    def barge_in(self) -> None:
        """User activity during a reply (START_OF_ACTIVITY_INTERRUPTS): stop it at once."""
        if self.active and self._setup.interrupts:
            assert self._current is not None
            self._current.cancel()

    def resolve_tool(self, result: FunctionResult) -> bool:
        """Deliver a toolResponse; False when its id was never issued (a protocol error)."""
        pending = self._calls.get(result.id)
        if pending is not None:
            future, _decl = pending
            if not future.done():
                # Register for the next frame now, not when the reply task wakes: the frame
                # answering a zoom may already be on its way.
                future.set_result((result, self._tracker.next_frame()))
            return True
        # A late answer to a cancelled call is ignored, like the service does.
        return result.id in self._finished_calls

    # --- the turn runner ------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                await self._run_turn(self._waiting.popleft())

    async def _run_turn(self, turn: replies.Turn) -> None:
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

    def _begin_turn(self, turn: replies.Turn) -> None:
        self._conversation.turns += 1
        said = replies.turn_text(turn)
        self._conversation.remember("user", said)
        if turn.kind == "text":
            self._conversation.ledger.add_text(said)
        self._sent_text_chars = 0
        self._sent_audio_s = 0.0
        self._started = False

    async def _reply(self, turn: replies.Turn) -> None:
        self._begin_turn(turn)
        # sessionResumptionUpdate: no handle while the model is mid-turn.
        await self._publish_handle(False)
        if turn.kind == "voice" and turn.utterance and self._setup.input_transcription:
            await self._send(outbound.input_transcription(replies.speech_label(turn.utterance)))
        text = await self._compose(turn)
        if self._setup.audio_out:
            await self._speak(text)
        else:
            await self._write(text)
        await self._send(outbound.generation_complete())
        self._conversation.remember("model", text)
        await self._send(outbound.turn_complete(self._usage()))
        await self._publish_handle(True)

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
        """TEXT modality: word-sized parts, a little apart, so a reply lasts long enough to be
        interrupted (the service streams text the same way)."""
        words = text.split(" ")
        step = max(1, self._settings.text_words_per_part)
        for i in range(0, len(words), step):
            piece = " ".join(words[i : i + step]) + (" " if i + step < len(words) else "")
            await self._send(outbound.model_text(piece))
            self._sent_text_chars += len(piece)
            await self._first_part_sent()
            await asyncio.sleep(self._settings.text_part_interval_s)

    async def _speak(self, text: str) -> None:
        """AUDIO modality: 24 kHz PCM in 200 ms parts paced at real time, with the transcript
        (outputTranscription) streamed alongside in word-sized pieces."""
        voice = await asyncio.to_thread(
            speech.synthesise, text, self._setup.voice, use_espeak=self._settings.use_espeak
        )
        parts = speech.chunks(voice.pcm)
        words = speech.words_per_chunk(text, len(parts))
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i, part in enumerate(parts):
            delay = start + i * speech.CHUNK_S - self._settings.audio_lead_s - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self._send(outbound.model_audio(part))
            self._sent_audio_s += len(part) / 2 / outbound.REPLY_SAMPLE_RATE_HZ
            if self._setup.output_transcription and words[i].strip():
                await self._send(outbound.output_transcription(words[i]))
            await self._first_part_sent()

    def _usage(self) -> Obj:
        ledger = self._conversation.ledger
        text_tokens = outbound.text_tokens("x" * self._sent_text_chars)
        audio_tokens = round(self._sent_audio_s * outbound.AUDIO_TOKENS_PER_S)
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
    async def _tool_reply(self, request: ToolRequest) -> str:
        decl, why_not = resolve(request, self._setup)
        if decl is None:
            return why_not
        call_id = f"function-call-{secrets.token_hex(8)}"
        exchange = ToolExchange(call_id, decl.name, dict(request.args))
        self._info.tool_exchanges.append(exchange)
        future: asyncio.Future[tuple[FunctionResult, asyncio.Future[bytes]]]
        future = asyncio.get_running_loop().create_future()
        self._calls[call_id] = (future, decl)
        try:
            await self._send(outbound.tool_call(call_id, decl.name, dict(request.args)))
            await self._first_part_sent()
            result, next_frame = await asyncio.wait_for(future, self._settings.tool_timeout_s)
        except TimeoutError:
            return describe_exchange(exchange, request)
        except asyncio.CancelledError:
            exchange.cancelled = True
            self._to_cancel.append(call_id)
            raise
        finally:
            self._calls.pop(call_id, None)
            self._finished_calls.add(call_id)
        check_response(exchange, result, decl)
        if request.kind in ("zoom", "snapshot"):
            exchange.next_frame_size, data = await self._frame_size(next_frame)
            read = await replies.read_tool_frame(self._tracker, data)  # OCR at full detail
            return describe_exchange(exchange, request) + read
        return describe_exchange(exchange, request)

    async def _frame_size(
        self, next_frame: asyncio.Future[bytes]
    ) -> tuple[tuple[int, int] | None, bytes | None]:
        try:
            data = await asyncio.wait_for(next_frame, self._settings.tool_frame_wait_s)
            frame = await asyncio.to_thread(analyse_jpeg, data)
        except (TimeoutError, FrameDecodeError):
            return None, None
        return (frame.width, frame.height), data
