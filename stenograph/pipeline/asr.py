"""ASR through faster-whisper only: the decode settings, language detection, and 16 kHz samples ->
segments of words with times and confidences. The steps around it are in ``pipeline/transcribe.py``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from stenograph.pipeline.languages import whisper_language
from stenograph.pipeline.types import PipelineError, Segment, TranscribeOptions, Word

# The decoding settings every transcript uses. Benchmarks pass the same dict to bare faster-whisper.
# condition_on_previous_text=False: with the default, repeated content loses about half the text.
# beam_size 5 (Whisper's own default), from benchmarks/decode_search.py against greedy on the dev
# audio: tiny.en WER 17.1% -> 15.6% on LibriSpeech (4.9% -> 5.1% on LJSpeech), base even, for 1.16-1.26x
# the decode time; greedy left the JFK clip without a comma or full stop.
WHISPER_DECODE_KWARGS: dict[str, Any] = {
    "beam_size": 5,
    "condition_on_previous_text": False,
    "vad_filter": True,
    "word_timestamps": True,
}
# Whisper leaves out fillers unless its prompt shows them (the approach OpenAI documents).
DISFLUENCY_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."


def whisper_decode_kwargs(options: TranscribeOptions, language: str | None) -> dict[str, Any]:
    """The exact keyword arguments given to ``WhisperModel.transcribe`` for these options and the
    Whisper language (None: Whisper detects it)."""
    kwargs = {**WHISPER_DECODE_KWARGS, "language": language}
    prompt = options.prompt or (DISFLUENCY_PROMPT if options.disfluencies else None)
    if prompt:
        kwargs["initial_prompt"] = prompt
    if options.keyterms:
        kwargs["hotwords"] = ", ".join(options.keyterms)
    if options.temperature is not None:
        kwargs["temperature"] = options.temperature
    if options.vad is not None:
        vad = {
            "threshold": options.vad.threshold,
            "min_silence_duration_ms": options.vad.min_silence_ms,
            "speech_pad_ms": options.vad.speech_pad_ms,
        }
        if any(value is not None for value in vad.values()):
            kwargs["vad_parameters"] = {name: value for name, value in vad.items() if value is not None}
    return kwargs


def detect_language(model: Any, mono: np.ndarray, options: TranscribeOptions) -> tuple[str, float]:
    """The language of ``mono`` (restricted to the expected languages, with the fallback) and its
    probability; PipelineError below the requested confidence threshold."""
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
    if threshold and confidence < threshold and options.low_confidence_fallback:
        # on_low_language_confidence=fallback: the fallback language when one is named, else the
        # language detected; either way the transcript is made rather than refused.
        fallback = options.fallback_language
        if fallback and fallback.lower() != "auto":
            language = whisper_language(fallback) or language
            confidence = round(float(probabilities.get(language, 0.0)), 4)
        return language, confidence
    if threshold and confidence < threshold:
        raise PipelineError(
            f"Detected language '{language}' with confidence {confidence}, below the requested "
            f"language_confidence_threshold of {threshold}. Set language_code if you know the "
            "language, or language_detection_options.on_low_language_confidence to 'fallback'."
        )
    return language, confidence


def decode(
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


def _words(raw_words: Any, offset_ms: int, channel: str | None) -> list[Word]:
    """Whisper's words as ours. A piece without a leading space continues the word before it
    ("flower" + "-fattened", "L" + "'accident"; Whisper splits words at such punctuation) in a
    language written with spaces; in one written without (Chinese, Japanese, Thai) no piece has a
    leading space and each piece that starts with a letter stays a word."""
    raw = list(raw_words)
    spaced = any(w.word.startswith(" ") for w in raw[1:])
    out: list[Word] = []
    for w in raw:
        text = w.word.strip()
        if not text:
            continue
        start = round(w.start * 1000) + offset_ms
        end = max(start, round(w.end * 1000) + offset_ms)
        confidence = round(float(w.probability), 4)
        continues = spaced or not text[0].isalnum()  # "-Kov" continues even in a segment of one word
        if out and continues and not w.word[:1].isspace():
            previous = out[-1]
            out[-1] = Word(
                text=previous.text + text,
                start=previous.start,
                end=max(previous.end, end),
                confidence=min(previous.confidence, confidence),
                channel=channel,
            )
            continue
        out.append(Word(text=text, start=start, end=end, confidence=confidence, channel=channel))
    return out
