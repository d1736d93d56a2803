"""Bounded outgoing queues, one per kind of message, drained by the connection's sender task.

What each lane drops when the uplink is slower than the producers:
- video: keeps only the newest frame; a new frame replaces an unsent one (the model wants *now*).
- audio: drops the oldest chunk past AUDIO_MAX_CHUNKS (~2 s of 20 ms chunks): stale speech is
  worth less than fresh speech, and a growing backlog only adds latency.
  activityStart / activityEnd / audioStreamEnd ride in this lane, in order with the chunks they
  delimit, and are never dropped.
- control (clientContent, toolResponse, realtimeInput.text): never dropped; past
  CONTROL_MAX_MESSAGES the link is stalled and `put` raises SendBacklogError.

`get()` serves control > audio > video, except that a waiting video frame is sent after at most
VIDEO_MAX_PASSED_OVER other messages, so video slows down under load but never starves, and
that a frame queued before a toolResponse goes out before it: a snapshot or zoom crop is the
answer to the call, and the model should have the picture when it reads the response.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from liveview.protocol import messages as msg
from liveview.transport.errors import SendBacklogError

Message = msg.ClientMessage

AUDIO_MAX_CHUNKS = 100  # 2 s of 20 ms chunks
CONTROL_MAX_MESSAGES = 1000  # typed turns and tool responses: nobody types 1000 unsent turns
VIDEO_MAX_PASSED_OVER = 10


@dataclass
class LaneCounters:
    """Running totals since the lanes were created."""

    video_queued: int = 0
    video_replaced: int = 0  # frames overwritten before they were sent
    audio_queued: int = 0
    audio_dropped: int = 0  # oldest chunks dropped past the bound
    control_queued: int = 0
    sent_video: int = 0
    sent_audio: int = 0  # chunks and markers
    sent_control: int = 0


class OutgoingLanes:
    def __init__(
        self,
        *,
        audio_max_chunks: int = AUDIO_MAX_CHUNKS,
        control_max_messages: int = CONTROL_MAX_MESSAGES,
        video_max_passed_over: int = VIDEO_MAX_PASSED_OVER,
    ) -> None:
        if audio_max_chunks < 1 or control_max_messages < 1 or video_max_passed_over < 0:
            raise ValueError("lane bounds must be positive")
        self._audio_max = audio_max_chunks
        self._control_max = control_max_messages
        self._video_max_passed_over = video_max_passed_over
        self._video: Message | None = None
        self._audio: deque[Message] = deque()
        self._audio_chunks = 0  # chunks in _audio (markers excluded)
        self._control: deque[Message] = deque()
        self._passed_over = 0  # messages sent while a video frame waited
        # A toolResponse is waiting behind the frame that was queued before it.
        self._video_before_control = False
        self._ready = asyncio.Event()
        self.counters = LaneCounters()

    def __len__(self) -> int:
        return len(self._control) + len(self._audio) + (self._video is not None)

    @property
    def audio_chunks_waiting(self) -> int:
        return self._audio_chunks

    @property
    def video_waiting(self) -> bool:
        return self._video is not None

    def put(self, message: Message) -> bool:
        """Queue one client message in its lane; True when something older was dropped for it."""
        if isinstance(message, msg.VideoFrame):
            dropped = self._put_video(message)
        elif isinstance(message, (msg.AudioChunk, *msg.AUDIO_MARKERS)):
            dropped = self._put_audio(message, is_chunk=isinstance(message, msg.AudioChunk))
        else:
            self._put_control(message)
            dropped = False
        self._ready.set()
        return dropped

    def _put_video(self, message: Message) -> bool:
        replaced = self._video is not None
        if replaced:
            self.counters.video_replaced += 1
        self._video = message
        self.counters.video_queued += 1
        return replaced

    def _put_audio(self, message: Message, *, is_chunk: bool) -> bool:
        self._audio.append(message)
        if not is_chunk:
            return False
        self.counters.audio_queued += 1
        self._audio_chunks += 1
        if self._audio_chunks <= self._audio_max:
            return False
        # Drop the oldest *chunk*; markers before it keep their place.
        for index, queued in enumerate(self._audio):
            if isinstance(queued, msg.AudioChunk):
                del self._audio[index]
                break
        self._audio_chunks -= 1
        self.counters.audio_dropped += 1
        return True

    def _put_control(self, message: Message) -> None:
        if isinstance(message, msg.ToolResponse) and self._video is not None:
            self._video_before_control = True
        if len(self._control) >= self._control_max:
            raise SendBacklogError(
                f"{len(self._control)} typed turns or tool responses are still waiting to be "
                "sent: the connection is stalled. Check the network; liveview will reconnect."
            )
        self._control.append(message)
        self.counters.control_queued += 1

    def get_nowait(self) -> Message | None:
        """The next message to send, or None when every lane is empty."""
        taken = self._take()
        if taken is None:
            return None
        message, lane = taken
        if lane == "control":
            self.counters.sent_control += 1
        elif lane == "audio":
            self.counters.sent_audio += 1
        else:
            self.counters.sent_video += 1
        return message

    def _take(self) -> tuple[Message, str] | None:
        video_due = self._video is not None and (
            self._video_before_control or self._passed_over >= self._video_max_passed_over
        )
        if not video_due and self._control:
            return self._passed(self._control.popleft()), "control"
        if not video_due and self._audio:
            message = self._audio.popleft()
            if isinstance(message, msg.AudioChunk):
                self._audio_chunks -= 1
            return self._passed(message), "audio"
        if self._video is not None:
            message, self._video = self._video, None
            self._passed_over = 0
            self._video_before_control = False
            return message, "video"
        return None

    def _passed(self, message: Message) -> Message:
        if self._video is not None:
            self._passed_over += 1
        return message

    async def get(self) -> Message:
        """Wait for and return the next message, in priority order."""
        while True:
            message = self.get_nowait()
            if message is not None:
                return message
            self._ready.clear()
            await self._ready.wait()

    def pending(self) -> list[Message]:
        """Everything unsent, in the order of capture and typing (control, then audio, then
        the video frame); the lanes are left as they are."""
        video = [self._video] if self._video is not None else []
        return [*self._control, *self._audio, *video]

    def clear_video(self) -> None:
        """Forget an unsent frame (e.g. the source was switched off)."""
        self._video = None
        self._passed_over = 0
        self._video_before_control = False
