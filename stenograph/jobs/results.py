"""A pipeline TranscriptResult -> the JSON stored on the transcript row (wire field names)."""

from __future__ import annotations

from typing import Any

from stenograph.pipeline.types import Segment, TranscriptResult, Word


def word_json(word: Word) -> dict[str, Any]:
    return {
        "text": word.text,
        "start": word.start,
        "end": word.end,
        "confidence": word.confidence,
        "speaker": None,
        "channel": word.channel,
    }


def utterance_json(segment: Segment) -> dict[str, Any]:
    confidences = [w.confidence for w in segment.words]
    return {
        "text": segment.text,
        "start": segment.start,
        "end": segment.end,
        "confidence": round(sum(confidences) / len(confidences), 4) if confidences else 0.0,
        "speaker": None,
        "channel": segment.channel,
        "words": [word_json(w) for w in segment.words],
    }


def result_payload(result: TranscriptResult, multichannel: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "text": result.text,
        "words": [word_json(w) for w in result.words],
        "confidence": result.confidence,
        "audio_duration": result.audio_duration,
        "language_code": result.language_code,
        "language_confidence": result.language_confidence,
    }
    if multichannel:
        payload["audio_channels"] = result.audio_channels
        payload["utterances"] = [utterance_json(s) for s in result.segments]
    return payload
