"""/v2/transcript: create, get, list and delete transcript jobs (HTTP only: the wire format is in
:mod:`stenograph.assemblyai`)."""

from __future__ import annotations

import logging
from functools import partial
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.errors import ApiError
from stenograph.api.jsonio import read_json_body, validated
from stenograph.api.reads import point_read
from stenograph.api.rendered import RenderedBodies, render_json
from stenograph.api.urls import base_url, upload_id_from_url
from stenograph.assemblyai.requests import (
    InvalidRequest,
    ListTranscriptParams,
    TranscriptParams,
    check_transcript_params,
    stored_options,
)
from stenograph.assemblyai.transcripts import transcript_json, transcript_list_json
from stenograph.runtime import Runtime
from stenograph.store import transcripts, uploads
from stenograph.store.models import Transcript

log = logging.getLogger(__name__)
router = APIRouter()

NOT_FOUND = "Transcript not found"


def _parsed(body: Any, default_model: str) -> tuple[TranscriptParams, str]:
    """The validated request and the model that will run, else 400."""
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object with at least 'audio_url'")
    params = validated(TranscriptParams, body)
    try:
        model = check_transcript_params(params, default_model)
    except InvalidRequest as exc:
        raise ApiError(400, str(exc)) from exc
    if upload_id_from_url(params.audio_url) is None and urlsplit(params.audio_url).scheme not in (
        "http",
        "https",
    ):
        raise ApiError(400, "audio_url: must be an http(s) URL or an upload_url from /v2/upload")
    return params, model


@router.post("/v2/transcript")
async def create_transcript(request: Request, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    parse = partial(_parsed, default_model=runtime.settings.default_model)
    params, model = await read_json_body(request, parse)
    upload_id = upload_id_from_url(params.audio_url)
    origin = base_url(request, runtime)

    def insert() -> Transcript:
        with runtime.db.session() as session:
            if upload_id is not None:
                owner = uploads.owner(session, upload_id)
                if owner is None:
                    raise ApiError(400, "audio_url: no such upload; upload the file again with /v2/upload")
                if owner != project_id:  # AssemblyAI answers 403 for another account's upload
                    raise ApiError(
                        403,
                        "audio_url: this upload belongs to another project; upload it with this API key",
                    )
            return transcripts.create(
                session,
                project_id=project_id,
                audio_url=params.audio_url,
                upload_id=upload_id,
                request=stored_options(params),
                model=model,
                origin_url=origin,
            )

    row = await run_in_threadpool(insert)
    log.info(
        "transcript %s: queued (model %s)",
        row.id,
        row.model,
        extra={"transcript_id": row.id, "status": "queued", "model": row.model},
    )
    try:
        runtime.queue.enqueue(row.id)
    except Exception:  # the row is the truth: the reaper queues it again after the grace period
        log.exception("enqueue of %s failed", row.id)
    return transcript_json(row)


def _get_or_404(runtime: Runtime, transcript_id: str, project_id: str) -> Transcript:
    with runtime.db.session() as session:
        row = transcripts.get(session, transcript_id, project_id)
    if row is None:
        raise ApiError(404, NOT_FOUND)
    return row


def _version(runtime: Runtime, transcript_id: str, project_id: str) -> transcripts.Version | None:
    with runtime.db.reader() as connection:
        return transcripts.version(connection, transcript_id, project_id)


def _rendered(runtime: Runtime, transcript_id: str, project_id: str, cache: RenderedBodies) -> bytes:
    row = _get_or_404(runtime, transcript_id, project_id)
    body = render_json(transcript_json(row))
    if row.status in transcripts.FINISHED:  # keyed by the row read, should it have changed since
        cache.put((row.id, row.updated_at, row.webhook_status_code), body)
    return body


@router.get("/v2/transcript/{transcript_id}")
async def get_transcript(
    transcript_id: str, request: Request, runtime: RuntimeDep, project_id: ProjectId
) -> Response:
    """A finished transcript's body is rendered once per version (see :mod:`stenograph.api.rendered`):
    a poll then costs one small query."""
    rendered: RenderedBodies = request.app.state.rendered_transcripts
    current = await point_read(runtime.db, _version, runtime, transcript_id, project_id)
    if current is None:
        raise ApiError(404, NOT_FOUND)
    key = (transcript_id, current.updated_at, current.webhook_status_code)
    body = rendered.get(key) if current.status in transcripts.FINISHED else None
    if body is None:
        body = await run_in_threadpool(_rendered, runtime, transcript_id, project_id, rendered)
    return Response(body, media_type="application/json")


@router.delete("/v2/transcript/{transcript_id}")
def delete_transcript(transcript_id: str, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    with runtime.db.session() as session:
        row = transcripts.get(session, transcript_id, project_id)
        if row is None:
            raise ApiError(404, NOT_FOUND)
        upload_id = transcripts.mark_deleted(session, row)
        if upload_id is not None:
            uploads.remove(session, upload_id)
    if upload_id is not None:
        runtime.storage.delete(upload_id)
    # Every redacted copy of its audio, even one a job still running writes (that job's result is
    # then refused, and it removes its own file).
    runtime.storage.delete_redacted(row.id)
    log.info("transcript %s: deleted", row.id, extra={"transcript_id": row.id, "status": "deleted"})
    return transcript_json(row)


@router.get("/v2/transcript")
def list_transcripts(
    request: Request,
    runtime: RuntimeDep,
    project_id: ProjectId,
    query: Annotated[ListTranscriptParams, Query()],
) -> dict[str, Any]:
    limit, status, created_on = query.limit, query.status, query.created_on
    with runtime.db.session() as session:
        if query.throttled_only:  # nothing is ever throttled here
            page = transcripts.Page([], has_older=False, has_newer=False)
        else:
            try:
                page = transcripts.list_page(
                    session,
                    project_id=project_id,
                    limit=limit,
                    status=status,
                    created_on=created_on,
                    before_id=query.before_id,
                    after_id=query.after_id,
                )
            except transcripts.UnknownCursorError as exc:
                raise ApiError(400, str(exc)) from exc
    base = base_url(request, runtime)
    filters = {k: v for k, v in (("status", status), ("created_on", created_on)) if v is not None}

    def page_url(**cursor: str) -> str:
        return f"{base}/v2/transcript?{urlencode({'limit': limit, **filters, **cursor})}"

    current_query = request.url.query
    return transcript_list_json(
        list(page.items),
        base_url=base,
        limit=limit,
        current_url=f"{base}/v2/transcript" + (f"?{current_query}" if current_query else ""),
        prev_url=page_url(before_id=page.items[-1].id) if page.has_older else None,
        next_url=page_url(after_id=page.items[0].id) if page.has_newer else None,
    )
