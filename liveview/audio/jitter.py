"""A pure jitter buffer for reply audio: pre-roll, smooth through bursts, flush, heard accounting.

No Qt and no threads: the player calls `read()` exactly when it writes to the device and wraps every
call in its own lock. Time comes from an injected clock so tests can drive it.

Terms:
- the *stream* is everything `read()` ever returned, silence included. Positions are byte offsets in
  it; the device plays the stream in order, so "position P has been heard" once the device has
  consumed P bytes (`stream_pos - device_queued_bytes`).
- a *turn* is one model reply (serverContent.modelTurn ... turnComplete); its audio is queued in
  order behind the previous turn.
- an *underrun* is a turn running dry and then continuing: an audible gap inside a reply.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from liveview.audio.formats import REPLY_RATE_HZ, SAMPLE_BYTES, bytes_for_ms, ms_for_bytes

# A turn starts this long after its first audio arrived. Time, not bytes: a 1 s burst that starts
# playing at once leaves no slack for the next burst being a little late; this delay does.
PLAYBACK_PREROLL_MS = 60.0
PLAYBACK_MAX_PREROLL_MS = 400.0  # pre-roll grows after each underrun, up to this
PLAYBACK_PREROLL_GROWTH = 1.5
PLAYBACK_IDLE_END_MS = 400.0  # dry this long with no turnComplete: the turn has ended
PLAYBACK_MAX_BUFFERED_S = 300.0  # bound: past this the oldest queued audio is dropped (counted)
KEPT_TURNS = 16  # heard-accounting is kept for this many recent turns


class _State(Enum):
    IDLE = "idle"  # nothing to play
    PREROLL = "preroll"  # a turn is waiting for enough audio
    PLAYING = "playing"
    STARVED = "starved"  # the playing turn ran dry before it ended


@dataclass(frozen=True)
class PlaybackEvent:
    """A turn started or stopped coming out of the buffer (`at` is the clock time of the read)."""

    kind: Literal["started", "ended"]
    turn_id: int
    at: float
    interrupted: bool = False  # ended by flush() (serverContent.interrupted or a local stop)


@dataclass(frozen=True)
class ReadResult:
    pcm: bytes  # exactly the bytes asked for; silence where there was no reply audio
    audio_bytes: int  # how many of them were reply audio
    events: tuple[PlaybackEvent, ...]


class JitterBuffer:
    def __init__(
        self,
        rate_hz: int = REPLY_RATE_HZ,
        preroll_ms: float = PLAYBACK_PREROLL_MS,
        max_preroll_ms: float = PLAYBACK_MAX_PREROLL_MS,
        idle_end_ms: float = PLAYBACK_IDLE_END_MS,
        max_buffered_s: float = PLAYBACK_MAX_BUFFERED_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate_hz = rate_hz
        self.preroll_ms = preroll_ms
        self.max_preroll_ms = max_preroll_ms
        self.idle_end_ms = idle_end_ms
        self._max_bytes = bytes_for_ms(max_buffered_s * 1000.0, rate_hz)
        self._clock = clock
        self._queue: deque[tuple[int, bytes]] = deque()
        self._offset = 0  # bytes of _queue[0] already read
        self._buffered = 0
        self._state = _State.IDLE
        self._turn: int | None = None  # the turn being pre-rolled, played or starved
        self._wait_since = 0.0  # when PREROLL or STARVED began
        self._resuming = False  # PREROLL after STARVED: the turn already announced "started"
        self._idle_ended: int | None = None  # the last turn ended by PLAYBACK_IDLE_END_MS
        self._ended_turns: set[int] = set()  # end_turn() called: play the tail without waiting
        self._discarded_turns: set[int] = set()  # flushed: late audio for them is dropped
        self._segments: dict[int, list[list[int]]] = {}  # turn -> [[start, end) stream positions]
        self.stream_pos = 0
        self.underruns = 0
        self.dropped_bytes = 0  # over max_buffered_s
        self.late_bytes = 0  # arrived for a turn already flushed

    # ---- producer side -------------------------------------------------------------------
    def push(self, pcm: bytes, turn_id: int) -> None:
        if not pcm:
            return
        if turn_id in self._discarded_turns:
            # serverContent.interrupted already flushed this turn: its stragglers must not play.
            self.late_bytes += len(pcm)
            return
        self._queue.append((turn_id, bytes(pcm)))
        self._buffered += len(pcm)
        while self._buffered > self._max_bytes and len(self._queue) > 1:
            _, old = self._queue.popleft()
            self._buffered -= len(old) - self._offset
            self.dropped_bytes += len(old) - self._offset
            self._offset = 0

    def end_turn(self, turn_id: int) -> None:
        """No more audio will come for this turn (turnComplete / generationComplete)."""
        self._ended_turns.add(turn_id)
        if len(self._ended_turns) > KEPT_TURNS:
            self._ended_turns.discard(min(self._ended_turns))

    # ---- consumer side -------------------------------------------------------------------
    def read(self, n_bytes: int) -> ReadResult:
        """The next n_bytes for the device: reply audio, padded with silence."""
        n_bytes -= n_bytes % SAMPLE_BYTES
        now = self._clock()
        events: list[PlaybackEvent] = []
        self._advance_state(now, events)
        out = bytearray()
        audio = 0
        if self._state is _State.PLAYING:
            audio = self._take_into(out, n_bytes, now, events)
        if len(out) < n_bytes:
            out.extend(bytes(n_bytes - len(out)))
        self.stream_pos += n_bytes
        return ReadResult(bytes(out), audio, tuple(events))

    def _advance_state(self, now: float, events: list[PlaybackEvent]) -> None:
        head = self._queue[0][0] if self._queue else None
        if self._state is _State.STARVED:
            if head == self._turn:
                # The same reply goes on after running dry: an audible gap. Pre-roll more next time.
                self._count_underrun()
                self._state, self._wait_since, self._resuming = _State.PREROLL, now, True
            elif (
                head is not None
                or self._turn in self._ended_turns
                or (now - self._wait_since >= self.idle_end_ms / 1000.0)
            ):
                assert self._turn is not None
                events.append(PlaybackEvent("ended", self._turn, now))
                if head is None and self._turn not in self._ended_turns:
                    self._idle_ended = self._turn
                self._state, self._turn = _State.IDLE, None
        if self._state is _State.IDLE and head is not None:
            if head == self._idle_ended:
                self._count_underrun()  # a gap longer than PLAYBACK_IDLE_END_MS inside a reply
            self._idle_ended = None
            self._state, self._turn, self._wait_since = _State.PREROLL, head, now
        if self._state is _State.PREROLL and self._preroll_done(now):
            assert self._turn is not None
            self._state = _State.PLAYING
            if not self._resuming:
                events.append(PlaybackEvent("started", self._turn, now))
            self._resuming = False

    def _count_underrun(self) -> None:
        self.underruns += 1
        self.preroll_ms = min(self.max_preroll_ms, self.preroll_ms * PLAYBACK_PREROLL_GROWTH)

    def _preroll_done(self, now: float) -> bool:
        assert self._turn is not None
        if self._turn in self._ended_turns or (self._queue and self._queue[-1][0] != self._turn):
            return True  # nothing more is coming for this turn: play what there is
        return now - self._wait_since >= self.preroll_ms / 1000.0

    def _take_into(
        self, out: bytearray, n_bytes: int, now: float, events: list[PlaybackEvent]
    ) -> int:
        taken = 0
        while len(out) < n_bytes and self._queue:
            turn, chunk = self._queue[0]
            if turn != self._turn:
                # The playing turn is done and the next one is queued right behind it.
                assert self._turn is not None
                events.append(PlaybackEvent("ended", self._turn, now))
                self._turn = turn
                events.append(PlaybackEvent("started", turn, now))
            part = chunk[self._offset : self._offset + n_bytes - len(out)]
            self._note_segment(turn, self.stream_pos + len(out), len(part))
            out.extend(part)
            taken += len(part)
            self._offset += len(part)
            self._buffered -= len(part)
            if self._offset >= len(chunk):
                self._queue.popleft()
                self._offset = 0
        if not self._queue:
            assert self._turn is not None
            if self._turn in self._ended_turns:
                events.append(PlaybackEvent("ended", self._turn, now))
                self._state, self._turn = _State.IDLE, None
            elif len(out) < n_bytes:
                # Only a read that came up short is a gap; emptying exactly on time is not.
                self._state, self._wait_since = _State.STARVED, now
        return taken

    def _note_segment(self, turn: int, start: int, length: int) -> None:
        segments = self._segments.setdefault(turn, [])
        if segments and segments[-1][1] == start:
            segments[-1][1] += length
        else:
            segments.append([start, start + length])
        while len(self._segments) > KEPT_TURNS:
            del self._segments[min(self._segments)]

    # ---- barge-in and accounting ---------------------------------------------------------
    def flush(self, device_queued_bytes: int = 0) -> PlaybackEvent | None:
        """Discard everything queued (serverContent.interrupted), as the device drops its buffer.

        `device_queued_bytes` is what the device held unplayed; it is being dropped too, so the
        stream rewinds by that much and the flushed turn's heard audio stops where sound stopped.
        Returns the `ended` event of the turn that was cut off, if one was playing.
        """
        played = max(0, self.stream_pos - device_queued_bytes)
        cut = self._turn
        for turn, _ in self._queue:
            self._discarded_turns.add(turn)
        if cut is not None:
            self._discarded_turns.add(cut)
        for segments in self._segments.values():
            _truncate(segments, played)
        while len(self._discarded_turns) > KEPT_TURNS:
            self._discarded_turns.discard(min(self._discarded_turns))
        self._queue.clear()
        self._offset = self._buffered = 0
        self.stream_pos = played
        self._state, self._turn, self._resuming = _State.IDLE, None, False
        if cut is None or not self._segments.get(cut):
            return None
        return PlaybackEvent("ended", cut, self._clock(), interrupted=True)

    def forget_flush(self, turn_id: int) -> None:
        """Accept audio for a turn id that was flushed before (if the core reuses ids)."""
        self._discarded_turns.discard(turn_id)

    def heard_bytes(self, turn_id: int, device_queued_bytes: int = 0) -> int:
        played = self.stream_pos - device_queued_bytes
        return sum(
            max(0, min(end, played) - start) for start, end in self._segments.get(turn_id, [])
        )

    def heard_ms(self, turn_id: int, device_queued_bytes: int = 0) -> float:
        return ms_for_bytes(self.heard_bytes(turn_id, device_queued_bytes), self.rate_hz)

    @property
    def buffered_ms(self) -> float:
        return ms_for_bytes(self._buffered, self.rate_hz)

    @property
    def is_playing(self) -> bool:
        """A turn is under way (pre-rolling, playing, or briefly starved)."""
        return self._state is not _State.IDLE

    @property
    def current_turn(self) -> int | None:
        return self._turn


def _truncate(segments: list[list[int]], played: int) -> None:
    """Cut heard-accounting at `played`: audio past it was dropped from the device."""
    keep = [[start, min(end, played)] for start, end in segments if start < played]
    segments[:] = keep
