"""The controller speaks today's Live API (issue 12): a goAway handover waits for the model to be
idle (background reasoning included), and audioStreamEnd is sent only where it belongs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from liveview.core import events as core
from liveview.core.controller import SessionController
from liveview.core.settings import Backend, SessionSettings
from liveview.protocol import events as ev
from liveview.protocol.catalogue import LOCAL_MODEL
from liveview.server.app import LocalLiveServer, running_in_thread
from liveview.transport.endpoint import local_endpoint


async def wait_for(predicate: Callable[[], bool], timeout_s: float = 15.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not predicate():
            await asyncio.sleep(0.01)


def controller(server: LocalLiveServer, **settings: Any) -> tuple[SessionController, list[Any]]:
    chosen = SessionSettings(backend=Backend.LOCAL, audio_replies=False, **settings)
    ctl = SessionController(chosen, local_endpoint(server.url))
    seen: list[Any] = []
    ctl.subscribe(seen.append)
    return ctl, seen


async def test_go_away_during_background_reasoning_waits_for_idle() -> None:
    """gemini-3.8-live-extended-thinking speaks a filler turn, then the answer, and says IDLE
    at the end. A goAway after the filler must not move the session between those turns."""
    server = LocalLiveServer(use_espeak=False, audio_pacing=0.5)
    with running_in_thread(server) as srv:
        ctl, seen = controller(srv, model="gemini-3.8-live-extended-thinking")

        def go_away_after_the_filler(event: object) -> None:
            if isinstance(event, ev.TurnComplete) and not any(
                isinstance(e, ev.GoAway) for e in seen
            ):
                srv.faults.go_away_now(20.0)

        ctl.subscribe(go_away_after_the_filler)
        async with asyncio.TaskGroup() as tg:
            tg.create_task(ctl.run())
            await wait_for(lambda: ctl.connected)
            ctl.send_text("plan my week")
            await wait_for(lambda: any(isinstance(e, core.Reconnected) for e in seen))
            ctl.stop()
    kinds = [
        type(e)
        for e in seen
        if isinstance(e, ev.TurnComplete | ev.GoAway | ev.InteractionStatus | core.Reconnected)
    ]
    # filler turn, goAway, the answer turn, IDLE, and only then the move.
    assert kinds[kinds.index(ev.GoAway) :] == [
        ev.GoAway,
        ev.TurnComplete,
        ev.InteractionStatus,
        core.Reconnected,
    ]
    assert not any(isinstance(e, ev.Interrupted) for e in seen)


@pytest.mark.parametrize(("push_to_talk", "markers"), [(False, 1), (True, 0)])
async def test_audio_stream_end_only_with_automatic_activity_detection(
    push_to_talk: bool, markers: int
) -> None:
    with running_in_thread(LocalLiveServer(use_espeak=False, audio_pacing=0.25)) as srv:
        ctl, seen = controller(srv, model=LOCAL_MODEL, push_to_talk=push_to_talk)
        async with asyncio.TaskGroup() as tg:
            tg.create_task(ctl.run())
            await wait_for(lambda: ctl.connected)
            ctl.submit_mic_chunk(b"\x00\x00" * 320, 0.0)
            ctl.set_mic_muted(True)  # the user mutes the microphone
            ctl.send_text("still there?")
            await wait_for(lambda: any(isinstance(e, ev.TurnComplete) for e in seen))
            ctl.stop()
        sent = srv.connections[0].received_kinds
    # With push-to-talk the strict server would have closed 1007 on the marker.
    assert sent.count("realtimeInput.audioStreamEnd") == markers
    assert not any(isinstance(e, core.SessionFailed) for e in seen)
