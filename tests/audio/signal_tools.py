"""Comparing what was fed with what came out: alignment by cross-correlation, ERLE."""

from __future__ import annotations

import numpy as np


def align(reference: np.ndarray, signal: np.ndarray) -> tuple[int, float]:
    """Lag of `reference` inside `signal` and the normalized correlation there (-1..1)."""
    ref = reference.astype(np.float64)
    sig = signal.astype(np.float64)
    n = 1 << int(np.ceil(np.log2(len(ref) + len(sig))))
    xcorr = np.fft.irfft(np.fft.rfft(sig, n) * np.conj(np.fft.rfft(ref, n)), n)[: len(sig)]
    lag = int(np.argmax(np.abs(xcorr)))
    part = sig[lag : lag + len(ref)]
    ref = ref[: len(part)]
    denom = np.sqrt(np.sum(ref**2) * np.sum(part**2))
    return lag, float(np.sum(ref * part) / denom) if denom else 0.0


def power_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-9))


def envelope_db(x: np.ndarray, frame: int = 320) -> np.ndarray:
    """Energy of consecutive 20 ms frames (at 16 kHz) in dB: speech rhythm without the phase."""
    usable = len(x) - len(x) % frame
    frames = x[:usable].astype(np.float64).reshape(-1, frame)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1.0)


def envelope_match(reference: np.ndarray, signal: np.ndarray, frame: int = 320) -> float:
    """Best Pearson correlation of the reference's energy envelope anywhere inside the signal.

    Echo cancellation, noise suppression and the high-pass filter change the waveform (phase,
    spectral shape) but keep when a voice is loud and when it is quiet; this measures that.
    """
    ref = envelope_db(reference, frame)
    sig = envelope_db(signal, frame)
    best = -1.0
    for lag in range(0, max(1, len(sig) - len(ref) + 1)):
        part = sig[lag : lag + len(ref)]
        if len(part) < len(ref) or np.std(part) == 0:
            continue
        best = max(best, float(np.corrcoef(ref, part)[0, 1]))
    return best
