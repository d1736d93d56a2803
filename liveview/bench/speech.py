"""`liveview bench speech [--json]`: is offline speech-to-text good enough to use?

The candidate is pocketsphinx's bundled en-US model (the only speech model found shipped inside a
PyPI package). A fixed corpus of CORPUS sentences, the kind of thing a user asks about a screen,
is spoken by espeak-ng (`espeak-ng -w`, resampled to 16 kHz mono as the microphone path sends it)
and decoded; the word error rate is the word-level Levenshtein distance over the words spoken.
The local server uses it for inputTranscription only if WER <= WER_LIMIT (issue 15).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np
import soxr

from liveview.pcm import pcm_duration_s

WER_LIMIT = 0.35
RATE_HZ = 16_000
CORPUS = (
    "what is the error on my screen",
    "read the message in the top left corner",
    "what does the terminal say",
    "can you read the title of this page",
    "is there a warning in the log",
    "what is written on the blue button",
    "tell me what the dialog box says",
    "which file is open in the editor",
    "read the last line of the output",
    "what time is shown at the bottom right",
    "zoom in on the small text please",
    "take a snapshot of the screen",
    "what is the name of the function",
    "how many tabs are open",
    "read the first paragraph of the article",
    "what does the status bar say",
    "is the build passing or failing",
    "what is the version number",
    "switch to the second screen",
    "pause the video for a moment",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--voice", default="en-us", help="espeak-ng voice")
    parser.add_argument("--wpm", type=int, default=160, help="espeak-ng words per minute")


def words(text: str) -> list[str]:
    return re.findall(r"[a-z']+", text.lower())


def word_errors(reference: list[str], hypothesis: list[str]) -> int:
    """Word-level Levenshtein distance (substitutions + insertions + deletions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ref != hyp)))  # fmt: skip
        previous = current
    return previous[-1]


def speak(text: str, voice: str, wpm: int, folder: Path) -> bytes:
    """16 kHz mono 16-bit PCM of espeak-ng saying `text` (rendered with `espeak-ng -w`)."""
    path = folder / "utterance.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(path), text],
                   check=True, capture_output=True, timeout=30)  # fmt: skip
    with wave.open(str(path), "rb") as wav:
        rate, pcm = wav.getframerate(), wav.readframes(wav.getnframes())
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    if rate != RATE_HZ:
        samples = soxr.resample(samples, rate, RATE_HZ)
    return bytes((np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2").tobytes())


class Recogniser:
    """pocketsphinx with its bundled en-US acoustic model, dictionary and language model."""

    def __init__(self) -> None:
        from pocketsphinx import Decoder

        self._decoder = Decoder(samprate=RATE_HZ, loglevel="FATAL")

    def transcribe(self, pcm: bytes) -> str:
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        return str(hyp.hypstr) if hyp is not None else ""


def measure(voice: str = "en-us", wpm: int = 160) -> dict[str, Any]:
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    recogniser = Recogniser()
    rows, errors, total, decode_s, audio_s = [], 0, 0, 0.0, 0.0
    with tempfile.TemporaryDirectory(prefix="liveview-speech-") as folder:
        for sentence in CORPUS:
            pcm = speak(sentence, voice, wpm, Path(folder))
            started = time.perf_counter()
            heard = recogniser.transcribe(pcm)
            decode_s += time.perf_counter() - started
            audio_s += pcm_duration_s(pcm, RATE_HZ)
            ref = words(sentence)
            wrong = word_errors(ref, words(heard))
            errors += wrong
            total += len(ref)
            rows.append({"said": sentence, "heard": heard, "word_errors": wrong})
    wer = errors / total
    return {
        "engine": "pocketsphinx (bundled en-US model)", "voice": voice, "wpm": wpm,
        "sentences": len(CORPUS), "words": total, "word_errors": errors,
        "wer": round(wer, 4), "wer_limit": WER_LIMIT, "good_enough": wer <= WER_LIMIT,
        "real_time_factor": round(decode_s / audio_s, 3), "results": rows,
    }  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    return measure(args.voice, args.wpm)
