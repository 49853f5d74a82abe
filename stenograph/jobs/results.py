"""A pipeline TranscriptResult -> the JSON stored on the transcript row (wire field names)."""

from __future__ import annotations

from typing import Any

from stenograph.pipeline import textform
from stenograph.pipeline.types import Segment, TranscriptResult, Word


def word_json(word: Word) -> dict[str, Any]:
    return {
        "text": word.text,
        "start": word.start,
        "end": word.end,
        "confidence": word.confidence,
        "speaker": word.speaker,
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


def speaker_utterances(words: list[Word]) -> list[dict[str, Any]]:
    """Utterances with speaker labels: the runs of consecutive words of one speaker, per channel,
    in order of their start."""
    by_channel: dict[str | None, list[Word]] = {}
    for word in words:
        by_channel.setdefault(word.channel, []).append(word)
    runs: list[list[Word]] = []
    for channel_words in by_channel.values():
        for word in channel_words:
            if runs and runs[-1][-1].channel == word.channel and runs[-1][-1].speaker == word.speaker:
                runs[-1].append(word)
            else:
                runs.append([word])
    runs.sort(key=lambda run: (run[0].start, run[0].channel or ""))
    return [
        {
            "text": textform.join_text(run),
            "start": run[0].start,
            "end": max(w.end for w in run),
            "confidence": round(sum(w.confidence for w in run) / len(run), 4),
            "speaker": run[0].speaker,
            "channel": run[0].channel,
            "words": [word_json(w) for w in run],
        }
        for run in runs
    ]


def result_payload(
    result: TranscriptResult, multichannel: bool, speaker_labels: bool = False
) -> dict[str, Any]:
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
    if speaker_labels:
        payload["utterances"] = speaker_utterances(result.words)
    return payload
