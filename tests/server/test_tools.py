"""Tool-call driving (issue 8): typed commands become toolCalls; responses are checked."""

from __future__ import annotations

from typing import Any

from liveview.server import LocalLiveServer
from tests.support.peer import (
    Msg,
    Peer,
    client_text,
    closed_with,
    content,
    open_peer,
    reply_text,
    solid_jpeg,
    text_setup,
    video,
)

ZOOM = {
    "name": "zoom_to_region",
    "description": "Send the given region of the source at full detail.",
    "parameters": {
        "type": "OBJECT",
        "properties": {k: {"type": "INTEGER"} for k in ("x", "y", "width", "height")},
        "required": ["x", "y", "width", "height"],
    },
}
SNAPSHOT = {"name": "take_snapshot", "description": "Send one sharp frame now."}
# These tests drive the model's waiting for an answer; gemini-3.8-live's functions are
# NON_BLOCKING unless declared otherwise (test_non_blocking.py has the other side).
for _decl in (ZOOM, SNAPSHOT):
    _decl["behavior"] = "BLOCKING"


def tool_setup(*decls: dict[str, Any], **extra: Any) -> Msg:
    return text_setup(tools=[{"functionDeclarations": list(decls)}], **extra)


def response(call: Msg, payload: dict[str, Any], name: str | None = None) -> Msg:
    return {
        "toolResponse": {
            "functionResponses": [
                {"id": call["id"], "name": name or call["name"], "response": payload}
            ]
        }
    }


async def next_call(peer: Peer) -> Msg:
    messages = await peer.until(lambda m: "toolCall" in m)
    (call,) = messages[-1]["toolCall"]["functionCalls"]
    return call


async def test_zoom_call_reports_the_crop_it_was_sent(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, tool_setup(ZOOM, SNAPSHOT))
    await peer.send(client_text("zoom 10 20 300 200"))
    call = await next_call(peer)
    assert call["name"] == "zoom_to_region"
    assert call["args"] == {"x": 10, "y": 20, "width": 300, "height": 200}
    assert call["id"]
    await peer.send(response(call, {"output": "sent the region"}))
    await peer.send(video(solid_jpeg((255, 0, 0), 600, 400)))
    text = reply_text(await peer.turn())
    assert 'It answered {"output": "sent the region"}' in text
    assert "The frame sent with the response was 600 by 400 pixels" in text
    assert "2.0 times that size" in text
    (exchange,) = server.connections[-1].tool_exchanges
    assert exchange.next_frame_size == (600, 400) and not exchange.problems
    await peer.close()


async def test_snapshot_and_mismatched_response_name(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, tool_setup(SNAPSHOT))
    await peer.send(client_text("take a snapshot please"))
    first = await next_call(peer)
    await peer.send(response(first, {"output": "ok"}, name="something_else"))
    await peer.send(video(solid_jpeg((0, 0, 0), 1280, 720)))
    text = reply_text(await peer.turn())
    assert "1280 by 720" in text and "the response names something_else" in text
    await peer.send(client_text("snapshot"))
    second = await next_call(peer)
    assert second["id"] != first["id"], "every call gets a fresh id"
    await peer.close()


async def test_undeclared_functions_and_search_are_declined_honestly(
    server: LocalLiveServer,
) -> None:
    setup = text_setup(tools=[{"googleSearch": {}}])
    peer = await open_peer(server.url, setup)
    await peer.send(client_text("zoom 1 2 3 4"))
    assert "declared no zoom_to_region function" in reply_text(await peer.turn())
    await peer.send(client_text("search weather in Paris"))
    assert "cannot search" in reply_text(await peer.turn())
    await peer.close()


async def test_barge_in_cancels_a_pending_call(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, tool_setup(ZOOM))
    await peer.send(client_text("zoom 0 0 10 10"))
    call = await next_call(peer)
    await peer.send(client_text("never mind"))
    messages = await peer.turn()
    cancels = [m["toolCallCancellation"]["ids"] for m in messages if "toolCallCancellation" in m]
    assert cancels == [[call["id"]]]
    assert any(content(m).get("interrupted") for m in messages)
    await peer.send(response(call, {"output": "late"}))  # a late answer is ignored, not fatal
    assert '"never mind"' in reply_text(await peer.turn())
    assert server.connections[-1].tool_exchanges[0].cancelled
    await peer.close()


async def test_response_to_an_id_never_issued_is_1007(server: LocalLiveServer) -> None:
    peer = await open_peer(server.url, tool_setup(ZOOM))
    await peer.send(response({"id": "made-up", "name": "zoom_to_region"}, {"output": 1}))
    assert await closed_with(peer) == (1007, "Request contains an invalid argument.")
