"""Measuring tools for tests and `liveview bench audio`: record a PulseAudio monitor with parec,
feed a sink with pacat, and find when sound starts and stops.

Timing a recording: every read from parec is timestamped. The end of a read is an upper bound on
when its last sample left the sink, so the lower envelope `min(t_read - samples_so_far / rate)` maps
sample positions to monotonic time with the smallest transport delay seen over thousands of reads
(~ one monitor fragment). The null sink renders up to its own latency ahead of real time, so the
envelope may read early by at most that much (`sink_latency_ms`); figures that matter add it back.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass

import numpy as np

from liveview.errors import AudioDeviceError

RECORD_RATE_HZ = 24_000
RECORD_READ_BYTES = 240  # 5 ms per read: fine-grained timestamps
SOUND_THRESHOLD = 300  # |sample| above this is sound (the tones used are ~8000)


def pulse_available() -> bool:
    if shutil.which("pactl") is None:
        return False
    return subprocess.run(["pactl", "info"], capture_output=True, timeout=10).returncode == 0


def pactl(*args: str) -> str:
    done = subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        raise AudioDeviceError(f"pactl {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def sink_latency_ms(sink: str, configured: bool = True) -> float:
    """A sink's configured latency (how far ahead a null sink renders), or its current one."""
    lines = pactl("list", "sinks").splitlines()
    current = ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("Name:"):
            current = stripped.split(":", 1)[1].strip()
        elif current == sink and stripped.startswith("Latency:") and "configured" in stripped:
            now_part, conf_part = stripped.split(",", 1)
            text = conf_part.split("configured", 1)[1] if configured else now_part[8:]
            return int(text.split()[0]) / 1000.0
    raise AudioDeviceError(f"PulseAudio has no sink called {sink!r}")


class KeepRunning:
    """A low-latency stream of silence on a null sink, so that it renders in real time.

    An idle null sink renders up to 2 s ahead; after a stream attaches it takes ~1 s for that
    backlog to drain. Until then its monitor delivers audio late and in lumps.
    """

    def __init__(self, sink: str, settle_timeout_s: float = 5.0) -> None:
        self.sink = sink
        self._proc = subprocess.Popen(
            ["pacat", "--latency-msec=30", f"--device={sink}", "--volume=0", "/dev/zero"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + settle_timeout_s
        while sink_latency_ms(sink, configured=False) > 50 and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        self._proc.terminate()
        self._proc.wait(5)


@dataclass
class Recording:
    samples: np.ndarray  # int16 mono at RECORD_RATE_HZ
    t0: float  # monotonic time of sample 0 (lower envelope)
    rate_hz: int = RECORD_RATE_HZ

    def time_of(self, index: int) -> float:
        return self.t0 + index / self.rate_hz

    def index_at(self, t: float) -> int:
        return max(0, int((t - self.t0) * self.rate_hz))

    def sound_indices(self, start: float | None = None, end: float | None = None) -> np.ndarray:
        lo = 0 if start is None else self.index_at(start)
        hi = len(self.samples) if end is None else self.index_at(end)
        return np.nonzero(np.abs(self.samples[lo:hi].astype(np.int32)) > SOUND_THRESHOLD)[0] + lo

    def sound_between(self, start: float, end: float | None = None, gap_samples: int = 24) -> bytes:
        """The sound from start to end with silent gaps (> gap_samples quiet) cut out.

        A starved device inserts silence but loses nothing, so pitch and the amount of sound
        stay measurable however loaded the machine was.
        """
        idx = self.sound_indices(start, end)
        if len(idx) == 0:
            return b""
        keep = np.zeros(len(self.samples), dtype=bool)
        runs = np.split(idx, np.nonzero(np.diff(idx) > gap_samples)[0] + 1)
        for run in runs:
            keep[run[0] : run[-1] + 1] = True
        return self.samples[keep].astype("<i2").tobytes()

    def gaps_ms(self, start: float, end: float | None = None, gap_samples: int = 24) -> list[float]:
        """Silent gaps longer than gap_samples inside the sound between start and end."""
        idx = self.sound_indices(start, end)
        steps = np.diff(idx)
        return [float(step) * 1000.0 / self.rate_hz for step in steps[steps > gap_samples]]

    def first_sound_after(self, t: float) -> float | None:
        idx = self.sound_indices(t)
        return None if len(idx) == 0 else self.time_of(int(idx[0]))

    def last_sound_before(self, t: float) -> float | None:
        idx = self.sound_indices(None, t)
        return None if len(idx) == 0 else self.time_of(int(idx[-1]))


class MonitorRecorder:
    """parec on a source (e.g. `liveview_speaker.monitor`), timestamped per 5 ms read."""

    def __init__(self, source: str, rate_hz: int = RECORD_RATE_HZ) -> None:
        self.source = source
        self.rate_hz = rate_hz
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self._chunks: list[bytes] = []
        self._marks: list[tuple[float, int]] = []
        self._lock = threading.Lock()

    def __enter__(self) -> MonitorRecorder:
        self._proc = subprocess.Popen(
            ["parec", "--raw", "--format=s16le", f"--rate={self.rate_hz}", "--channels=1",
             "--latency-msec=5", "-d", self.source],
            stdout=subprocess.PIPE, bufsize=0,
        )  # fmt: skip
        self._thread = threading.Thread(target=self._read, name="parec-reader", daemon=True)
        self._thread.start()
        self.wait_samples(self.rate_hz // 10)  # 100 ms in: parec is running
        return self

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        total = 0
        while True:
            data = self._proc.stdout.read(RECORD_READ_BYTES)
            if not data:
                return
            now = time.monotonic()
            total += len(data) // 2
            with self._lock:
                self._chunks.append(data)
                self._marks.append((now, total))

    def wait_samples(self, count: int, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if self._marks and self._marks[-1][1] >= count:
                    return
            time.sleep(0.01)
        raise AudioDeviceError(f"parec on {self.source} delivered no audio")

    def snapshot(self) -> Recording:
        with self._lock:
            data = b"".join(self._chunks)
            marks = np.array(self._marks, dtype=np.float64)
        samples = np.frombuffer(data[: len(data) - len(data) % 2], dtype="<i2")
        t0 = float(np.min(marks[:, 0] - marks[:, 1] / self.rate_hz)) if len(marks) else 0.0
        return Recording(samples.copy(), t0, self.rate_hz)

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(5)
        if self._thread is not None:
            self._thread.join(5)
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()


class SinkFeeder:
    """pacat into a sink (e.g. `liveview_mic_feed`): write() PCM at `rate_hz` mono Int16."""

    def __init__(self, sink: str, rate_hz: int, latency_ms: int = 30) -> None:
        self._proc = subprocess.Popen(
            ["pacat", "--raw", "--format=s16le", f"--rate={rate_hz}", "--channels=1",
             f"--latency-msec={latency_ms}", "-d", sink],
            stdin=subprocess.PIPE, bufsize=0,
        )  # fmt: skip

    def write(self, pcm: bytes) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(pcm)

    def close(self) -> None:
        if self._proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()
        try:
            self._proc.wait(10)
        except subprocess.TimeoutExpired:
            self._proc.terminate()
            self._proc.wait(5)


def tone(freq_hz: float, duration_s: float, rate_hz: int, amplitude: float = 8000.0) -> bytes:
    t = np.arange(int(duration_s * rate_hz)) / rate_hz
    return (np.sin(2 * np.pi * freq_hz * t) * amplitude).astype("<i2").tobytes()


def dominant_frequency(samples: np.ndarray, rate_hz: int) -> float:
    windowed = samples.astype(np.float64) * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(windowed))
    return float(np.argmax(spectrum) * rate_hz / len(samples))


def espeak_pcm(text: str, rate_hz: int, voice: str = "en") -> bytes:
    """Speech from espeak-ng as mono Int16 at rate_hz."""
    import io
    import wave

    from liveview.audio.formats import StreamResampler

    wav = subprocess.run(
        ["espeak-ng", "-v", voice, "--stdout", text], capture_output=True, check=True, timeout=30
    ).stdout
    with wave.open(io.BytesIO(wav)) as reader:
        source_rate = reader.getframerate()
        pcm = reader.readframes(reader.getnframes())
    return StreamResampler(source_rate, rate_hz).process_bytes(pcm, last=True)
