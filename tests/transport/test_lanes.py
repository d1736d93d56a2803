from __future__ import annotations

import asyncio
from typing import Any

import pytest

from liveview.protocol.messages import (
    ActivityEnd,
    ActivityStart,
    AudioChunk,
    AudioStreamEnd,
    ClientTurns,
    FunctionResponse,
    RealtimeText,
    ToolResponse,
    VideoFrame,
)
from liveview.transport.errors import SendBacklogError
from liveview.transport.lanes import OutgoingLanes


def audio(n: int) -> dict[str, Any]:
    return AudioChunk(n.to_bytes(2, "little") * 320)


def video(n: int) -> dict[str, Any]:
    return VideoFrame(b"\xff\xd8" + n.to_bytes(4, "big"))


def _kind(message: Any) -> str:
    return str(message.kind) if message is not None else "none"


def audio_id(message: Any) -> int:
    return int.from_bytes(message.pcm[:2], "little")


def test_video_keeps_only_the_newest_frame() -> None:
    lanes = OutgoingLanes()
    assert lanes.put(video(1)) is False
    assert lanes.put(video(2)) is True
    assert lanes.put(video(3)) is True
    assert lanes.counters.video_replaced == 2
    assert lanes.counters.video_queued == 3
    assert lanes.get_nowait() == video(3)
    assert lanes.get_nowait() is None
    # Once sent, the next frame replaces nothing.
    assert lanes.put(video(4)) is False
    assert lanes.counters.sent_video == 1


def test_audio_drops_the_oldest_chunk_past_the_bound() -> None:
    lanes = OutgoingLanes(audio_max_chunks=5)
    results = [lanes.put(audio(i)) for i in range(8)]
    assert results == [False] * 5 + [True] * 3
    assert lanes.counters.audio_dropped == 3
    assert lanes.audio_chunks_waiting == 5
    assert [audio_id(m) for m in lanes.pending()] == [3, 4, 5, 6, 7]


def test_audio_markers_keep_their_place_and_are_never_dropped() -> None:
    lanes = OutgoingLanes(audio_max_chunks=2)
    lanes.put(ActivityStart())
    for i in range(4):
        lanes.put(audio(i))
    lanes.put(ActivityEnd())
    lanes.put(AudioStreamEnd())
    kinds = [m.kind for m in lanes.pending()]
    assert kinds == [
        "realtimeInput.activityStart",
        "realtimeInput.audio",
        "realtimeInput.audio",
        "realtimeInput.activityEnd",
        "realtimeInput.audioStreamEnd",
    ]


def test_control_lane_never_drops_and_keeps_order() -> None:
    lanes = OutgoingLanes()
    sent = [ClientTurns.typed(f"turn {i}") for i in range(50)]
    for m in sent:
        assert lanes.put(m) is False
    assert lanes.pending() == sent


def test_control_lane_refuses_an_absurd_backlog() -> None:
    lanes = OutgoingLanes(control_max_messages=3)
    for i in range(3):
        lanes.put(ClientTurns.typed(str(i)))
    with pytest.raises(SendBacklogError, match="stalled"):
        lanes.put(ClientTurns.typed("one too many"))
    # Media lanes are unaffected: they drop instead.
    assert lanes.put(audio(1)) is False


def test_priority_control_then_audio_then_video() -> None:
    lanes = OutgoingLanes()
    lanes.put(ToolResponse((FunctionResponse("c1", "f", {"ok": True}),)))
    lanes.put(video(1))
    lanes.put(audio(1))
    lanes.put(RealtimeText("hi"))
    lanes.put(audio(2))
    kinds = [_kind(lanes.get_nowait()) for _ in range(5)]
    assert kinds == [
        "toolResponse",
        "realtimeInput.text",
        "realtimeInput.audio",
        "realtimeInput.audio",
        "realtimeInput.video",
    ]
    assert lanes.get_nowait() is None
    c = lanes.counters
    assert (c.sent_control, c.sent_audio, c.sent_video) == (2, 2, 1)


def test_a_frame_queued_before_a_tool_response_goes_out_first() -> None:
    """A snapshot or zoom crop is the answer to the call: the model must have the picture
    when it reads the response (and the frame is not replaced by a regular one meanwhile)."""
    lanes = OutgoingLanes()
    lanes.put(audio(1))
    lanes.put(video(7))  # the snapshot
    lanes.put(ToolResponse((FunctionResponse("c1", "take_snapshot", {"ok": True}),)))
    lanes.put(ClientTurns.typed("and then?"))
    kinds = [_kind(lanes.get_nowait()) for _ in range(4)]
    assert kinds == [
        "realtimeInput.video",
        "toolResponse",
        "clientContent",
        "realtimeInput.audio",
    ]


def test_video_does_not_starve_under_constant_audio() -> None:
    n = 4
    lanes = OutgoingLanes(audio_max_chunks=1000, video_max_passed_over=n)
    lanes.put(video(1))
    for i in range(100):
        lanes.put(audio(i))
    order = [_kind(lanes.get_nowait()) for _ in range(n + 1)]
    assert order == ["realtimeInput.audio"] * n + ["realtimeInput.video"]
    # Audio continues in order after the frame.
    assert audio_id(lanes.get_nowait()) == n


def test_video_gets_a_turn_every_n_messages_in_a_long_mix() -> None:
    n = 3
    lanes = OutgoingLanes(audio_max_chunks=10_000, video_max_passed_over=n)
    sent: list[str] = []
    for step in range(200):
        lanes.put(audio(step))
        lanes.put(audio(step))
        if step % 2 == 0:
            lanes.put(ClientTurns.typed("x"))
        lanes.put(video(step))
        message = lanes.get_nowait()
        assert message is not None
        sent.append(message.kind)
    gaps, run = [], 0
    for kind in sent:
        if kind == "realtimeInput.video":
            gaps.append(run)
            run = 0
        else:
            run += 1
    assert gaps and max(gaps) <= n
    assert lanes.counters.video_replaced > 0  # the waiting frame was kept fresh


async def test_get_waits_for_a_message() -> None:
    lanes = OutgoingLanes()
    getter = asyncio.create_task(lanes.get(), name="test-get")
    await asyncio.sleep(0)
    assert not getter.done()
    lanes.put(RealtimeText("wake"))
    assert (await getter).kind == "realtimeInput.text"


async def test_get_drains_in_priority_order_when_woken() -> None:
    lanes = OutgoingLanes()
    lanes.put(video(1))
    lanes.put(ClientTurns.typed("first"))
    assert (await lanes.get()).kind == "clientContent"
    assert (await lanes.get()).kind == "realtimeInput.video"


def test_pending_does_not_count_as_sent_nor_take_anything() -> None:
    lanes = OutgoingLanes()
    lanes.put(audio(1))
    lanes.put(video(1))
    assert len(lanes) == 2
    assert len(lanes.pending()) == 2
    assert len(lanes) == 2, "pending() takes nothing away"
    assert lanes.counters.sent_audio == lanes.counters.sent_video == 0


def test_clear_video() -> None:
    lanes = OutgoingLanes()
    lanes.put(video(1))
    lanes.clear_video()
    assert not lanes.video_waiting
    assert lanes.get_nowait() is None


def test_bounds_must_be_sane() -> None:
    with pytest.raises(ValueError):
        OutgoingLanes(audio_max_chunks=0)
