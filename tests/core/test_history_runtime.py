"""The runtime keeps each session in a real SQLite file as it goes, and a stale resumption
handle seeds the fresh session with the conversation so far (the local server, real sockets)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from liveview.core import events as core
from liveview.core.backend import LocalServerKeeper
from liveview.core.bus import EventBus
from liveview.core.history import HistoryStore, TurnRole
from liveview.core.history_limits import HistoryPolicy
from liveview.core.history_writer import HistoryWriter
from liveview.core.runtime import SessionPlan, SessionRuntime
from liveview.core.settings import Backend, SessionSettings
from liveview.core.transcript import LATENCY_META_KEY
from liveview.core.video_host import VideoHost
from liveview.protocol.catalogue import STABLE_MODEL
from liveview.server import LocalLiveServer
from tests.support.waiting import eventually


def client_contents(connection: Any) -> list[dict[str, Any]]:
    return [m["clientContent"] for m in connection.received if "clientContent" in m]


async def test_a_stale_handle_seeds_the_fresh_session_and_every_turn_is_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.sqlite3"
    async with LocalLiveServer(use_espeak=False, audio_pacing=0.1) as server:
        settings = SessionSettings(
            backend=Backend.CUSTOM, url=server.url, model=STABLE_MODEL, audio_replies=False
        )
        writer = HistoryWriter(HistoryPolicy(path=path))
        writer.start()
        bus = EventBus()
        runtime = SessionRuntime(
            SessionPlan(settings), bus=bus, video=VideoHost(), local_server=LocalServerKeeper(),
            history=writer,
        )  # fmt: skip
        turns_done: list[object] = []
        bus.on(core.LatencyMeasured, turns_done.append)
        session = asyncio.create_task(runtime.run())
        try:
            await eventually(lambda: runtime.live)
            assert runtime.controller is not None
            runtime.controller.send_text("the door code is 4711")
            await eventually(
                lambda: len(turns_done) == 1 and not runtime.transcript.entries[-1].open
            )
            conn = runtime.controller._conn
            await eventually(lambda: conn is not None and conn.session.resumption_handle)
            server.handles.expire_all()
            server.faults.drop_now()
            # The old handle is tried (and refused: it expired), then a fresh session opens.
            await eventually(lambda: len(server.connections) == 3 and runtime.live)
            await eventually(lambda: client_contents(server.connections[2]))
        finally:
            runtime.stop()
            await asyncio.gather(session, return_exceptions=True)
            await asyncio.to_thread(writer.close)

    assert server.received[1][0]["setup"]["sessionResumption"].get("handle")
    seed = client_contents(server.connections[2])[0]
    assert seed["turnComplete"] is False
    assert [t["role"] for t in seed["turns"]][:2] == ["user", "model"]
    assert seed["turns"][0]["parts"][0]["text"] == "the door code is 4711"
    assert "handle" not in server.received[2][0]["setup"]["sessionResumption"]

    with HistoryStore.open(path) as store:
        (summary,) = store.list_sessions()
        kept = store.get_session(summary.id)
    assert kept is not None and kept.ended_at is not None and kept.meta.model == STABLE_MODEL
    roles = [t.record.role for t in kept.turns]
    assert roles[:2] == [TurnRole.USER, TurnRole.MODEL]
    assert kept.turns[0].record.text == "the door code is 4711"
    reply = kept.turns[1].record
    assert reply.latency_ms is not None and reply.latency_ms >= 0
    assert reply.meta[LATENCY_META_KEY] == f"{reply.latency_ms:.0f}"
