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
