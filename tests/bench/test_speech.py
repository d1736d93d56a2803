"""Offline speech-to-text, measured (issue 15): pocketsphinx's bundled en-US model on espeak-ng
speech. The local server may use it only when its word error rate is at most 35 %; this test
computes the rate on the whole fixed corpus and holds the decision to the figure."""

from __future__ import annotations

import pytest

from liveview.bench import speech
from liveview.server import replies
from liveview.server.vad import summarise_audio


def test_word_errors_count_substitutions_insertions_and_deletions() -> None:
    ref = speech.words("what is the error on my screen")
    assert speech.word_errors(ref, ref) == 0
    assert speech.word_errors(ref, speech.words("what is the opposite really")) == 4
    assert speech.word_errors(ref, []) == len(ref)
    assert speech.word_errors([], ["extra", "words"]) == 2


def test_pocketsphinx_is_measured_and_not_used_while_its_wer_is_too_high() -> None:
    result = speech.measure()
    rows = result["results"]
    assert len(rows) == len(speech.CORPUS) >= 20
    assert sum(r["word_errors"] for r in rows) == result["word_errors"]
    assert result["words"] == sum(len(speech.words(s)) for s in speech.CORPUS)
    assert result["wer"] == pytest.approx(result["word_errors"] / result["words"], abs=1e-4)
    assert any(r["heard"] for r in rows), "the recogniser heard nothing at all: broken install"
    # Measured here: WER 0.75 ("what is the error on my screen" -> "what is your ah three").
    # If a new model gets under the limit, this fails: then wire it into inputTranscription.
    assert result["wer"] > speech.WER_LIMIT and not result["good_enough"]
    heard = summarise_audio(bytes(32_000), 16_000)
    assert replies.speech_label(heard) == "[speech 1.0 s]"  # still the honest label
