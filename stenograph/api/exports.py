"""Exports of a completed transcript: sentences, paragraphs, SRT / VTT captions and word search."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from stenograph.api.auth import current_project
from stenograph.api.errors import ApiError
from stenograph.api.transcripts import NOT_FOUND
from stenograph.pipeline.sentences import paragraph_spans, sentence_spans
from stenograph.pipeline.subtitles import to_srt, to_vtt
from stenograph.pipeline.types import Word
from stenograph.pipeline.word_search import SearchQueryError, parse_terms, search
from stenograph.store import transcripts
from stenograph.store.models import Transcript

router = APIRouter()

ROOT = "/v2/transcript/{transcript_id}"


@dataclass(frozen=True)
class Completed:
    """What an export needs of a completed transcript row."""

    id: str
    words: list[dict[str, Any]]  # as stored: text, start, end, confidence, speaker (, channel)
    confidence: float | None
    audio_duration: int | None  # whole seconds, as GET /v2/transcript/{id} answers

    def timed_words(self) -> list[Word]:
        return [Word(w["text"], w["start"], w["end"], w["confidence"]) for w in self.words]

    def turns(self) -> list[Hashable]:
        return [(w.get("speaker"), w.get("channel")) for w in self.words]


def _not_exportable(row: Transcript) -> str | None:
    """Why the row has nothing to export (a message for the caller), or None when it has."""
    if row.status == transcripts.ERROR:
        return f"Transcript has nothing to export: it ended in error ({row.error or 'unknown error'})"
    if row.status != transcripts.COMPLETED:
        return (
            f"Transcript is not completed yet (status: {row.status}); "
            "try again once its status is 'completed'"
        )
    if row.audio_url == transcripts.DELETED_AUDIO_URL:
        return "Transcript has nothing to export: it was deleted"
    return None


def completed_transcript(request: Request, transcript_id: str, project_id: str) -> Completed:
    """The caller's transcript, else 404; 400 unless it is completed."""
    runtime = request.app.state.runtime
    with runtime.db.session() as session:
        row = transcripts.get(session, transcript_id, project_id)
        if row is None:
            raise ApiError(404, NOT_FOUND)
        reason = _not_exportable(row)
        if reason:
            raise ApiError(400, reason)
        result = row.result or {}
        duration = result.get("audio_duration")
        return Completed(
            id=row.id,
            words=list(result.get("words") or []),
            confidence=result.get("confidence"),
            audio_duration=None if duration is None else round(duration),
        )


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


def _export_json(transcript: Completed, key: str, spans: list[range], *, with_turn: bool) -> dict[str, Any]:
    return {
        key: [_group_json(transcript.words[s.start : s.stop], with_turn=with_turn) for s in spans],
        "id": transcript.id,
        "confidence": transcript.confidence,
        "audio_duration": transcript.audio_duration,
    }


@router.get(f"{ROOT}/sentences")
def get_sentences(
    transcript_id: str, request: Request, project_id: str = Depends(current_project)
) -> dict[str, Any]:
    transcript = completed_transcript(request, transcript_id, project_id)
    spans = sentence_spans(transcript.timed_words(), transcript.turns())
    return _export_json(transcript, "sentences", spans, with_turn=True)


@router.get(f"{ROOT}/paragraphs")
def get_paragraphs(
    transcript_id: str, request: Request, project_id: str = Depends(current_project)
) -> dict[str, Any]:
    transcript = completed_transcript(request, transcript_id, project_id)
    words, turns = transcript.timed_words(), transcript.turns()
    spans = paragraph_spans(words, sentence_spans(words, turns), turns)
    # TranscriptParagraph has no speaker or channel field (and admits no other).
    return _export_json(transcript, "paragraphs", spans, with_turn=False)


CharsPerCaption = Annotated[int | None, Query(ge=1, description="The most characters in one caption")]


@router.get(f"{ROOT}/srt", response_class=PlainTextResponse)
def get_srt(
    transcript_id: str,
    request: Request,
    project_id: str = Depends(current_project),
    chars_per_caption: CharsPerCaption = None,
) -> PlainTextResponse:
    transcript = completed_transcript(request, transcript_id, project_id)
    return PlainTextResponse(to_srt(transcript.timed_words(), chars_per_caption))


@router.get(f"{ROOT}/vtt", response_class=PlainTextResponse)
def get_vtt(
    transcript_id: str,
    request: Request,
    project_id: str = Depends(current_project),
    chars_per_caption: CharsPerCaption = None,
) -> PlainTextResponse:
    transcript = completed_transcript(request, transcript_id, project_id)
    return PlainTextResponse(to_vtt(transcript.timed_words(), chars_per_caption))


@router.get(f"{ROOT}/word-search")
def word_search(
    transcript_id: str,
    request: Request,
    words: Annotated[list[str], Query(description="Comma-separated words or phrases (up to 5 words)")],
    project_id: str = Depends(current_project),
) -> dict[str, Any]:
    transcript = completed_transcript(request, transcript_id, project_id)
    try:
        terms = parse_terms(words)
    except SearchQueryError as exc:
        raise ApiError(400, str(exc)) from exc
    matches = search(transcript.timed_words(), terms)
    return {
        "id": transcript.id,
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
