"""ASR: decoded audio -> segments of words with times and confidences, through faster-whisper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from stenograph.pipeline import textform
from stenograph.pipeline.audio import SAMPLE_RATE, check_duration, decode_audio
from stenograph.pipeline.languages import whisper_language
from stenograph.pipeline.models import (
    ENGLISH_ONLY_MODELS,
    MULTILINGUAL_MODEL,
    canonical_model_name,
    get_whisper_model,
)
from stenograph.pipeline.types import (
    PipelineError,
    Segment,
    TranscribeOptions,
    TranscriptResult,
    UnknownSpeechModelError,
    Word,
)

# The decoding settings every transcript uses. Benchmarks pass the same dict to bare faster-whisper.
# condition_on_previous_text=False: with the default, repeated content loses about half the text.
WHISPER_DECODE_KWARGS: dict[str, Any] = {
    "beam_size": 1,
    "condition_on_previous_text": False,
    "vad_filter": True,
    "word_timestamps": True,
}
# Whisper leaves out fillers unless its prompt shows them (the approach OpenAI documents).
DISFLUENCY_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."


def plan_model(options: TranscribeOptions) -> tuple[str, str | None]:
    """(model that will run, Whisper language or None for detection) for these options.

    An English-only model asked for another language, or for detection, gives way to the
    multilingual one.
    """
    model = canonical_model_name(options.model)
    if model is None:
        raise UnknownSpeechModelError(f"model: unknown model {options.model!r}")
    language = None if options.language_detection else whisper_language(options.language_code)
    if model in ENGLISH_ONLY_MODELS:
        if not options.language_detection and language in (None, "en"):
            return model, "en"
        return MULTILINGUAL_MODEL, language
    return model, language


def whisper_decode_kwargs(options: TranscribeOptions, language: str | None = None) -> dict[str, Any]:
    """The exact keyword arguments given to ``WhisperModel.transcribe`` for these options."""
    kwargs = {**WHISPER_DECODE_KWARGS, "language": language or plan_model(options)[1]}
    prompt = options.prompt or (DISFLUENCY_PROMPT if options.disfluencies else None)
    if prompt:
        kwargs["initial_prompt"] = prompt
    if options.keyterms:
        kwargs["hotwords"] = ", ".join(options.keyterms)
    if options.temperature is not None:
        kwargs["temperature"] = options.temperature
    return kwargs


def transcribe(
    audio: str | Path | np.ndarray,
    options: TranscribeOptions,
    progress: Callable[[float], None] | None = None,
) -> TranscriptResult:
    """Transcribe a file (any format PyAV reads) or 16 kHz float32 samples ((samples,) or
    (channels, samples)).

    ``progress`` receives the fraction of the audio transcribed so far (0..1), once per segment.
    Raises ``PipelineError`` subclasses (messages meant for the user) for unusable input.
    """
    model_name, language = plan_model(options)
    channels = _as_channels(audio, options.multichannel)
    check_duration(channels[0], SAMPLE_RATE)
    duration = channels.shape[1] / SAMPLE_RATE
    window, offset_ms = _window(channels, options)
    mono = window.mean(axis=0) if len(window) > 1 else window[0]
    if options.speech_threshold:
        _check_speech_fraction(mono, options.speech_threshold)

    model = get_whisper_model(model_name)
    language_confidence = None
    if language is None:
        language, language_confidence = _detect_language(model, mono, options)
    kwargs = whisper_decode_kwargs(options, language)

    segments: list[Segment] = []
    window_seconds = max(window.shape[1] / SAMPLE_RATE, 1e-9)
    for index, samples in enumerate(window):
        channel = str(index + 1) if options.multichannel else None

        def report(seconds: float, done_channels: int = index) -> None:
            if progress is not None:
                progress(min(1.0, (done_channels + seconds / window_seconds) / len(window)))

        for segment in _decode(model, samples, kwargs, offset_ms, channel, report):
            segments.append(_with_text_form(segment, options))
    if options.speaker_labels:
        segments = _with_speakers(segments, window, offset_ms, options)
    if progress is not None:
        progress(1.0)

    segments = [s for s in sorted(segments, key=lambda s: (s.start, s.channel or "")) if s.words]
    words = sorted((w for s in segments for w in s.words), key=lambda w: (w.start, w.channel or ""))
    return TranscriptResult(
        text=textform.join_text(words),
        words=words,
        segments=segments,
        confidence=round(sum(w.confidence for w in words) / len(words), 4) if words else None,
        audio_duration=duration,
        audio_channels=len(channels),
        language_code=language,
        language_confidence=language_confidence,
        speech_model_used=model_name,
    )


def _as_channels(audio: str | Path | np.ndarray, keep_channels: bool) -> np.ndarray:
    """(channels, samples) float32; one row (a downmix) unless channels are to be kept apart."""
    if isinstance(audio, np.ndarray):
        samples = np.ascontiguousarray(audio, dtype=np.float32)
        if samples.ndim == 1:
            samples = samples[np.newaxis, :]
        if samples.ndim != 2:
            raise ValueError(f"expected mono or (channels, samples) audio, got shape {samples.shape}")
        return samples if keep_channels else samples.mean(axis=0, keepdims=True)
    decoded = decode_audio(audio, SAMPLE_RATE, keep_channels=keep_channels)
    return decoded if keep_channels else decoded[np.newaxis, :]


def _window(channels: np.ndarray, options: TranscribeOptions) -> tuple[np.ndarray, int]:
    """The part between audio_start_from and audio_end_at, and its offset in ms."""
    start_ms = options.start_ms or 0
    total_ms = channels.shape[1] * 1000 // SAMPLE_RATE
    end_ms = min(options.end_ms, total_ms) if options.end_ms is not None else total_ms
    if start_ms >= total_ms:
        raise PipelineError(f"audio_start_from ({start_ms} ms) is past the end of the audio ({total_ms} ms).")
    if end_ms <= start_ms:
        raise PipelineError(f"audio_end_at ({end_ms} ms) must be after audio_start_from ({start_ms} ms).")
    window = channels[:, start_ms * SAMPLE_RATE // 1000 : end_ms * SAMPLE_RATE // 1000]
    check_duration(window[0], SAMPLE_RATE)
    return window, start_ms


def _check_speech_fraction(mono: np.ndarray, threshold: float) -> None:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(mono, VadOptions())
    fraction = sum(span["end"] - span["start"] for span in spans) / max(len(mono), 1)
    if fraction < threshold:
        raise PipelineError(
            f"Audio speech fraction {fraction:.2f} is below the requested speech_threshold of {threshold}: "
            "the file holds too little speech."
        )


def _detect_language(model: Any, mono: np.ndarray, options: TranscribeOptions) -> tuple[str, float]:
    detected, _, ranked = model.detect_language(audio=mono, vad_filter=True)
    probabilities = dict(ranked)
    expected = [code for code in map(whisper_language, options.expected_languages) if code]
    language = detected
    if expected and detected not in expected:
        fallback = options.fallback_language
        if fallback and fallback.lower() != "auto":
            language = whisper_language(fallback) or detected
        else:
            language = max(expected, key=lambda code: probabilities.get(code, 0.0))
    confidence = round(float(probabilities.get(language, 0.0)), 4)
    threshold = options.language_confidence_threshold
    if threshold and confidence < threshold:
        raise PipelineError(
            f"Detected language '{language}' with confidence {confidence}, below the requested "
            f"language_confidence_threshold of {threshold}."
        )
    return language, confidence


def _decode(
    model: Any,
    samples: np.ndarray,
    kwargs: dict[str, Any],
    offset_ms: int,
    channel: str | None,
    report: Callable[[float], None],
) -> list[Segment]:
    decoded, _ = model.transcribe(samples, **kwargs)
    segments = []
    for segment in decoded:
        words = tuple(_words(segment.words or (), offset_ms, channel))
        start = round(segment.start * 1000) + offset_ms
        end = max(start, round(segment.end * 1000) + offset_ms)
        segments.append(
            Segment(text=segment.text.strip(), start=start, end=end, words=words, channel=channel)
        )
        report(segment.end)
    return segments


def _with_text_form(segment: Segment, options: TranscribeOptions) -> Segment:
    words = textform.apply_options(list(segment.words), options)
    words = [replace(w, channel=segment.channel) for w in words]
    return replace(segment, words=tuple(words), text=textform.join_text(words))


def _with_speakers(
    segments: list[Segment], window: np.ndarray, offset_ms: int, options: TranscribeOptions
) -> list[Segment]:
    """Diarize each channel (the downmix when channels are not kept apart) and give every word its
    speaker: "A", "B", ... in order of first appearance, or "1A", "2A", ... per channel."""
    from stenograph.pipeline.diarization import assign_speakers, diarize

    out: list[Segment] = []
    for index, samples in enumerate(window):
        channel = str(index + 1) if options.multichannel else None
        own = [s for s in segments if s.channel == channel and s.words]
        if not own:
            continue
        turns = diarize(samples, options.speakers_expected, options.min_speakers, options.max_speakers)
        turns = [replace(t, start=t.start + offset_ms, end=t.end + offset_ms) for t in turns]
        labelled = iter(assign_speakers([w for s in own for w in s.words], turns, prefix=channel or ""))
        out.extend(replace(s, words=tuple(next(labelled) for _ in s.words)) for s in own)
    return out


def _words(raw_words: Any, offset_ms: int, channel: str | None) -> list[Word]:
    out: list[Word] = []
    for w in raw_words:
        text = w.word.strip()
        if not text:
            continue
        start = round(w.start * 1000) + offset_ms
        end = max(start, round(w.end * 1000) + offset_ms)
        out.append(
            Word(text=text, start=start, end=end, confidence=round(float(w.probability), 4), channel=channel)
        )
    return out
