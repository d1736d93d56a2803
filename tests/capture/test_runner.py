from __future__ import annotations

import asyncio
import threading

import pytest

from liveview.capture import FrameProducer, SyntheticSource
from liveview.errors import CaptureError


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
