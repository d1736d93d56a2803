"""A simple energy voice-activity detector over the client's 16-bit PCM.

It cannot recognise words; it only tells speech-like energy from silence, which is all the local
server needs to delimit voice turns and to detect a barge-in. Pure and clock-free: durations come
from the sample count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from liveview.pcm import pcm_duration_s

SPEECH_THRESHOLD_DBFS = -42.0  # null-sink silence is -inf; espeak through the mic is ~-20 dBFS
START_SPEECH_S = 0.06  # this much speech energy in a row starts a turn (ignores clicks)
DEFAULT_SILENCE_S = 0.5  # automaticActivityDetection.silenceDurationMs when unset
WINDOW_S = 0.02
# Durations are sums of window lengths: ten 20 ms windows add up to 0.19999... s, which would
# make a 200 ms silenceDurationMs wait a window more than asked.
_ROUNDING_S = 1e-9


def level_dbfs(pcm: bytes) -> float:
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64)
    if samples.size == 0:
        return -math.inf
    rms = math.sqrt(float(np.mean(samples * samples))) / 32768.0
    return 20 * math.log10(rms) if rms > 0 else -math.inf


@dataclass(frozen=True)
class Utterance:
    """What was heard in one voice turn."""

    duration_s: float  # from the first to the last speech window
    mean_dbfs: float
    peak_dbfs: float


class EnergyVad:
    """Feed PCM; `feed` says when speech starts and returns the utterance when it ends."""

    def __init__(
        self,
        *,
        threshold_dbfs: float = SPEECH_THRESHOLD_DBFS,
        silence_s: float = DEFAULT_SILENCE_S,
    ) -> None:
        self.threshold_dbfs = threshold_dbfs
        self.silence_s = silence_s
        self.in_speech = False
        self._run_s = 0.0  # consecutive speech before a start
        self._silence_s = 0.0
        self._speech_s = 0.0
        self._span_s = 0.0
        self._levels: list[float] = []

    def feed(self, pcm: bytes, rate_hz: int) -> tuple[bool, Utterance | None]:
        """(speech started in this chunk, the finished utterance if it ended here)."""
        started, ended = False, None
        window = max(2, int(rate_hz * WINDOW_S)) * 2
        for pos in range(0, len(pcm) - 1, window):
            piece = pcm[pos : pos + window]
            dur = pcm_duration_s(piece, rate_hz)
            level = level_dbfs(piece)
            loud = level >= self.threshold_dbfs
            if not self.in_speech:
                self._run_s = self._run_s + dur if loud else 0.0
                if loud:
                    self._levels.append(level)
                else:
                    self._levels.clear()
                if self._run_s >= START_SPEECH_S - _ROUNDING_S:
                    self.in_speech, started = True, True
                    self._speech_s = self._span_s = self._run_s
                    self._silence_s = 0.0
                continue
            if loud:
                self._levels.append(level)
                self._speech_s += dur
                self._span_s += self._silence_s + dur
                self._silence_s = 0.0
            else:
                self._silence_s += dur
                if self._silence_s >= self.silence_s - _ROUNDING_S:
                    ended = self.flush()
        return started, ended

    def flush(self) -> Utterance | None:
        """End the current utterance now (audioStreamEnd), if there is one."""
        if not self.in_speech:
            return None
        levels = self._levels or [-math.inf]
        mean_power = float(np.mean([10 ** (x / 10) for x in levels]))
        utterance = Utterance(
            duration_s=self._span_s,
            mean_dbfs=10 * math.log10(mean_power) if mean_power > 0 else -math.inf,
            peak_dbfs=max(levels),
        )
        self.in_speech = False
        self._run_s = self._silence_s = self._speech_s = self._span_s = 0.0
        self._levels = []
        return utterance


def summarise_audio(pcm: bytes, rate_hz: int) -> Utterance:
    """Push-to-talk (activityStart..activityEnd): describe everything that was sent."""
    duration = pcm_duration_s(pcm, rate_hz)
    window = max(2, int(rate_hz * WINDOW_S)) * 2
    levels = [level_dbfs(pcm[i : i + window]) for i in range(0, len(pcm) - 1, window)]
    finite = [x for x in levels if x > -math.inf] or [-math.inf]
    return Utterance(duration, level_dbfs(pcm), max(finite))
