"""ASR: decoded audio -> words with times and confidences, through faster-whisper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from stenograph.pipeline.audio import SAMPLE_RATE, check_duration, decode_audio
from stenograph.pipeline.languages import whisper_language
from stenograph.pipeline.models import (
    ENGLISH_ONLY_MODELS,
    MULTILINGUAL_MODEL,
    canonical_model_name,
    get_whisper_model,
)
from stenograph.pipeline.types import TranscribeOptions, TranscriptResult, UnknownSpeechModelError, Word

# The decoding settings every transcript uses. Benchmarks pass the same dict to bare faster-whisper.
# condition_on_previous_text=False: with the default, repeated content loses about half the text.
WHISPER_DECODE_KWARGS: dict[str, Any] = {
    "beam_size": 1,
    "condition_on_previous_text": False,
    "vad_filter": True,
    "word_timestamps": True,
}


def plan_model(options: TranscribeOptions) -> tuple[str, str | None]:
    """(model that will run, Whisper language or None for detection) for these options.

    An English-only model asked for another language falls back to the multilingual one.
    """
    model = canonical_model_name(options.model)
    if model is None:
        raise UnknownSpeechModelError(f"model: unknown model {options.model!r}")
    language = whisper_language(options.language_code)
    if model in ENGLISH_ONLY_MODELS:
        if language is None or language == "en":
            return model, "en"
        return MULTILINGUAL_MODEL, language
    return model, language


def whisper_decode_kwargs(options: TranscribeOptions) -> dict[str, Any]:
    """The exact keyword arguments given to ``WhisperModel.transcribe`` for these options."""
    return {**WHISPER_DECODE_KWARGS, "language": plan_model(options)[1]}


def transcribe(
    audio: str | Path | np.ndarray,
    options: TranscribeOptions,
    progress: Callable[[float], None] | None = None,
) -> TranscriptResult:
    """Transcribe a file (any format PyAV reads) or 16 kHz mono float32 samples.

    ``progress`` receives the fraction of the audio transcribed so far (0..1), once per segment.
    Raises ``AudioDecodeError`` / ``AudioTooShortError`` (user-facing) for bad input.
    """
    model_name, language = plan_model(options)
    samples = _as_samples(audio)
    check_duration(samples, SAMPLE_RATE)
    duration = len(samples) / SAMPLE_RATE
    model = get_whisper_model(model_name)
    segments, info = model.transcribe(samples, **{**WHISPER_DECODE_KWARGS, "language": language})

    texts: list[str] = []
    words: list[Word] = []
    for segment in segments:
        texts.append(segment.text)
        words.extend(_words(segment.words or ()))
        if progress is not None:
            progress(min(1.0, max(0.0, segment.end / duration)))
    if progress is not None:
        progress(1.0)

    detected = language is None
    return TranscriptResult(
        text=" ".join(" ".join(texts).split()),
        words=words,
        confidence=round(sum(w.confidence for w in words) / len(words), 4) if words else None,
        audio_duration=duration,
        language_code="en" if model_name in ENGLISH_ONLY_MODELS else info.language,
        language_confidence=round(float(info.language_probability), 4) if detected else None,
        speech_model_used=model_name,
    )


def _as_samples(audio: str | Path | np.ndarray) -> np.ndarray:
    if isinstance(audio, np.ndarray):
        samples = np.ascontiguousarray(audio, dtype=np.float32)
        if samples.ndim != 1:
            raise ValueError(f"expected 1-D mono samples at {SAMPLE_RATE} Hz, got shape {samples.shape}")
        return samples
    return decode_audio(audio, SAMPLE_RATE)


def _words(raw_words: Any) -> list[Word]:
    out: list[Word] = []
    for w in raw_words:
        text = w.word.strip()
        if not text:
            continue
        start = round(w.start * 1000)
        end = max(start, round(w.end * 1000))
        out.append(Word(text=text, start=start, end=end, confidence=round(float(w.probability), 4)))
    return out
