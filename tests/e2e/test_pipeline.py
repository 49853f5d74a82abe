"""End to end with the real packaged models on real audio from ../shared/audio."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from stenograph.pipeline import TranscribeOptions
from stenograph.pipeline import transcribe as run_pipeline
from stenograph.pipeline.asr import whisper_decode_kwargs
from stenograph.pipeline.languages import UnsupportedLanguageError
from stenograph.pipeline.models import ModelSettings
from stenograph.pipeline.transcribe import plan_model
from stenograph.pipeline.types import AudioDecodeError, AudioTooShortError, TranscriptResult

Transcribe = Callable[..., TranscriptResult]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> ModelSettings:
    """The base model joined into a temporary cache, not the user's data directory."""
    return ModelSettings(cache_dir=tmp_path_factory.mktemp("models"))


@pytest.fixture()
def transcribe(models: ModelSettings) -> Transcribe:
    return partial(run_pipeline, models=models)


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


def test_jfk_tiny_en(shared_audio: Path, transcribe: Transcribe) -> None:
    fractions: list[float] = []
    result = transcribe(
        shared_audio / "jfk" / "jfk.wav", TranscribeOptions(model="tiny.en"), fractions.append
    )
    assert "ask not what your country can do for you" in _normalise(result.text)
    assert result.text == result.text.strip() and "  " not in result.text
    # Punctuated (greedy decoding, the default before, left out every mark on this clip).
    assert result.text.startswith("And so, my fellow Americans"), result.text
    assert result.text.endswith("country."), result.text
    assert result.speech_model_used == "tiny.en"
    assert result.language_code == "en"
    assert result.audio_duration == pytest.approx(11.0, abs=0.05)
    assert result.words
    for word in result.words:
        assert isinstance(word.start, int) and isinstance(word.end, int)
        assert 0 <= word.start <= word.end <= 11_000
        assert word.text == word.text.strip() and word.text
        assert 0.0 <= word.confidence <= 1.0
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    assert all(a.end <= b.start + 1 for a, b in zip(result.words, result.words[1:], strict=False))
    assert result.confidence == pytest.approx(
        sum(w.confidence for w in result.words) / len(result.words), abs=1e-4
    )
    assert fractions and fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(0.0 <= f <= 1.0 for f in fractions)


def test_samples_input_matches_file(shared_audio: Path, transcribe: Transcribe) -> None:
    from stenograph.pipeline.audio import decode_audio

    samples = decode_audio(shared_audio / "jfk" / "jfk_44k_stereo.flac")
    result = transcribe(samples, TranscribeOptions(model="tiny.en"))
    assert "ask what you can do for your country" in _normalise(result.text)


def test_base_detects_language(shared_audio: Path, transcribe: Transcribe) -> None:
    result = transcribe(
        shared_audio / "multilingual" / "pv_cheetah_test_de.wav", TranscribeOptions(model="base")
    )
    assert result.speech_model_used == "base"
    assert result.language_code == "de"
    assert result.language_confidence is not None and result.language_confidence > 0.5
    assert "werbung" in _normalise(result.text)


def test_english_only_model_gives_way(shared_audio: Path, transcribe: Transcribe) -> None:
    options = TranscribeOptions(model="tiny.en", language_code="fr")
    assert plan_model(options) == ("base", "fr")
    result = transcribe(shared_audio / "multilingual" / "pv_cheetah_test_fr.wav", options)
    assert result.speech_model_used == "base"
    assert result.language_code == "fr"
    assert result.language_confidence is None  # forced, not detected
    assert "mer" in _normalise(result.text).split()


def test_silence_is_empty_not_an_error(transcribe: Transcribe) -> None:
    result = transcribe(np.zeros(16000 * 3, dtype=np.float32), TranscribeOptions(model="tiny.en"))
    assert result.text == "" and result.words == [] and result.confidence is None
    assert result.audio_duration == pytest.approx(3.0)


def test_too_short(transcribe: Transcribe) -> None:
    with pytest.raises(AudioTooShortError):
        transcribe(np.zeros(1600, dtype=np.float32), TranscribeOptions())


def test_not_audio(tmp_path: Path, transcribe: Transcribe) -> None:
    path = tmp_path / "a.txt"
    path.write_text("not audio")
    with pytest.raises(AudioDecodeError):
        transcribe(path, TranscribeOptions())


def test_unsupported_language(transcribe: Transcribe) -> None:
    with pytest.raises(UnsupportedLanguageError):
        transcribe(np.zeros(16000, dtype=np.float32), TranscribeOptions(language_code="klingon"))


def test_decode_kwargs() -> None:
    def kwargs_for(options: TranscribeOptions) -> dict:
        return whisper_decode_kwargs(options, plan_model(options)[1])

    kwargs = kwargs_for(TranscribeOptions(model="tiny.en"))
    assert kwargs == {
        "beam_size": 5,
        "condition_on_previous_text": False,
        "vad_filter": True,
        "word_timestamps": True,
        "language": "en",
    }
    assert kwargs_for(TranscribeOptions(model="base"))["language"] is None
    assert kwargs_for(TranscribeOptions(model="base", language_code="es"))["language"] == "es"


def test_a_word_whisper_splits_at_a_hyphen_is_one_word(shared_audio: Path, transcribe: Transcribe) -> None:
    # tiny.en hears "peppered flour-fattened sauce" as "flower" + "-fattened": one word, no space.
    result = transcribe(
        shared_audio / "librispeech" / "1089-134686-0000.flac", TranscribeOptions(model="tiny.en")
    )
    hyphenated = [w.text for w in result.words if "-" in w.text]
    assert hyphenated and all(not text.startswith("-") for text in hyphenated), [w.text for w in result.words]
    assert " -" not in result.text and "-fattened" in result.text
