"""The turn runner (server/replier.py) driven directly: a real Replier with a real Conversation
and FrameTracker, as connection.py builds it, whose send function only collects the messages.
Tests of time run on looptime's fake clock, so a 5 s think costs nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from liveview.protocol.catalogue import lookup
from liveview.server import outbound
from liveview.server.inbound import FunctionDecl, FunctionResult, Setup
from liveview.server.records import ConnectionInfo
from liveview.server.replier import Replier
from liveview.server.replies import Turn
from liveview.server.resumption import Conversation
from liveview.server.settings import ServerSettings
from liveview.server.tools import tool_request
from liveview.server.vision import FrameTracker
from tests.support.fake_clock import on_fake_clock
from tests.support.peer import GEMINI_PATH

Msg = dict[str, Any]
# TEXT replies (the relaxed mode's modality): parts are plain text, quick to read back.
TEXT_SETUP = Setup(model="models/any-model", audio_out=False)
PAUSE = FunctionDecl("pause_video", behavior="BLOCKING")
FAST: dict[str, Any] = {"text_part_interval_s": 0.01}  # ServerSettings fields


class Wire:
    """The Replier's send function: every message, with the loop time it was sent at."""

    def __init__(self) -> None:
        self.sent: list[Msg] = []
        self.sent_at: list[float] = []
        self._changed = asyncio.Event()

    async def send(self, message: Msg) -> None:
        self.sent.append(message)
        self.sent_at.append(asyncio.get_running_loop().time())
        self._changed.set()

    async def until(
        self, done: Callable[[Msg], bool], nth: int = 1, timeout_s: float = 10.0
    ) -> Msg:
        """The `nth` message sent (so far or from now on) for which `done` is true."""
        async with asyncio.timeout(timeout_s):
            while True:
                found = [m for m in self.sent if done(m)]
                if len(found) >= nth:
                    return found[nth - 1]
                self._changed.clear()
                await self._changed.wait()

    def kinds(self) -> list[str]:
        """Each message's body key: serverContent's field, or the top-level key."""
        found: list[str] = []
        for message in self.sent:
            body = message.get("serverContent")
            found += list(body) if isinstance(body, dict) else list(message)
        return found

    def text(self) -> str:
        parts = [
            part.get("text", "")
            for m in self.sent
            for part in content(m).get("modelTurn", {}).get("parts", [])
        ]
        spoken = [content(m).get("outputTranscription", {}).get("text", "") for m in self.sent]
        return "".join(parts) or "".join(spoken)


def content(message: Msg) -> Msg:
    body = message.get("serverContent")
    return body if isinstance(body, dict) else {}


def is_part(message: Msg) -> bool:
    return "modelTurn" in content(message)


def is_turn_complete(message: Msg) -> bool:
    return bool(content(message).get("turnComplete"))


class Harness:
    def __init__(self, setup: Setup, settings: ServerSettings) -> None:
        self.wire = Wire()
        self.conversation = Conversation()
        self.tracker = FrameTracker()
        self.info = ConnectionInfo(0, GEMINI_PATH, "v1beta")
        self.handles: list[bool] = []  # publish_handle(resumable) calls
        self.replies_started = 0
        self.replier = Replier(
            send=self.wire.send,
            setup=setup,
            model=lookup(setup.model),
            conversation=self.conversation,
            tracker=self.tracker,
            settings=settings,
            info=self.info,
            publish_handle=self._publish_handle,
            on_reply_started=self._reply_started,
        )

    async def _publish_handle(self, resumable: bool) -> None:
        self.handles.append(resumable)

    async def _reply_started(self) -> None:
        self.replies_started += 1


@contextlib.asynccontextmanager
async def running(setup: Setup = TEXT_SETUP, **settings: Any) -> AsyncIterator[Harness]:
    harness = Harness(setup, ServerSettings(**settings))
    runner = asyncio.create_task(harness.replier.run(), name="test-replier")
    try:
        yield harness
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner


def typed(text: str) -> Turn:
    return Turn("text", text, tool=tool_request(text))


def tool_setup(*decls: FunctionDecl) -> Setup:
    return Setup(model="models/any-model", audio_out=False, functions=decls)


# --- a text turn ------------------------------------------------------------------------------


async def test_text_turn_sends_parts_then_generation_complete_then_turn_complete() -> None:
    async with running(**FAST) as h:
        h.replier.submit(typed("hello there"))
        last = await h.wire.until(is_turn_complete)
    kinds = h.wire.kinds()
    assert kinds[-2:] == ["generationComplete", "turnComplete"]
    assert kinds[:-2] == ["modelTurn"] * len(kinds[:-2]) and len(kinds) > 4
    assert 'You typed "hello there"' in h.wire.text()
    usage = last["usageMetadata"]
    assert usage["responseTokenCount"] == outbound.text_tokens(h.wire.text())
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["responseTokenCount"]


async def test_text_turn_is_remembered_and_counted() -> None:
    async with running(**FAST) as h:
        h.replier.submit(typed("hello there"))
        await h.wire.until(is_turn_complete)
    assert h.conversation.turns == 1
    assert h.conversation.history == [("user", "hello there"), ("model", h.wire.text())]
    assert h.replies_started == 1


async def test_no_resumption_handle_while_mid_turn() -> None:
    async with running(**FAST) as h:
        h.replier.submit(typed("hello"))
        await h.wire.until(is_turn_complete)
    assert h.handles == [False, True]  # empty as the turn starts, resumable once it ends


async def test_spoken_turn_is_24khz_audio_with_its_transcript() -> None:
    setup = Setup(model="models/gemini-3.8-live", output_transcription=True)
    async with running(setup, use_espeak=False, audio_pacing=0.0) as h:
        h.replier.submit(typed("speak up"))
        last = await h.wire.until(is_turn_complete)
    parts = [content(m)["modelTurn"]["parts"][0] for m in h.wire.sent if is_part(m)]
    assert parts and all(p["inlineData"]["mimeType"] == "audio/pcm;rate=24000" for p in parts)
    assert '"speak up"' in h.wire.text()
    assert last["usageMetadata"]["responseTokenCount"] > 0


# --- barge-in ---------------------------------------------------------------------------------


async def test_barge_in_mid_reply_sends_interrupted_and_no_generation_complete() -> None:
    async with running() as h:
        h.replier.submit(typed("a question with a long enough answer"))
        await h.wire.until(is_part)
        assert h.replier.active
        h.replier.barge_in()
        await h.wire.until(is_turn_complete)
        assert not h.replier.active
    kinds = h.wire.kinds()
    assert kinds[-2:] == ["interrupted", "turnComplete"]
    assert "generationComplete" not in kinds
    assert h.conversation.history[-1] == ("model", "(interrupted)")
    assert h.handles == [False, True]


async def test_barge_in_when_idle_does_nothing() -> None:
    async with running() as h:
        h.replier.barge_in()
        h.replier.submit(typed("hello"))
        await h.wire.until(is_turn_complete)
    assert "interrupted" not in h.wire.kinds()


async def test_no_interruption_lets_the_reply_finish() -> None:
    setup = Setup(model="models/any-model", audio_out=False, interrupts=False)
    async with running(setup) as h:
        h.replier.submit(typed("first"))
        await h.wire.until(is_part)
        h.replier.barge_in()
        h.replier.submit(typed("second"))  # waits behind the first
        await h.wire.until(is_turn_complete, nth=2)
    kinds = h.wire.kinds()
    assert "interrupted" not in kinds
    assert '"first"' in h.wire.text() and '"second"' in h.wire.text()
    assert kinds.count("generationComplete") == 2 and kinds.count("turnComplete") == 2


async def test_a_new_turn_mid_reply_interrupts_and_is_answered() -> None:
    async with running() as h:
        h.replier.submit(typed("first"))
        await h.wire.until(is_part)
        h.replier.submit(typed("second"))
        await h.wire.until(is_turn_complete, nth=2)
    kinds = h.wire.kinds()
    first_end = kinds.index("turnComplete")
    assert kinds[first_end - 1] == "interrupted"
    assert kinds[-2:] == ["generationComplete", "turnComplete"]
    assert '"second"' in h.wire.text()


async def test_turns_waiting_past_the_limit_drop_the_oldest() -> None:
    setup = Setup(model="models/any-model", audio_out=False, interrupts=False)
    async with running(setup, max_waiting_turns=2, **FAST) as h:
        h.replier.submit(typed("running"))
        await h.wire.until(is_part)
        for name in ("one", "two", "three"):
            h.replier.submit(typed(name))
        await h.wire.until(is_turn_complete, nth=3)
    assert h.info.turns_dropped == 1
    said = [text for role, text in h.conversation.history if role == "user"]
    assert said == ["running", "two", "three"]


# --- thinking time ----------------------------------------------------------------------------


@on_fake_clock
async def test_reply_delay_holds_the_first_part_back() -> None:
    async with running(reply_delay_s=5.0, **FAST) as h:
        submitted = asyncio.get_running_loop().time()
        h.replier.submit(typed("think first"))
        await h.wire.until(is_turn_complete, timeout_s=60.0)
    first_part = next(t for m, t in zip(h.wire.sent, h.wire.sent_at, strict=True) if is_part(m))
    assert first_part - submitted >= 5.0
    assert first_part - submitted < 5.5, "the delay is a floor, not an extra per part"


@on_fake_clock
async def test_without_reply_delay_the_first_part_goes_at_once() -> None:
    async with running(**FAST) as h:
        submitted = asyncio.get_running_loop().time()
        h.replier.submit(typed("quick"))
        await h.wire.until(is_turn_complete)
    first_part = next(t for m, t in zip(h.wire.sent, h.wire.sent_at, strict=True) if is_part(m))
    assert first_part - submitted < 0.01


# --- tool calls -------------------------------------------------------------------------------


def call_of(message: Msg) -> Msg:
    return dict(message["toolCall"]["functionCalls"][0])


@on_fake_clock
async def test_blocking_tool_call_waits_for_its_response() -> None:
    async with running(tool_setup(PAUSE), **FAST) as h:
        h.replier.submit(typed("pause video"))
        call = call_of(await h.wire.until(lambda m: "toolCall" in m))
        assert call["name"] == "pause_video" and call["args"] == {}
        await asyncio.sleep(20.0)  # a long wait on the fake clock: the reply holds
        assert "generationComplete" not in h.wire.kinds()
        assert h.replier.resolve_tool(FunctionResult(call["id"], "pause_video", {"paused": True}))
        await h.wire.until(is_turn_complete)
    assert 'It answered {"paused": true}' in h.wire.text()
    assert h.wire.kinds()[-2:] == ["generationComplete", "turnComplete"]
    [exchange] = h.info.tool_exchanges
    assert exchange.response == {"paused": True} and exchange.problems == []


@on_fake_clock
async def test_blocking_tool_call_gives_up_after_the_timeout() -> None:
    async with running(tool_setup(PAUSE), tool_timeout_s=30.0, **FAST) as h:
        h.replier.submit(typed("pause video"))
        await h.wire.until(lambda m: "toolCall" in m)
        await h.wire.until(is_turn_complete, timeout_s=60.0)
    assert "no response came back in time" in h.wire.text()


async def test_barge_in_cancels_the_blocking_call() -> None:
    async with running(tool_setup(PAUSE)) as h:
        h.replier.submit(typed("pause video"))
        call = call_of(await h.wire.until(lambda m: "toolCall" in m))
        h.replier.barge_in()
        await h.wire.until(is_turn_complete)
        late = FunctionResult(call["id"], "pause_video", {"paused": True})
        assert h.replier.resolve_tool(late), "a late answer to a cancelled call is ignored"
    assert h.wire.sent[-3] == outbound.tool_call_cancellation([call["id"]])
    assert h.wire.kinds()[-2:] == ["interrupted", "turnComplete"]
    assert h.info.tool_exchanges[0].cancelled


async def test_response_to_an_id_never_issued_is_refused() -> None:
    async with running() as h:
        assert not h.replier.resolve_tool(FunctionResult("function-call-nope", "f"))


async def test_undeclared_function_is_said_not_called() -> None:
    async with running(**FAST) as h:
        h.replier.submit(typed("pause video"))
        await h.wire.until(is_turn_complete)
    assert "toolCall" not in h.wire.kinds()
    assert "declared no pause_video function" in h.wire.text()


async def test_non_blocking_call_lets_the_reply_finish_and_speaks_the_answer_later() -> None:
    decl = FunctionDecl("pause_video", behavior="NON_BLOCKING")
    async with running(tool_setup(decl), **FAST) as h:
        h.replier.submit(typed("pause video"))
        call = call_of(await h.wire.until(lambda m: "toolCall" in m))
        await h.wire.until(is_turn_complete)
        assert "carry on without waiting" in h.wire.text()
        result = FunctionResult(call["id"], "pause_video", {"paused": True}, "WHEN_IDLE")
        assert h.replier.resolve_tool(result)
        await h.wire.until(is_turn_complete, nth=2)
    assert h.wire.kinds().count("turnComplete") == 2
    assert h.conversation.turns == 1, "the answer is the model's own turn, not the user's"
