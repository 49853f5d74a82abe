"""The JSON of a completed transcript's exports: sentences, paragraphs and word search, built from
the words as stored on the row. (SRT and VTT are plain text from ``pipeline/subtitles.py``.)"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from stenograph.pipeline.sentences import paragraph_spans, sentence_spans
from stenograph.pipeline.types import Word
from stenograph.pipeline.word_search import Match


@dataclass(frozen=True)
class CompletedTranscript:
    """What an export needs of a completed transcript."""

    id: str
    words: list[dict[str, Any]]  # as stored: text, start, end, confidence, speaker (, channel)
    confidence: float | None
    audio_duration: int | None  # whole seconds, as GET /v2/transcript/{id} answers

    @classmethod
    def from_result(cls, transcript_id: str, result: dict[str, Any] | None) -> CompletedTranscript:
        result = result or {}
        duration = result.get("audio_duration")
        return cls(
            id=transcript_id,
            words=list(result.get("words") or []),
            confidence=result.get("confidence"),
            audio_duration=None if duration is None else round(duration),
        )

    def timed_words(self) -> list[Word]:
        return [Word(w["text"], w["start"], w["end"], w["confidence"]) for w in self.words]

    def turns(self) -> list[Hashable]:
        return [(w.get("speaker"), w.get("channel")) for w in self.words]


def _group_json(words: Sequence[dict[str, Any]], *, with_turn: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "text": " ".join(w["text"] for w in words),
        "start": words[0]["start"],
        "end": words[-1]["end"],
        "confidence": round(sum(w["confidence"] for w in words) / len(words), 4),
        "words": list(words),
    }
    if with_turn:  # a sentence never spans two speakers or channels
        body["speaker"] = words[0].get("speaker")
        if any("channel" in w for w in words):
            body["channel"] = words[0].get("channel")
    return body


def _export_json(
    transcript: CompletedTranscript, key: str, spans: list[range], *, with_turn: bool
) -> dict[str, Any]:
    return {
        key: [_group_json(transcript.words[s.start : s.stop], with_turn=with_turn) for s in spans],
        "id": transcript.id,
        "confidence": transcript.confidence,
        "audio_duration": transcript.audio_duration,
    }


def sentences_json(transcript: CompletedTranscript) -> dict[str, Any]:
    """``SentencesResponse``."""
    spans = sentence_spans(transcript.timed_words(), transcript.turns())
    return _export_json(transcript, "sentences", spans, with_turn=True)


def paragraphs_json(transcript: CompletedTranscript) -> dict[str, Any]:
    """``ParagraphsResponse``: TranscriptParagraph has no speaker or channel field (and admits no other)."""
    words, turns = transcript.timed_words(), transcript.turns()
    spans = paragraph_spans(words, sentence_spans(words, turns), turns)
    return _export_json(transcript, "paragraphs", spans, with_turn=False)


def word_search_json(transcript_id: str, matches: Sequence[Match]) -> dict[str, Any]:
    """``WordSearchResponse``."""
    return {
        "id": transcript_id,
        "total_count": sum(match.count for match in matches),
        "matches": [
            {
                "text": match.text,
                "count": match.count,
                "timestamps": [list(pair) for pair in match.timestamps],
                "indexes": match.indexes,
            }
            for match in matches
        ],
    }
