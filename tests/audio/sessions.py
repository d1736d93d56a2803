"""A live session against the local server for the audio tests: audio attached as a SessionAudio,
the controller running, and a record of every chunk handed to it (with its capture time)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import numpy as np

from liveview.core import events as core
from liveview.core.controller import SessionController
from liveview.core.session_audio import AudioPlan, SessionAudio
from liveview.core.settings import Backend, SessionSettings
from liveview.protocol.catalogue import LOCAL_MODEL
from liveview.server.app import LocalLiveServer, running_in_thread
from liveview.transport.endpoint import local_endpoint


class Sent:
    """What the session hands the controller to send, with the capture time of each chunk."""

    def __init__(self, controller: SessionController) -> None:
        self.chunks: list[tuple[float, bytes]] = []
        submit = controller.submit_mic_chunk_threadsafe

        def record(pcm: bytes, captured_at: float, speech: bool) -> None:
            self.chunks.append((captured_at, pcm))
            submit(pcm, captured_at, speech)

        controller.submit_mic_chunk_threadsafe = record  # type: ignore[method-assign]

    def between(self, start: float, end: float) -> np.ndarray:
        pcm = b"".join(p for t, p in list(self.chunks) if start <= t < end)
        return np.frombuffer(pcm, dtype="<i2")


async def wait_for(predicate, timeout_s: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout_s):
        while not predicate():
            await asyncio.sleep(0.01)


class Session:
    def __init__(self, server: LocalLiveServer, plan: AudioPlan, push_to_talk: bool) -> None:
        self.server = server
        settings = SessionSettings(
            backend=Backend.LOCAL, model=LOCAL_MODEL, push_to_talk=push_to_talk
        )
        self.controller = SessionController(settings, local_endpoint(server.url))
        self.events: list[tuple[float, object]] = []
        self.controller.subscribe(lambda e: self.events.append((time.monotonic(), e)))
        self.sent = Sent(self.controller)
        self.audio = SessionAudio()
        self.plan = plan

    def notices(self) -> list[str]:
        return [e.message for _, e in self.events if isinstance(e, core.Notice)]

    def count(self, kind: type) -> int:
        return sum(isinstance(e, kind) for _, e in self.events)


@contextlib.asynccontextmanager
async def live_session(plan: AudioPlan, push_to_talk: bool = False) -> AsyncIterator[Session]:
    """A local server, a controller running against it, and `plan`'s audio attached."""
    with running_in_thread(LocalLiveServer()) as server:
        session = Session(server, plan, push_to_talk)
        await session.audio.attach(session.controller, plan)
        async with asyncio.TaskGroup() as tg:
            tg.create_task(session.controller.run())
            await wait_for(lambda: session.controller.connected)
            try:
                yield session
            finally:
                session.controller.stop()
        await session.audio.aclose(session.controller)
