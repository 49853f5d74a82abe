"""Transcripts as language-model context, for the LLM Gateway's ``transcript_id`` and LeMUR's
``transcript_ids``: the caller's own completed transcripts only."""

from __future__ import annotations

from typing import Any

from stenograph.store import transcripts as transcript_store
from stenograph.store.db import Database


class ContextProblem(Exception):
    def __init__(self, status_code: int, message: str, param: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.param = param


def transcript_text(result: dict[str, Any]) -> str:
    """Speaker turns ("Speaker A: ...") when the transcript has them, else its text."""
    utterances = result.get("utterances")
    if utterances:
        return "\n".join(f"Speaker {u.get('speaker')}: {u.get('text', '')}" for u in utterances)
    return str(result.get("text") or "")


def transcripts_text(db: Database, project_id: str, transcript_ids: list[str], param: str) -> list[str]:
    """Each transcript's text, in order; ContextProblem (404: unknown or another project's, 400: not
    completed) naming the first one that cannot be used. Runs on a worker thread (database reads)."""
    texts = []
    with db.session() as session:
        for transcript_id in transcript_ids:
            row = transcript_store.get(session, transcript_id, project_id)
            if row is None:
                raise ContextProblem(404, f"transcript {transcript_id!r} not found", param)
            if row.status != "completed" or not row.result:
                raise ContextProblem(
                    400,
                    f"transcript {transcript_id!r} is {row.status}, not completed: "
                    "only a completed transcript can be used as context",
                    param,
                )
            texts.append(transcript_text(row.result))
    return texts


def transcript_result(db: Database, project_id: str, transcript_id: str, param: str) -> dict[str, Any]:
    """A completed transcript's stored result (words, utterances, ...); ContextProblem as above."""
    with db.session() as session:
        row = transcript_store.get(session, transcript_id, project_id)
        if row is None:
            raise ContextProblem(404, f"transcript {transcript_id!r} not found", param)
        if row.status != "completed" or not isinstance(row.result, dict):
            raise ContextProblem(
                400,
                f"transcript {transcript_id!r} is {row.status}, not completed: only a completed "
                "transcript can be used",
                param,
            )
        return dict(row.result)
