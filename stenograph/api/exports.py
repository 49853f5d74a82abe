"""Exports of a completed transcript: sentences, paragraphs, SRT / VTT captions and word search."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.errors import ApiError
from stenograph.api.transcripts import NOT_FOUND
from stenograph.assemblyai.exports import (
    CompletedTranscript,
    paragraphs_json,
    sentences_json,
    word_search_json,
)
from stenograph.pipeline.subtitles import to_srt, to_vtt
from stenograph.pipeline.word_search import SearchQueryError, parse_terms, search
from stenograph.runtime import Runtime
from stenograph.store import transcripts
from stenograph.store.models import Transcript

router = APIRouter()

ROOT = "/v2/transcript/{transcript_id}"


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


def completed_transcript(runtime: Runtime, transcript_id: str, project_id: str) -> CompletedTranscript:
    """The caller's transcript, else 404; 400 unless it is completed."""
    with runtime.db.session() as session:
        row = transcripts.get(session, transcript_id, project_id)
        if row is None:
            raise ApiError(404, NOT_FOUND)
        reason = _not_exportable(row)
        if reason:
            raise ApiError(400, reason)
        return CompletedTranscript.from_result(row.id, row.result)


@router.get(f"{ROOT}/sentences")
def get_sentences(transcript_id: str, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    return sentences_json(completed_transcript(runtime, transcript_id, project_id))


@router.get(f"{ROOT}/paragraphs")
def get_paragraphs(transcript_id: str, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    return paragraphs_json(completed_transcript(runtime, transcript_id, project_id))


CharsPerCaption = Annotated[int | None, Query(ge=1, description="The most characters in one caption")]


@router.get(f"{ROOT}/srt", response_class=PlainTextResponse)
def get_srt(
    transcript_id: str, runtime: RuntimeDep, project_id: ProjectId, chars_per_caption: CharsPerCaption = None
) -> PlainTextResponse:
    transcript = completed_transcript(runtime, transcript_id, project_id)
    return PlainTextResponse(to_srt(transcript.timed_words(), chars_per_caption))


@router.get(f"{ROOT}/vtt", response_class=PlainTextResponse)
def get_vtt(
    transcript_id: str, runtime: RuntimeDep, project_id: ProjectId, chars_per_caption: CharsPerCaption = None
) -> PlainTextResponse:
    transcript = completed_transcript(runtime, transcript_id, project_id)
    return PlainTextResponse(to_vtt(transcript.timed_words(), chars_per_caption))


@router.get(f"{ROOT}/word-search")
def word_search(
    transcript_id: str,
    runtime: RuntimeDep,
    project_id: ProjectId,
    words: Annotated[list[str], Query(description="Comma-separated words or phrases (up to 5 words)")],
) -> dict[str, Any]:
    transcript = completed_transcript(runtime, transcript_id, project_id)
    try:
        terms = parse_terms(words)
    except SearchQueryError as exc:
        raise ApiError(400, str(exc)) from exc
    return word_search_json(transcript.id, search(transcript.timed_words(), terms))
