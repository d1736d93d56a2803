"""A pure jitter buffer for reply audio: adaptive pre-roll, smooth through bursts, flush, heard
accounting.

No Qt and no threads: the player calls `read()` exactly when it writes to the device and wraps every
call in its own lock. Time comes from an injected clock so tests can drive it.

Terms:
- the *stream* is everything `read()` ever returned, silence included. Positions are byte offsets in
  it; the device plays the stream in order, so "position P has been heard" once the device has
  consumed P bytes (`stream_pos - device_queued_bytes`).
- a *turn* is one model reply (serverContent.modelTurn ... turnComplete); its audio is queued in
  order behind the previous turn.
- the device's *ring* is what it holds and has not played yet. Silence is written only to keep the
  ring from running empty (`low_water_ms`), never ahead of need: a reply that arrives while nothing
  plays is then heard after a few ms of silence instead of a full ring of it. While a turn waits for
  its next chunk, the audio already in the ring plays on; that is the cushion bursts need.
- an *underrun* is a turn going on after silence had to be written inside it: an audible gap.
  How long a turn waits before it starts is the `AdaptivePreroll` policy's (audio/preroll.py).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Literal

from liveview.audio.formats import REPLY_RATE_HZ, SAMPLE_BYTES, bytes_for_ms, ms_for_bytes
from liveview.audio.preroll import PREROLL_RULES, AdaptivePreroll, PrerollRules
from liveview.audio.stretch import CushionKeeper, SampleStretcher

# Silence kept in the device's ring when nothing plays: one late 5 ms tick of the audio thread
# does not empty it, and a new reply queues behind only this much.
PLAYBACK_RING_LOW_MS = 15.0
# A turn waiting for its next chunk lets the ring drain this far before silence goes in.
PLAYBACK_STARVED_LOW_MS = 2.0
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
    pcm: bytes  # at most the bytes asked for: reply audio, then silence only as the ring needs
    audio_bytes: int  # how many of them were reply audio
    events: tuple[PlaybackEvent, ...]


class JitterBuffer:
    def __init__(
        self,
        rate_hz: int = REPLY_RATE_HZ,
        rules: PrerollRules = PREROLL_RULES,
        low_water_ms: float = PLAYBACK_RING_LOW_MS,
        starved_low_ms: float = PLAYBACK_STARVED_LOW_MS,
        idle_end_ms: float = PLAYBACK_IDLE_END_MS,
        max_buffered_s: float = PLAYBACK_MAX_BUFFERED_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate_hz = rate_hz
        self.policy = AdaptivePreroll(rules)
        self.cushion = CushionKeeper()  # a reply delivered at real time keeps its few ms
        self._stretcher = SampleStretcher()
        self.idle_end_ms = idle_end_ms
        self._low_bytes = bytes_for_ms(low_water_ms, rate_hz)
        self._starved_low_bytes = bytes_for_ms(starved_low_ms, rate_hz)
        self._max_bytes = bytes_for_ms(max_buffered_s * 1000.0, rate_hz)
        self._clock = clock
        self._queue: deque[tuple[int, bytes]] = deque()
        self._offset = 0  # bytes of _queue[0] already read
        self._buffered = 0
        self._state = _State.IDLE
        self._turn: int | None = None  # the turn being pre-rolled, played or starved
        self._wait_since = 0.0  # when PREROLL or STARVED began
        self._wait_s = 0.0  # how long this PREROLL waits (the policy's pre-roll when it began)
        self._gap = False  # STARVED and silence has been written: resuming is an underrun
        self._resuming = False  # PREROLL after an underrun: the turn already announced "started"
        self._idle_ended: int | None = None  # the last turn ended by PLAYBACK_IDLE_END_MS
        self._ended_turns: set[int] = set()  # end_turn() called: play the tail without waiting
        self._discarded_turns: set[int] = set()  # flushed: late audio for them is dropped
        self._segments: dict[int, list[list[int]]] = {}  # turn -> [[start, end) stream positions]
        self._ring_ms = 0.0  # what the device held at the current read
        self.stream_pos = 0
        self.dropped_bytes = 0  # over max_buffered_s
        self.late_bytes = 0  # arrived for a turn already flushed

    @property
    def underruns(self) -> int:
        return self.policy.underruns

    @property
    def preroll_ms(self) -> float:
        """What the next turn to start will wait (ms), as the policy stands now."""
        return self.policy.preroll_ms

    # ---- producer side -------------------------------------------------------------------
    def push(self, pcm: bytes, turn_id: int) -> None:
        if not pcm:
            return
        if turn_id in self._discarded_turns:
            # serverContent.interrupted already flushed this turn: its stragglers must not play.
            self.late_bytes += len(pcm)
            return
        self.policy.arrived(turn_id, ms_for_bytes(len(pcm), self.rate_hz) / 1000.0, self._clock())
        pcm = self._stretcher.process(pcm, self.cushion.ppm)
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
    def read(self, n_bytes: int, ring_bytes: int = 0) -> ReadResult:
        """Up to n_bytes for a device whose ring still holds `ring_bytes` unplayed.

        Reply audio as far as there is room; silence only to keep the ring at its low water.
        """
        n_bytes -= n_bytes % SAMPLE_BYTES
        now = self._clock()
        events: list[PlaybackEvent] = []
        self._ring_ms = ms_for_bytes(ring_bytes, self.rate_hz)
        self._advance_state(now, events)
        out = bytearray()
        audio = 0
        if self._state is _State.PLAYING:
            audio = self._take_into(out, n_bytes, now, events)
        starved = self._state is _State.STARVED
        low = self._starved_low_bytes if starved else self._low_bytes
        pad = min(n_bytes - len(out), low - ring_bytes - len(out))
        if starved and ring_bytes + len(out) < self._starved_low_bytes:
            pad = max(pad, min(n_bytes - len(out), self._low_bytes - ring_bytes - len(out)))
        if pad > 0:
            pad -= pad % SAMPLE_BYTES
            out.extend(bytes(pad))
            if self._state is _State.STARVED:
                self._gap = True  # the ring ran out of this turn's audio: an audible gap
        self.stream_pos += len(out)
        return ReadResult(bytes(out), audio, tuple(events))

    def _advance_state(self, now: float, events: list[PlaybackEvent]) -> None:
        head = self._queue[0][0] if self._queue else None
        if self._state is _State.STARVED:
            self._leave_starved(head, now, events)
        if self._state is _State.IDLE and head is not None:
            resumed = head == self._idle_ended  # a gap longer than PLAYBACK_IDLE_END_MS
            self._idle_ended = None
            # It ended (and said so) before: it starts again, announced again.
            self._begin_preroll(head, now, underrun=resumed, announce=True)
            self.cushion.new_turn()
        if self._state is _State.PREROLL and self._preroll_done(now):
            assert self._turn is not None
            self._state = _State.PLAYING
            if not self._resuming:
                events.append(PlaybackEvent("started", self._turn, now))
            self._resuming = False

    def _leave_starved(self, head: int | None, now: float, events: list[PlaybackEvent]) -> None:
        assert self._turn is not None
        if head == self._turn:
            if self._gap:  # the reply goes on after silence: wait out the (lifted) pre-roll
                self._begin_preroll(head, now, underrun=True, announce=False)
            else:  # it came while the ring still held its audio: seamless
                self._state = _State.PLAYING
                self.cushion.resumed(self._ring_ms)
            return
        dry_s = now - self._wait_since
        if head is not None or self._turn in self._ended_turns or dry_s >= self.idle_end_ms / 1e3:
            events.append(PlaybackEvent("ended", self._turn, now))
            if head is None and self._turn not in self._ended_turns:
                self._idle_ended = self._turn
            self._state, self._turn = _State.IDLE, None

    def _begin_preroll(self, turn: int, now: float, *, underrun: bool, announce: bool) -> None:
        wait_ms = self.policy.underrun() if underrun else self.policy.turn_starting()
        self._state, self._turn, self._wait_since = _State.PREROLL, turn, now
        self._wait_s, self._resuming, self._gap = wait_ms / 1000.0, not announce, False

    def _preroll_done(self, now: float) -> bool:
        assert self._turn is not None
        if self._turn in self._ended_turns or (self._queue and self._queue[-1][0] != self._turn):
            return True  # nothing more is coming for this turn: play what there is
        return now - self._wait_since >= self._wait_s

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
        self.policy.played(ms_for_bytes(taken, self.rate_hz) / 1000.0)
        if not self._queue:
            assert self._turn is not None
            if self._turn in self._ended_turns:
                events.append(PlaybackEvent("ended", self._turn, now))
                self._state, self._turn = _State.IDLE, None
            else:
                # Dry but not over: what the ring holds plays on while the next chunk comes.
                self._state, self._wait_since, self._gap = _State.STARVED, now, False
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
        self._state, self._turn, self._resuming, self._gap = _State.IDLE, None, False, False
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
    def wants_audio(self) -> bool:
        """Nothing plays, or the playing turn ran dry: new audio should reach the device now."""
        return self._state in (_State.IDLE, _State.STARVED)

    @property
    def current_turn(self) -> int | None:
        return self._turn


def _truncate(segments: list[list[int]], played: int) -> None:
    """Cut heard-accounting at `played`: audio past it was dropped from the device."""
    keep = [[start, min(end, played)] for start, end in segments if start < played]
    segments[:] = keep
