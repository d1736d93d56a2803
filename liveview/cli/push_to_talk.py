"""Push-to-talk in a terminal: Enter starts talking, Enter again ends the turn.

A terminal cannot report a held key portably, so headless mode toggles on each line read from
standard input (a thread reads it: stdin must never block the loop).
"""

from __future__ import annotations

import asyncio
import sys

from liveview.core import events as core
from liveview.core.runtime import SessionRuntime


async def push_to_talk_from_stdin(runtime: SessionRuntime) -> None:
    runtime.bus.emit(core.Notice("Push-to-talk: press Enter to talk, Enter again to send."))
    runtime.set_mic_muted(True)
    talking = False
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:  # stdin closed: nothing more will be pressed
            return
        controller = runtime.controller
        if controller is None:
            continue
        talking = not talking
        runtime.audio.set_muted(not talking)
        controller.push_to_talk(talking)
        runtime.bus.emit(core.Notice("Talking…" if talking else "Sent."))
