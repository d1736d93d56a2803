"""Connection lifetime (goAway then the cut) and resumption handles."""

from __future__ import annotations

from liveview.server import LocalLiveServer
from liveview.server.resumption import Conversation, HandleStore
from tests.support.peer import (
    Msg,
    client_text,
    closed_with,
    is_turn_complete,
    open_peer,
    reply_text,
    text_setup,
)


def updates(messages: list[Msg]) -> list[Msg]:
    return [m["sessionResumptionUpdate"] for m in messages if "sessionResumptionUpdate" in m]


async def test_handles_are_empty_mid_turn_and_resumable_between_turns(
    server: LocalLiveServer,
) -> None:
    peer = await open_peer(server.url, text_setup(sessionResumption={}))
    first = await peer.recv()
    assert first["sessionResumptionUpdate"]["resumable"] is True
    await peer.send(client_text("remember the word pineapple"))
    messages = await peer.turn()
    messages += [await peer.recv()]
    mid, end = updates(messages)
    assert mid["resumable"] is False and mid["newHandle"] == ""
    assert end["resumable"] is True and end["newHandle"]
    turn_end = next(i for i, m in enumerate(messages) if is_turn_complete(m))
    assert len(messages) - 1 > turn_end, "the resumable handle follows turnComplete"
    await peer.close()

    resumed = await open_peer(
        server.url, text_setup(sessionResumption={"handle": end["newHandle"]})
    )
    await resumed.recv()
    await resumed.send(client_text("what did I say"))
    text = reply_text(await resumed.turn())
    assert 'Earlier you said "remember the word pineapple"' in text
    assert "Turn 2 of this session, resumed 1 times" in text
    assert server.connections[-1].resumed
    assert server.connections[-1].session_id == server.connections[0].session_id
    await resumed.close()


async def test_unknown_handle_is_closed_1008_session_not_found(server: LocalLiveServer) -> None:
    setup = text_setup(sessionResumption={"handle": "no-such-handle"})
    peer = await open_peer(server.url, setup, wait_setup_complete=False)
    assert await closed_with(peer) == (1008, "session not found")


def test_expired_handles_read_as_unknown() -> None:
    now = [0.0]
    store = HandleStore(ttl_s=10.0, clock=lambda: now[0])
    conversation = Conversation()
    conversation.remember("user", "hi")
    handle = store.issue(conversation)
    conversation.remember("user", "later")  # does not leak into the snapshot
    restored = store.restore(handle)
    assert restored is not None and restored.user_lines() == ["hi"]
    now[0] = 11.0
    assert store.restore(handle) is None


async def test_go_away_comes_ahead_of_the_cut() -> None:
    async with LocalLiveServer(lifetime_s=1.5, go_away_lead_s=1.0) as server:
        peer = await open_peer(server.url)
        message = await peer.recv(timeout_s=5)
        assert message == {"goAway": {"timeLeft": "1s"}}
        code, reason = await closed_with(peer, timeout_s=5)
        assert code == 1008 and "GoAway" in reason
