"""`liveview bench audio`: barge-in, first chunk to sound, gaps under bursty and jittery delivery,
mic cadence.

Runs against a real PulseAudio server (the null sink `liveview_speaker`, its monitor recorded with
parec; the mic `liveview_mic` fed through `liveview_mic_feed`), as set up by scripts/test-env.sh.

How time is measured on the monitor (see liveview.bench.pulse): each 5 ms parec read is
timestamped; the lower envelope of (read time - samples so far / rate) maps sample positions to
monotonic time with the least transport delay seen. A null sink renders up to its configured
latency ahead of real time, so that mapping can read early by at most that latency: the figures
below add it back (`*_ms`, a conservative upper bound) and also give the raw envelope figure.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
from typing import Any

import numpy as np

from liveview.audio import AudioEngine, EchoMode, ReplyPlayer
from liveview.audio.formats import MIC_RATE_HZ, REPLY_RATE_HZ
from liveview.bench.pulse import (
    KeepRunning,
    MonitorRecorder,
    Recording,
    pactl,
    pulse_available,
    sink_latency_ms,
    tone,
)
from liveview.pcm import pcm_duration_s

SPEAKER = "liveview_speaker"
MONITOR = "liveview_speaker.monitor"
MIC = "liveview_mic"
MIC_FEED = "liveview_mic_feed"
REPLY_CHUNK_S = 0.2  # the service sends ~200-240 ms chunks
JITTER_TURN_S = 6.0  # a reply in the jittery run: 30 chunks ...
JITTER_PAUSE_S = 1.5  # ... and the silence between replies (longer than any pre-roll + jitter)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trials", type=int, default=20, help="barge-in / start trials (20)")
    parser.add_argument(
        "--burst-seconds", type=int, default=60, help="bursty delivery duration (60)"
    )
    parser.add_argument(
        "--jitter-sessions", type=int, default=3, help="sessions of jittery delivery (3)"
    )
    parser.add_argument(
        "--jitter-seconds", type=float, default=36.0, help="reply audio per session (36)"
    )
    parser.add_argument(
        "--jitter-ms", type=float, default=300.0, help="chunks arrive up to this late (300)"
    )
    parser.add_argument("--mic-seconds", type=float, default=10.0, help="mic capture time (10)")
    parser.add_argument("--mic-chunk-ms", type=int, default=20, choices=(20, 30, 40))


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median": round(statistics.median(ordered), 1),
        "p95": round(p95, 1),
        "min": round(ordered[0], 1),
        "max": round(ordered[-1], 1),
        "n": len(ordered),
    }


def _bargein_trials(player: ReplyPlayer, trials: int) -> tuple[Recording, list[dict[str, float]]]:
    marks: list[dict[str, float]] = []
    sound = tone(440, 2.0, REPLY_RATE_HZ)
    step = int(REPLY_CHUNK_S * REPLY_RATE_HZ) * 2
    with MonitorRecorder(MONITOR) as recorder:
        for turn in range(1, trials + 1):
            pushed = time.monotonic()
            for i in range(0, len(sound), step):
                player.push(sound[i : i + step], turn_id=turn)
            time.sleep(0.5 + 0.013 * turn)  # vary the cut point against the device's period
            flushed = time.monotonic()
            heard = player.flush()
            marks.append({"pushed": pushed, "flushed": flushed, "heard_ms": heard})
            time.sleep(0.35)
        return recorder.snapshot(), marks


def _bargein_and_start(player: ReplyPlayer, trials: int, sink_ms: float) -> dict[str, Any]:
    recording, marks = _bargein_trials(player, trials)
    bargein, bargein_raw, start, heard_err = [], [], [], []
    for mark in marks:
        first = recording.first_sound_after(mark["pushed"])
        last = recording.last_sound_before(mark["flushed"] + 0.3)
        if first is None or last is None:
            continue
        start.append((first - mark["pushed"]) * 1000 + sink_ms)
        bargein_raw.append((last - mark["flushed"]) * 1000)
        bargein.append(bargein_raw[-1] + sink_ms)
        heard_s = pcm_duration_s(
            recording.sound_between(mark["pushed"], mark["flushed"] + 0.3), REPLY_RATE_HZ
        )
        heard_err.append(mark["heard_ms"] - heard_s * 1000)
    return {
        "barge_in_ms": _stats(bargein),
        "barge_in_envelope_ms": _stats(bargein_raw),
        "playback_start_ms": _stats(start),
        "heard_ms_error": _stats(heard_err),
        "trials_measured": len(bargein),
    }


def _bursty(player: ReplyPlayer, seconds: int) -> dict[str, Any]:
    """1 s of audio pushed at once every second (averages real time), as one long reply."""
    sound = tone(440, 1.0, REPLY_RATE_HZ)
    turn = 10_000
    underruns_before = player.underruns
    late_ms: list[float] = []
    with MonitorRecorder(MONITOR) as recorder:
        begin = time.monotonic()
        for second in range(seconds):
            due = begin + second
            time.sleep(max(0.0, due - time.monotonic()))
            late_ms.append((time.monotonic() - due) * 1000)
            player.push(sound, turn_id=turn)
        player.end_turn(turn)
        time.sleep(1.5)
        recording = recorder.snapshot()
    gaps = recording.gaps_ms(begin, begin + seconds + 1.0)
    played_s = pcm_duration_s(recording.sound_between(begin, begin + seconds + 1.0), REPLY_RATE_HZ)
    return {
        "seconds": seconds,
        "jitter_buffer_underruns": player.underruns - underruns_before,
        "preroll_ms_at_end": round(player.preroll_ms, 1),
        "gaps_on_monitor": len(gaps),
        "longest_gap_ms": round(max(gaps), 1) if gaps else 0.0,
        "audio_played_s": round(played_s, 3),
        "burst_late_ms": _stats(late_ms),
    }


def _jitter_schedule(turns: int, jitter_s: float, seed: int) -> list[list[float]]:
    """Arrival offsets (s from the session start) of each turn's chunks.

    Chunk i of a turn is due at turn start + i * REPLY_CHUNK_S (real time) and arrives up to
    jitter_s late, uniformly; one socket delivers in order, so no chunk overtakes the one before.
    """
    rng = random.Random(seed)
    per_turn = round(JITTER_TURN_S / REPLY_CHUNK_S)
    schedule = []
    for turn in range(turns):
        begin = turn * (JITTER_TURN_S + JITTER_PAUSE_S)
        arrivals: list[float] = []
        for i in range(per_turn):
            due = begin + i * REPLY_CHUNK_S + rng.uniform(0.0, jitter_s)
            arrivals.append(max(due, arrivals[-1]) if arrivals else due)
        schedule.append(arrivals)
    return schedule


def _jittery_session(
    engine: AudioEngine, seconds: float, jitter_ms: float, seed: int, sink_ms: float
) -> dict[str, Any]:
    """One session (a fresh player, so a fresh pre-roll policy) of replies with jittery chunks."""
    player = engine.open_player(SPEAKER)
    time.sleep(0.3)
    turns = max(1, round(seconds / JITTER_TURN_S))
    schedule = _jitter_schedule(turns, jitter_ms / 1000.0, seed)
    chunk = tone(440, REPLY_CHUNK_S, REPLY_RATE_HZ)
    firsts: list[float] = []
    with MonitorRecorder(MONITOR) as recorder:
        begin = time.monotonic() + 0.1
        for turn, arrivals in enumerate(schedule, start=1):
            for i, offset in enumerate(arrivals):
                time.sleep(max(0.0, begin + offset - time.monotonic()))
                if i == 0:
                    firsts.append(time.monotonic())
                player.push(chunk, turn_id=turn)
            player.end_turn(turn)
        time.sleep(max(0.0, begin + schedule[-1][-1] - time.monotonic()) + 1.5)
        recording = recorder.snapshot()
    ends = [*firsts[1:], time.monotonic()]
    gaps = [len(recording.gaps_ms(a, b)) for a, b in zip(firsts, ends, strict=True)]
    starts = [recording.first_sound_after(t) for t in firsts]
    result = {
        "turns": turns,
        "jitter_buffer_underruns": player.underruns,
        "gaps_on_monitor": sum(gaps),
        "turns_with_a_gap": sum(1 for g in gaps if g),
        "preroll_ms_at_end": round(player.preroll_ms, 1),
        "first_chunk_to_sound_ms": _stats(
            [(s - t) * 1000 + sink_ms for s, t in zip(starts, firsts, strict=True) if s]
        ),
    }
    player.close()
    return result


def _jittery(args: argparse.Namespace, sink_ms: float) -> dict[str, Any]:
    with AudioEngine(EchoMode.OFF) as engine:
        sessions = [
            _jittery_session(engine, args.jitter_seconds, args.jitter_ms, seed, sink_ms)
            for seed in range(1, args.jitter_sessions + 1)
        ]
    return {
        "jitter_ms": args.jitter_ms,
        "sessions": sessions,
        "most_underruns_in_a_session": max(s["jitter_buffer_underruns"] for s in sessions),
    }


def _mic(seconds: float, chunk_ms: int) -> dict[str, Any]:
    got: list[tuple[int, float, float]] = []
    lock = threading.Lock()

    def on_chunk(pcm: bytes, captured_at: float) -> None:
        now = time.monotonic()
        with lock:
            got.append((len(pcm), captured_at, now))

    keeper = KeepRunning(MIC_FEED)
    try:
        with AudioEngine(EchoMode.OFF) as engine:
            engine.open_microphone(on_chunk, MIC, chunk_ms=chunk_ms)
            time.sleep(seconds)
    finally:
        keeper.close()
    sizes = sorted({n for n, _, _ in got})
    called = np.array([c for _, _, c in got[10:]])  # skip the device's start-up burst
    intervals = np.diff(called) * 1000
    ends = np.cumsum([pcm_duration_s(range(n), MIC_RATE_HZ) for n, _, _ in got])[10:]
    # The stream's own sample clock: the earliest any chunk was delivered relative to its last
    # sample; every other chunk's lateness is measured against that.
    offset = called - ends
    lateness = (offset - offset.min()) * 1000
    return {
        "chunk_bytes": sizes,
        "chunk_ms": [round(pcm_duration_s(range(n), MIC_RATE_HZ) * 1000, 1) for n in sizes],
        "chunks": len(got),
        "interval_ms": _stats(list(intervals)),
        "cadence_jitter_ms": round(float(np.std(intervals)), 2) if len(intervals) else None,
        "delivery_lateness_ms": _stats(list(lateness)),
        "captured_at_to_callback_ms": _stats([(c - t) * 1000 for _, t, c in got[10:]]),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    if not pulse_available():
        return {"error": "no PulseAudio server: run `. scripts/test-env.sh` first"}
    server = pactl("info").splitlines()
    keeper = KeepRunning(SPEAKER)
    try:
        sink_ms = sink_latency_ms(SPEAKER)
        with AudioEngine(EchoMode.OFF) as engine:
            player = engine.open_player(SPEAKER)
            time.sleep(0.5)
            playback = _bargein_and_start(player, args.trials, sink_ms)
            bursty = _bursty(player, args.burst_seconds)
            device_buffer_ms = player.buffer_ms
        jittery = _jittery(args, sink_ms)
    finally:
        keeper.close()
    mic = _mic(args.mic_seconds, args.mic_chunk_ms)
    return {
        "playback": playback,
        "bursty_delivery": bursty,
        "jittery_delivery": jittery,
        "mic": mic,
        "setup": {
            "sink_configured_latency_ms_added": sink_ms,
            "player_device_buffer_ms": device_buffer_ms,
            "server": next((line for line in server if line.startswith("Server Version")), ""),
            "load_average_1min": round(os.getloadavg()[0], 2),
            "cpus": os.cpu_count(),
        },
        "method": (
            "parec on the null sink's monitor, 5 ms reads timestamped; sample positions mapped to "
            "time by the lower envelope of (read time - position/rate); the sink's configured "
            "latency is added back as the most the envelope can read early (upper bound). "
            "Barge-in: flush() call to the last sound sample. Start: first push() to the first "
            "sound sample. Jittery: 200 ms chunks due in real time arrive uniformly up to "
            "--jitter-ms late, in order; underruns per fresh player. Mic lateness: callback "
            "time against the stream's sample clock."
        ),
        "targets": {
            "barge_in_ms": "median <= 40, p95 <= 80",
            "playback_start_ms": "median <= 60 (first reply chunk to sound)",
            "bursty_delivery": "0 underruns, 0 gaps on the monitor",
            "jittery_delivery": "at most 1 underrun per session",
            "mic": "20-40 ms chunks, delivered within 10 ms",
        },
    }
