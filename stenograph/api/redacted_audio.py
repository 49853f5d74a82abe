"""Redacted audio: ``GET /v2/transcript/{id}/redacted-audio`` (the API key's own transcripts) answers
where the file is, and ``GET /v2/redacted-audio/{name}`` serves it to whoever holds the signed URL
(no API key: the SDKs fetch it with a plain GET). The wire format is in
:mod:`stenograph.assemblyai.redacted_audio`."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.errors import ApiError
from stenograph.api.rendered import RenderedJSON
from stenograph.api.transcripts import NOT_FOUND
from stenograph.api.urls import base_url
from stenograph.assemblyai.redacted_audio import (
    FILE_PATH,
    processing_json,
    ready_json,
    redacted_audio_request,
    signature_valid,
    signed_url,
)
from stenograph.assemblyai.requests import load_options
from stenograph.runtime import Runtime
from stenograph.store import transcripts

router = APIRouter()

MEDIA_TYPES = {"mp3": "audio/mpeg", "wav": "audio/wav"}
NOT_ASKED = (
    "Redacted audio was not requested for this transcript: create it with redact_pii and "
    "redact_pii_audio set to true"
)
NO_SPEECH = (
    "No redacted audio was made: no speech was detected in the audio. Set "
    "redact_pii_audio_options.return_redacted_no_speech_audio to true to get a redacted copy of "
    "audio without speech"
)
FAILED = "The redacted audio could not be made for this transcript; submit it again"
DELETED = "The transcript was deleted, and its redacted audio with it"
URL_EXPIRED = (
    "This redacted audio URL has expired; GET /v2/transcript/{transcript_id}/redacted-audio for a new one"
)
URL_INVALID = "This redacted audio URL is not valid"


def _state(
    runtime: Runtime, transcript_id: str, project_id: str | None
) -> transcripts.RedactedAudioState | None:
    with runtime.db.session() as session:
        return transcripts.redacted_audio_state(session, transcript_id, project_id)


@router.get("/v2/transcript/{transcript_id}/redacted-audio")
async def get_redacted_audio(
    transcript_id: str, request: Request, runtime: RuntimeDep, project_id: ProjectId
) -> Any:
    """200 with the URL once made; 202 while the job runs; 400 when there is none to come."""
    state = await run_in_threadpool(_state, runtime, transcript_id, project_id)
    if state is None:
        raise ApiError(404, NOT_FOUND)
    if state.deleted:
        raise ApiError(400, DELETED)
    if redacted_audio_request(load_options(state.request)) is None:
        raise ApiError(400, NOT_ASKED)
    if state.status in (transcripts.QUEUED, transcripts.PROCESSING):
        return RenderedJSON(processing_json(), status_code=202)
    if state.status == transcripts.ERROR:
        raise ApiError(400, f"No redacted audio was made: the transcript ended in error ({state.error})")
    if state.redacted_audio_status == transcripts.REDACTED_AUDIO_NO_SPEECH:
        raise ApiError(400, NO_SPEECH)
    if state.redacted_audio_status != transcripts.REDACTED_AUDIO_READY or not state.redacted_audio_file:
        raise ApiError(400, FAILED)
    expires = int(time.time()) + runtime.settings.redacted_audio_url_seconds
    url = signed_url(base_url(request, runtime), state.redacted_audio_file, runtime.url_signing_key, expires)
    return ready_json(url)


@router.api_route(f"{FILE_PATH}/{{name}}", methods=["GET", "HEAD"], include_in_schema=False)
async def redacted_audio_file(
    name: str, runtime: RuntimeDep, expires: str = "", signature: str = ""
) -> FileResponse:
    """The file, to whoever holds an unexpired URL signed by this server (a capability URL)."""
    if not signature_valid(name, expires, signature, runtime.url_signing_key):
        raise ApiError(403, URL_INVALID)
    if int(expires) < time.time():
        raise ApiError(403, URL_EXPIRED)
    transcript_id = name.split(".", 1)[0]
    state = await run_in_threadpool(_state, runtime, transcript_id, None)
    if (
        state is None
        or state.redacted_audio_status != transcripts.REDACTED_AUDIO_READY
        or state.redacted_audio_file != name
    ):
        raise ApiError(404, "Redacted audio not found: it may have been deleted")
    try:
        path = runtime.storage.redacted_path(name)
    except ValueError as exc:
        raise ApiError(404, "Redacted audio not found") from exc
    if not path.is_file():
        raise ApiError(404, "Redacted audio not found: it may have been deleted")
    return FileResponse(path, media_type=MEDIA_TYPES[name.rsplit(".", 1)[1]])
