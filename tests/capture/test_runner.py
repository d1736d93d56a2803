from __future__ import annotations

import asyncio
import threading
import time

import pytest

from liveview.capture import (
    FrameProducer,
    NoFrameNow,
    Region,
    ScreenSource,
    SyntheticSource,
)
from liveview.capture.base import FrameGate
from liveview.errors import CaptureError
from tests.capture.patterns import needs_display


async def test_newest_frames_in_order_and_clean_shutdown() -> None:
    producer = FrameProducer(SyntheticSource(320, 180, fps=50))
    await producer.start()
    assert producer.running
    threads = [t for t in threading.enumerate() if t.name.startswith("capture: test pattern")]
    assert len(threads) == 1
    seqs = []
    last = -1
    for _ in range(5):
        frame = await producer.next_frame(last)
        assert frame.seq > last
        seqs.append(frame.seq)
        last = frame.seq
    assert seqs == sorted(set(seqs))
    # Not asking for a while: frames pile up in a latest-only slot, so older ones are dropped.
    while producer.frames_captured < last + 5:
        await asyncio.sleep(0.02)
    newest = await producer.next_frame(last)
    assert newest.seq >= last + 4
    assert producer.frames_dropped >= 3
    assert producer.latest() is newest
    await producer.close()
    assert not producer.running
    assert not threads[0].is_alive()
    with pytest.raises(CaptureError, match="not running"):
        await producer.next_frame(newest.seq)


async def test_start_is_idempotent_and_close_without_start_is_fine() -> None:
    await FrameProducer(SyntheticSource(64, 64)).close()
    producer = FrameProducer(SyntheticSource(64, 64, fps=20))
    await producer.start()
    await producer.start()
    assert (await producer.next_frame()).image.shape == (64, 64, 3)
    await producer.close()


class _Gate(FrameGate):
    """A FrameGate held from the test: holds while `closed` is set, whatever the pixels."""

    def __init__(self) -> None:
        self.closed = threading.Event()

    def hold_for(self, region: Region | None) -> NoFrameNow | None:
        return (
            NoFrameNow("held by the test", badge="paused: test") if self.closed.is_set() else None
        )


@pytest.mark.x11
@needs_display
async def test_a_screen_is_grabbed_when_asked_not_ahead() -> None:
    producer = FrameProducer(ScreenSource(1), idle_grab_interval_s=30.0)
    await producer.start()
    try:
        assert producer.on_demand
        first = await producer.next_frame()
        await asyncio.sleep(0.5)
        assert producer.frames_captured == 1  # nobody asked: nothing grabbed for nothing
        asked_at = time.monotonic()
        fresh = await producer.next_frame(fresh=True)
        assert fresh.seq > first.seq and fresh.captured_at >= asked_at
        assert producer.frames_captured == 2
        assert (await producer.next_frame()) is fresh  # not fresh: the newest, no grab
        assert producer.frames_captured == 2
    finally:
        await producer.close()
    assert not producer.running


@pytest.mark.x11
@needs_display
async def test_idle_grabs_keep_the_latest_frame_recent() -> None:
    producer = FrameProducer(ScreenSource(1), idle_grab_interval_s=0.1)
    await producer.start()
    try:
        await producer.next_frame()
        await asyncio.sleep(0.65)
        assert 4 <= producer.frames_captured <= 9
        latest = producer.latest()
        assert latest is not None and time.monotonic() - latest.captured_at < 0.5
    finally:
        await producer.close()


@pytest.mark.x11
@needs_display
async def test_a_gate_holds_a_screen_without_grabbing_it() -> None:
    gate = _Gate()
    holds: list[NoFrameNow | None] = []
    producer = FrameProducer(
        ScreenSource(1), filters=[gate], on_hold=holds.append, idle_grab_interval_s=0.1
    )
    await producer.start()
    try:
        await producer.next_frame()
        gate.closed.set()
        closed_at = time.monotonic()
        while producer.hold is None:
            await asyncio.sleep(0.01)
        assert time.monotonic() - closed_at < 0.5  # asked between grabs (every 50 ms)
        assert producer.latest() is None  # the last frame is withdrawn
        captured = producer.frames_captured
        waiting = asyncio.create_task(producer.next_frame(fresh=True))
        await asyncio.sleep(0.5)
        assert not waiting.done()
        assert producer.frames_captured == captured  # held: not grabbed, asked or idle
        gate.closed.clear()
        resumed = await asyncio.wait_for(waiting, 5)
        assert producer.hold is None and resumed.seq > 0
        await asyncio.sleep(0.05)
        assert [h.badge if h else None for h in holds] == ["paused: test", None]
    finally:
        await producer.close()
