"""Code switching's plumbing: which language each run of speech is decoded in, and the language
detection gate. The real model on real mixed-language audio is in tests/e2e/test_options_audio.py."""

from __future__ import annotations

import numpy as np
import pytest

from stenograph.pipeline import asr
from stenograph.pipeline.code_switching import (
    LanguageRun,
    Stretch,
    candidate_languages,
    language_runs,
    main_language,
)
from stenograph.pipeline.types import PipelineError, TranscribeOptions

SECOND = 16000


def stretch(start_s: float, end_s: float, language: str | None, confidence: float = 0.9) -> Stretch:
    return Stretch(round(start_s * SECOND), round(end_s * SECOND), language, confidence)


def test_runs_cover_the_channel_and_cut_in_the_middle_of_the_pause_between_languages() -> None:
    stretches = [stretch(0.5, 10, "en"), stretch(11, 20, "en"), stretch(22, 30, "de"), stretch(31, 40, "de")]
    runs = language_runs(stretches, "en", 45 * SECOND)
    assert [(r.language, r.start, r.end) for r in runs] == [
        ("en", 0, 21 * SECOND),
        ("de", 21 * SECOND, 45 * SECOND),
    ]
    assert runs[0].speech_samples == round(18.5 * SECOND)
    assert runs[1].identified_samples == 17 * SECOND
    assert runs[1].confidence_mass == pytest.approx(0.9 * 17 * SECOND)


def test_a_stretch_no_language_was_sure_of_keeps_the_main_language() -> None:
    stretches = [stretch(0, 10, "en"), stretch(10.5, 11, None, 0.0), stretch(12, 20, "en")]
    runs = language_runs(stretches, "en", 20 * SECOND)
    assert [(r.language, r.start, r.end) for r in runs] == [("en", 0, 20 * SECOND)]
    assert runs[0].identified_samples == 18 * SECOND  # the unsure stretch counts as speech only


def test_no_speech_is_one_run_in_the_main_language() -> None:
    assert language_runs([], "fr", 5 * SECOND) == [LanguageRun(0, 5 * SECOND, "fr", 0)]


def test_the_main_language_has_the_most_identified_speech() -> None:
    stretches = [stretch(0, 5, "en"), stretch(6, 22, "de"), stretch(23, 32, "en"), stretch(31, 60, None)]
    assert main_language(stretches, ["en", "de"]) == "de"
    assert main_language([stretch(0, 1, None)], ["es", "en"]) == "es"  # nothing identified: the first
    assert main_language([], []) is None


def test_candidates_are_whisper_codes_without_repeats() -> None:
    assert candidate_languages(("en_us", "en", "de", "pt-BR")) == ["en", "de", "pt"]


class RankedModel:
    """Stands in for WhisperModel.detect_language with fixed probabilities."""

    def __init__(self, ranked: list[tuple[str, float]]) -> None:
        self.ranked = ranked

    def detect_language(self, audio: np.ndarray, vad_filter: bool) -> tuple[str, float, list]:
        return self.ranked[0][0], self.ranked[0][1], self.ranked


def test_low_language_confidence_is_an_error_by_default_and_the_fallback_on_request() -> None:
    model = RankedModel([("es", 0.6), ("pt", 0.3), ("en", 0.1)])
    audio = np.zeros(SECOND, dtype=np.float32)
    strict = TranscribeOptions(model="base", language_detection=True, language_confidence_threshold=0.8)
    with pytest.raises(PipelineError, match="on_low_language_confidence"):
        asr.detect_language(model, audio, strict)

    fallback = TranscribeOptions(
        model="base",
        language_detection=True,
        language_confidence_threshold=0.8,
        low_confidence_fallback=True,
        fallback_language="en",
    )
    assert asr.detect_language(model, audio, fallback) == ("en", 0.1)
    auto = TranscribeOptions(
        model="base", language_detection=True, language_confidence_threshold=0.8, low_confidence_fallback=True
    )
    assert asr.detect_language(model, audio, auto) == ("es", 0.6)  # no fallback named: the detected one
