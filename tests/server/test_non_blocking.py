"""Function calls the 3.8 way (issue 12): NON_BLOCKING goes on while BLOCKING waits, answers are
taken in by their scheduling, and extended thinking works in the background."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from liveview.server import LocalLiveServer
from tests.support.peer import (
    Msg,
    Peer,
    client_text,
    content,
    is_turn_complete,
    open_peer,
    reply_text,
    text_setup,
)

SNAPSHOT = {"name": "take_snapshot", "description": "Send one sharp frame now."}


@pytest.fixture
async def server() -> AsyncIterator[LocalLiveServer]:
    """conftest's server with speech at 10x real time, not 4x (only transcripts are read; the
    reply INTERRUPT cuts into, 60 words echoed, still lasts seconds). No frame follows these
    snapshot answers (the peer sends none), so the server need not wait its default 5 s for one."""
    async with LocalLiveServer(
        use_espeak=False, audio_pacing=0.1, tool_frame_wait_s=0.5
    ) as running:
        yield running


def tools(*decls: dict[str, Any], model: str = "models/gemini-3.8-live") -> Msg:
    return text_setup(model=model, tools=[{"functionDeclarations": list(decls)}])


def answer(call: Msg, payload: dict[str, Any], **extra: Any) -> Msg:
    response = {"id": call["id"], "name": call["name"], "response": payload, **extra}
    return {"toolResponse": {"functionResponses": [response]}}


async def ask_for_call(peer: Peer, text: str) -> tuple[Msg, list[Msg]]:
    await peer.send(client_text(text))
    messages = await peer.until(lambda m: "toolCall" in m)
    (call,) = messages[-1]["toolCall"]["functionCalls"]
    return call, messages


async def test_non_blocking_is_the_default_on_3_8_and_the_turn_goes_on(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url, tools(SNAPSHOT))
    call, _ = await ask_for_call(peer, "snapshot")
    # The model does not wait: its turn completes with no answer sent yet.
    first = reply_text(await peer.turn())
    assert "without waiting" in first
    await peer.send(answer(call, {"output": "sent a 1920x1080 snapshot"}, scheduling="WHEN_IDLE"))
    spoken = reply_text(await peer.turn())
    assert 'It answered {"output": "sent a 1920x1080 snapshot"}' in spoken
    (exchange,) = server.connections[-1].tool_exchanges
    assert not exchange.blocking and exchange.scheduling == "WHEN_IDLE"
    await peer.close()


async def test_blocking_waits_for_the_answer_and_new_input_cancels_it(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url, tools(SNAPSHOT | {"behavior": "BLOCKING"}))
    call, _ = await ask_for_call(peer, "snapshot")
    await peer.send(client_text("never mind"))  # new input before the answer
    messages = await peer.turn()
    assert [m["toolCallCancellation"]["ids"] for m in messages if "toolCallCancellation" in m] == [
        [call["id"]]
    ]
    assert not any("without waiting" in reply_text([m]) for m in messages), "it was waiting"
    assert '"never mind"' in reply_text(await peer.turn())
    assert server.connections[-1].tool_exchanges[0].blocking
    await peer.close()


async def test_interrupt_scheduling_cuts_into_the_running_reply(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, tools(SNAPSHOT))
    call, _ = await ask_for_call(peer, "snapshot")
    await peer.turn()  # the call's own turn ("without waiting")
    long_question = "describe everything " * 30
    await peer.send(client_text(long_question))
    await peer.until(lambda m: bool(content(m).get("modelTurn")))  # that reply is under way
    await peer.send(answer(call, {"output": "urgent"}, scheduling="INTERRUPT"))
    cut = await peer.turn()
    assert any(content(m).get("interrupted") for m in cut), "the running reply was cut"
    assert 'It answered {"output": "urgent"}' in reply_text(await peer.turn())
    await peer.close()


async def test_when_idle_waits_for_the_running_reply_to_finish(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, tools(SNAPSHOT))
    call, _ = await ask_for_call(peer, "snapshot")
    await peer.turn()
    await peer.send(client_text("tell me about the weather"))
    await peer.until(lambda m: bool(content(m).get("modelTurn")))
    await peer.send(answer(call, {"output": "later"}, scheduling="WHEN_IDLE"))
    running = await peer.turn()
    assert not any(content(m).get("interrupted") for m in running)
    assert "tell me about the weather" in reply_text(running)
    assert 'It answered {"output": "later"}' in reply_text(await peer.turn())
    await peer.close()


async def test_silent_scheduling_adds_context_and_says_nothing(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, tools(SNAPSHOT))
    call, _ = await ask_for_call(peer, "snapshot")
    await peer.turn()
    await peer.send(answer(call, {"output": "quietly"}, scheduling="SILENT"))
    await peer.send(client_text("ping"))
    # The next turn is the reply to "ping", not a spoken answer.
    assert '"ping"' in reply_text(await peer.turn())
    history = server.connections[-1]
    assert history.tool_exchanges[0].scheduling == "SILENT"
    await peer.close()


async def test_will_continue_keeps_the_call_open_for_more_answers(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url, tools(SNAPSHOT))
    call, _ = await ask_for_call(peer, "snapshot")
    await peer.turn()
    await peer.send(answer(call, {"output": "first"}, willContinue=True))
    assert 'It answered {"output": "first"}' in reply_text(await peer.turn())
    await peer.send(answer(call, {"output": "second"}))
    assert 'It answered {"output": "second"}' in reply_text(await peer.turn())
    assert server.connections[-1].tool_exchanges[0].answers == 2
    await peer.close()


async def test_sync_only_models_always_wait(server: LocalLiveServer) -> None:
    peer = await open_peer(
        server.url, tools(SNAPSHOT, model="models/gemini-3.1-flash-live-preview")
    )
    call, before = await ask_for_call(peer, "snapshot")
    assert not any(is_turn_complete(m) for m in before)
    await peer.send(answer(call, {"output": "here"}))
    assert 'It answered {"output": "here"}' in reply_text(await peer.turn())
    await peer.close()


async def test_extended_thinking_works_in_the_background_over_several_turns(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url, text_setup(model="models/gemini-3.8-live-extended-thinking"))
    await peer.send(client_text("plan my week"))
    messages = await peer.until(lambda m: content(m).get("interactionStatus") == "IDLE")
    statuses = [content(m).get("interactionStatus") for m in messages]
    assert statuses[0] == "IN_PROGRESS" and statuses[-1] == "IDLE"
    turns = [i for i, m in enumerate(messages) if is_turn_complete(m)]
    assert len(turns) == 2, "a filler turn, then the answer, for one request"
    filler, answer_text = reply_text(messages[: turns[0] + 1]), reply_text(messages[turns[0] :])
    assert "Let me look into that" in filler and '"plan my week"' in answer_text
    await peer.close()
