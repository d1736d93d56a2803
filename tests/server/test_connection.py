"""One connection's life (server/connection.py) over a real WebSocket, fed hand-written dicts:
setup first, what each later message does, and the closes the service would send."""

from __future__ import annotations

import base64
from typing import Any

from liveview.server import LocalLiveServer, texts
from tests.support.peer import (
    MODEL,
    Msg,
    client_text,
    closed_with,
    content,
    is_turn_complete,
    open_peer,
    reply_text,
    text_setup,
)

INVALID = (1007, texts.INVALID_ARGUMENT)


def seed(*turns: tuple[str, str], complete: bool = False) -> Msg:
    return {
        "clientContent": {
            "turns": [{"role": role, "parts": [{"text": text}]} for role, text in turns],
            "turnComplete": complete,
        }
    }


def resumable_setup(**extra: Any) -> Msg:
    return text_setup(sessionResumption={}, **extra)


def handle_of(message: Msg) -> str:
    update = message.get("sessionResumptionUpdate", {})
    return str(update.get("newHandle", ""))


# --- setup ------------------------------------------------------------------------------------


async def test_setup_is_answered_with_setup_complete_and_a_session_id(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url, wait_setup_complete=False)
    first = await peer.recv()
    assert list(first) == ["setupComplete"]
    [info] = server.connections
    assert first["setupComplete"] == {"sessionId": info.session_id} and info.session_id
    assert info.setup is not None and info.setup.model == MODEL
    await peer.close()


async def test_setup_with_resumption_gets_a_handle_at_once(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, resumable_setup())
    update = await peer.recv()
    assert update["sessionResumptionUpdate"]["resumable"] is True
    assert len(server.handles) == 1 and handle_of(update)
    assert "lastConsumedClientMessageIndex" not in update["sessionResumptionUpdate"]
    await peer.close()


async def test_transparent_resumption_counts_the_messages_consumed(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url, text_setup(sessionResumption={"transparent": True}))
    after_setup = await peer.recv()
    assert after_setup["sessionResumptionUpdate"]["lastConsumedClientMessageIndex"] == "0"
    await peer.send(client_text("one"))
    await peer.turn()
    after_turn = await peer.recv()
    assert after_turn["sessionResumptionUpdate"]["lastConsumedClientMessageIndex"] == "1"
    await peer.close()


async def test_a_second_setup_closes_1007(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send(text_setup())
    assert await closed_with(peer) == INVALID
    assert server.connections[0].closed_with == INVALID


async def test_a_first_message_other_than_setup_closes_1007(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, client_text("hi"), wait_setup_complete=False)
    assert await closed_with(peer) == INVALID
    assert server.connections[0].setup is None


async def test_a_setup_that_does_not_parse_closes_with_the_parser_reason(
    server: LocalLiveServer,
) -> None:
    bad = {"setup": {"model": MODEL, "bogusField": 1}}
    peer = await open_peer(server.url, bad, wait_setup_complete=False)
    assert await closed_with(peer) == (1007, texts.unknown_field("bogusField", "setup"))


async def test_resuming_an_unknown_handle_closes_1008(server: LocalLiveServer) -> None:
    setup = text_setup(sessionResumption={"handle": "never-issued"})
    peer = await open_peer(server.url, setup, wait_setup_complete=False)
    assert await closed_with(peer) == (1008, texts.SESSION_NOT_FOUND)


# --- clientContent ----------------------------------------------------------------------------


async def test_seed_turns_get_no_reply_and_the_question_gets_one(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send(seed(("user", "my name is Ann"), ("model", "Hello Ann")))
    await peer.send(seed(("user", "I like tea")))
    await peer.send(client_text("what do you remember?"))
    reply = await peer.turn()
    assert sum(1 for m in reply if is_turn_complete(m)) == 1
    assert [m for m in reply if content(m).get("interrupted")] == [], "no reply was cut short"
    text = reply_text(reply)
    assert '"what do you remember?"' in text
    assert 'Earlier you said "I like tea"' in text
    assert server.connections[0].sent["serverContent"] == len(reply)
    await peer.close()


async def test_seed_turns_are_remembered_with_their_roles(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, resumable_setup())
    await peer.recv()  # the handle after setup
    await peer.send(seed(("user", "my name is Ann"), ("model", "Hello Ann")))
    await peer.send(client_text("and now?"))
    await peer.turn()
    handle = handle_of(await peer.recv())
    await peer.close()
    conversation = server.handles.restore(handle)
    assert conversation is not None
    assert conversation.history[:3] == [
        ("user", "my name is Ann"),
        ("model", "Hello Ann"),
        ("user", "and now?"),
    ]
    assert conversation.history[3][0] == "model"
    assert conversation.turns == 1, "seeds are context, not turns"


async def test_history_before_the_question_keeps_its_roles(server: LocalLiveServer) -> None:
    # One completed clientContent carrying history: once all joined into one user line, so
    # the model's own words came back as "You typed ...".
    peer = await open_peer(server.url, resumable_setup())
    await peer.recv()
    history = (("user", "my name is Ann"), ("model", "Hello Ann"), ("user", "what is my name?"))
    await peer.send(seed(*history, complete=True))
    reply = await peer.turn()
    assert 'You typed "what is my name?"' in reply_text(reply)
    assert "Hello Ann" not in reply_text(reply).split("Earlier")[0]
    handle = handle_of(await peer.recv())
    await peer.close()
    conversation = server.handles.restore(handle)
    assert conversation is not None
    assert conversation.history[:3] == list(history)


async def test_an_invalid_role_closes_with_the_service_words(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send(seed(("system", "you are a pirate")))
    assert await closed_with(peer) == (1007, texts.INVALID_ROLE)


# --- realtimeInput, toolResponse and the rest -------------------------------------------------


async def test_realtime_text_is_a_turn(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send({"realtimeInput": {"text": "typed live"}})
    assert '"typed live"' in reply_text(await peer.turn())
    await peer.close()


async def test_video_frames_are_counted_in_the_usage(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    frame = base64.b64encode(b"\xff\xd8 not really a jpeg").decode()
    await peer.send({"realtimeInput": {"video": {"mimeType": "image/jpeg", "data": frame}}})
    await peer.send(client_text("what do you see?"))
    usage = (await peer.turn())[-1]["usageMetadata"]
    image = [d for d in usage["promptTokensDetails"] if d["modality"] == "IMAGE"]
    assert image == [{"modality": "IMAGE", "tokenCount": 258}]
    await peer.close()


async def test_audio_stream_end_with_detection_disabled_closes_1007(
    server: LocalLiveServer,
) -> None:
    aad = {"automaticActivityDetection": {"disabled": True}}
    peer = await open_peer(server.url, text_setup(realtimeInputConfig=aad))
    await peer.send({"realtimeInput": {"audioStreamEnd": True}})
    assert await closed_with(peer) == INVALID


async def test_tool_response_to_an_id_never_issued_closes_1007(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    response = {"id": "function-call-nope", "name": "f", "response": {}}
    await peer.send({"toolResponse": {"functionResponses": [response]}})
    assert await closed_with(peer) == INVALID


async def test_context_update_is_taken_and_the_session_goes_on(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send({"contextUpdate": {}})
    await peer.send(client_text("still there?"))
    assert '"still there?"' in reply_text(await peer.turn())
    assert server.connections[0].closed_with is None
    await peer.close()


async def test_a_broken_message_mid_session_closes_with_its_reason(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url)
    await peer.send("{not json")
    assert await closed_with(peer) == (1007, texts.invalid_json())


async def test_json_nested_too_deep_closes_1007_not_1011(server: LocalLiveServer) -> None:
    # Once a RecursionError escaped the handler: 1011 with no reason and a traceback logged.
    peer = await open_peer(server.url)
    await peer.send("[" * 100_000)
    assert await closed_with(peer) == (1007, texts.TOO_DEEP)
    [info] = server.connections
    assert info.closed_with == (1007, texts.TOO_DEEP)
    assert info.received[-1] == {"_raw": "[" * 100_000}, "recorded as received"


async def test_every_message_received_is_recorded_in_order(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url)
    await peer.send(seed(("user", "a")))
    await peer.send({"realtimeInput": {"text": "b"}})
    await peer.turn()
    await peer.close()
    assert server.connections[0].received_kinds[:3] == [
        "setup",
        "clientContent",
        "realtimeInput.text",
    ]
