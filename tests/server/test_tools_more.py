"""The local server drives liveview's other functions from typed turns too: list_sources,
switch_source NAME, pause_video / resume_video (issue 8). Every server message is checked
against the SDK's schema by the peer; liveview's own declarations are what the setup carries."""

from __future__ import annotations

from typing import Any

import pytest

from liveview.core.settings import SessionSettings
from liveview.core.tool_declarations import scheduling_for
from liveview.protocol import messages as msg
from liveview.server import LocalLiveServer
from liveview.server.tools import tool_request
from tests.support.oracle import validate_client_message
from tests.support.peer import Msg, Peer, client_text, open_peer, reply_text, text_setup

SETTINGS = SessionSettings(functions=True, audio_replies=False)


def liveview_setup() -> Msg:
    """The setup liveview itself sends with --tools functions, on gemini-3.8-live: each
    function with its behavior (snapshot, zoom, list BLOCKING; switch, pause NON_BLOCKING)."""
    setup = msg.build_setup(SETTINGS.setup_config())
    validate_client_message(setup)
    return text_setup(tools=setup["setup"]["tools"])


async def call_and_answer(peer: Peer, text: str, answer: dict[str, Any]) -> tuple[Msg, str]:
    """Ask for a call, answer it as liveview does, and return the spoken answer ("" when its
    scheduling is SILENT: a non-blocking answer that only joins the context)."""
    await peer.send(client_text(text))
    messages = await peer.until(lambda m: "toolCall" in m)
    (call,) = messages[-1]["toolCall"]["functionCalls"]
    non_blocking = SETTINGS.is_non_blocking(call["name"])
    scheduling = scheduling_for(call["name"], answer) if non_blocking else None
    reply = msg.FunctionResponse(call["id"], call["name"], answer, scheduling=scheduling)
    response = msg.ToolResponse((reply,))
    validate_client_message(response.to_wire())
    await peer.send(response.to_wire())
    said = reply_text(await peer.turn())
    if non_blocking:
        assert "without waiting" in said, "a non-blocking call does not hold the reply"
        said = "" if scheduling == "SILENT" else reply_text(await peer.turn())
    return call, said


@pytest.mark.parametrize(
    ("text", "kind", "args"),
    [
        ("list sources", "list_sources", {}),
        ("Please list the video sources", "list_sources", {}),
        ("switch to screen:2", "switch", {"name": "screen:2"}),
        ("switch source camera:0", "switch", {"name": "camera:0"}),
        ("pause the video", "pause", {}),
        ("resume video please", "resume", {}),
        ("switch off the lights and tell me a story", None, None),
    ],
)
def test_typed_commands(text: str, kind: str | None, args: dict[str, Any] | None) -> None:
    request = tool_request(text)
    if kind is None:
        assert request is None
    else:
        assert request is not None and (request.kind, request.args) == (kind, args)


async def test_source_and_pause_functions_are_called_with_fresh_ids(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url, liveview_setup())
    listed = {"output": "Showing screen:1.", "sources": [{"name": "screen:1"}]}
    call, text = await call_and_answer(peer, "list sources", listed)
    assert (call["name"], call.get("args", {})) == ("list_sources", {})
    assert "Showing screen:1." in text
    switch, text = await call_and_answer(peer, "switch to camera:0", {"error": "not allowed"})
    assert (switch["name"], switch["args"]) == ("switch_source", {"name": "camera:0"})
    assert '"error": "not allowed"' in text
    pause, said = await call_and_answer(peer, "pause video", {"output": "Video paused."})
    assert said == "", "SILENT: the answer is context, not words"
    resume, _ = await call_and_answer(peer, "resume video", {"output": "Video resumed."})
    assert [pause["name"], resume["name"]] == ["pause_video", "resume_video"]
    assert len({call["id"], switch["id"], pause["id"], resume["id"]}) == 4
    exchanges = server.connections[-1].tool_exchanges
    assert [e.name for e in exchanges] == [
        "list_sources", "switch_source", "pause_video", "resume_video",
    ]  # fmt: skip
    assert all(not e.problems and e.response for e in exchanges)
    await peer.close()


async def test_a_switch_function_without_a_name_parameter_is_not_called(
    server: LocalLiveServer,
) -> None:
    bare = {"name": "switch_source", "description": "Switch the video source."}
    peer = await open_peer(server.url, text_setup(tools=[{"functionDeclarations": [bare]}]))
    await peer.send(client_text("switch to screen:1"))
    text = reply_text(await peer.turn())
    assert "has no parameter name" in text
    await peer.send(client_text("pause video"))
    assert "declared no pause_video function" in reply_text(await peer.turn())
    assert server.connections[-1].tool_exchanges == []
    await peer.close()
