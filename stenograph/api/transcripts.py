"""/v2/transcript: create, get, list and delete transcript jobs."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import current_project
from stenograph.api.errors import ApiError
from stenograph.api.schemas import TranscriptRequest, unsupported_options
from stenograph.api.serialize import list_item_json, transcript_json
from stenograph.api.urls import base_url, upload_id_from_url
from stenograph.pipeline.languages import is_supported_language
from stenograph.pipeline.models import MULTILINGUAL_MODEL, is_english_only, resolve_speech_model
from stenograph.pipeline.types import UnknownSpeechModelError
from stenograph.store import transcripts, uploads

log = logging.getLogger(__name__)
router = APIRouter()

NOT_FOUND = "Transcript not found"


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except ValueError as exc:
        raise ApiError(400, "Request body must be valid JSON") from exc


def _validated(body: Any) -> TranscriptRequest:
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object with at least 'audio_url'")
    try:
        return TranscriptRequest.model_validate(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


def _choose_model(request: TranscriptRequest, default_model: str) -> str:
    try:
        model = resolve_speech_model(request.speech_models, request.speech_model, default_model)
    except UnknownSpeechModelError as exc:
        raise ApiError(400, str(exc)) from exc
    if request.language_detection and is_english_only(model):
        return MULTILINGUAL_MODEL
    return model


def _check_languages(request: TranscriptRequest) -> None:
    if request.language_code and not is_supported_language(request.language_code):
        raise ApiError(400, f"language_code: '{request.language_code}' is not a supported language")
    detection = request.language_detection_options
    if detection is None:
        return
    for code in detection.expected_languages or ():
        if not is_supported_language(code):
            raise ApiError(400, f"language_detection_options.expected_languages: '{code}' is not supported")
    fallback = detection.fallback_language
    if fallback and fallback.lower() != "auto" and not is_supported_language(fallback):
        raise ApiError(400, f"language_detection_options.fallback_language: '{fallback}' is not supported")


def _check_ranges(request: TranscriptRequest) -> None:
    start, end = request.audio_start_from, request.audio_end_at
    if start is not None and end is not None and end <= start:
        raise ApiError(400, "audio_end_at: must be greater than audio_start_from")
    for rule in request.custom_spelling or ():
        if not rule.to.strip() or not any(source.strip() for source in rule.from_):
            raise ApiError(400, "custom_spelling: every rule needs a non-empty 'from' list and 'to'")


def _check_speakers(request: TranscriptRequest) -> None:
    options = request.speaker_options
    if options is None:
        return
    low, high = options.min_speakers_expected, options.max_speakers_expected
    if low is not None and low < 1:
        raise ApiError(400, "speaker_options.min_speakers_expected: must be at least 1")
    if high is not None and high < 1:
        raise ApiError(400, "speaker_options.max_speakers_expected: must be at least 1")
    if low is not None and high is not None and low > high:
        raise ApiError(
            400,
            "speaker_options.min_speakers_expected: must not be greater than "
            "speaker_options.max_speakers_expected",
        )


_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an RFC 9110 token
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")
_RESERVED_HEADERS = frozenset({"host", "content-length", "content-type", "transfer-encoding", "connection"})


def _check_webhook(request: TranscriptRequest) -> None:
    """The address policy is applied when the webhook is sent; here only the shape is checked."""
    if request.webhook_url is not None:
        try:
            parts = urlsplit(request.webhook_url)
            _ = parts.port
        except ValueError as exc:
            raise ApiError(400, "webhook_url: must be an http(s) URL") from exc
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ApiError(400, "webhook_url: must be an http(s) URL")
    name, value = request.webhook_auth_header_name, request.webhook_auth_header_value
    if value is not None and not name:
        raise ApiError(400, "webhook_auth_header_name: required with webhook_auth_header_value")
    if name and (not _HEADER_NAME.fullmatch(name) or name.lower() in _RESERVED_HEADERS):
        raise ApiError(400, f"webhook_auth_header_name: '{name}' is not a usable HTTP header name")
    if value is not None and not _HEADER_VALUE.fullmatch(value):
        raise ApiError(400, "webhook_auth_header_value: only printable ASCII characters are allowed")


@router.post("/v2/transcript")
async def create_transcript(request: Request, project_id: str = Depends(current_project)) -> dict[str, Any]:
    runtime = request.app.state.runtime
    params = _validated(await _json_body(request))
    unsupported = unsupported_options(params)
    if unsupported:
        raise ApiError(400, f"{', '.join(unsupported)}: not supported by this server yet")
    model = _choose_model(params, runtime.settings.default_model)
    _check_languages(params)
    _check_ranges(params)
    _check_speakers(params)
    _check_webhook(params)
    upload_id = upload_id_from_url(params.audio_url)
    if upload_id is None and urlsplit(params.audio_url).scheme not in ("http", "https"):
        raise ApiError(400, "audio_url: must be an http(s) URL or an upload_url from /v2/upload")
    options = params.model_dump(exclude_none=True, by_alias=True, exclude={"audio_url"})

    def insert() -> Any:
        with runtime.db.session() as session:
            if upload_id is not None and not uploads.owned_by(session, upload_id, project_id):
                raise ApiError(400, "audio_url: no such upload; upload the file again with /v2/upload")
            return transcripts.create(
                session,
                project_id=project_id,
                audio_url=params.audio_url,
                upload_id=upload_id,
                request=options,
                model=model,
            )

    row = await run_in_threadpool(insert)
    try:
        runtime.queue.enqueue(row.id)
    except Exception:  # the row is the truth: the reaper queues it again after the grace period
        log.exception("enqueue of %s failed", row.id)
    return transcript_json(row)


def _get_or_404(runtime: Any, transcript_id: str, project_id: str) -> Any:
    with runtime.db.session() as session:
        row = transcripts.get(session, transcript_id, project_id)
    if row is None:
        raise ApiError(404, NOT_FOUND)
    return row


@router.get("/v2/transcript/{transcript_id}")
def get_transcript(
    transcript_id: str, request: Request, project_id: str = Depends(current_project)
) -> dict[str, Any]:
    return transcript_json(_get_or_404(request.app.state.runtime, transcript_id, project_id))


@router.delete("/v2/transcript/{transcript_id}")
def delete_transcript(
    transcript_id: str, request: Request, project_id: str = Depends(current_project)
) -> dict[str, Any]:
    runtime = request.app.state.runtime
    with runtime.db.session() as session:
        row = transcripts.get(session, transcript_id, project_id)
        if row is None:
            raise ApiError(404, NOT_FOUND)
        upload_id = transcripts.mark_deleted(session, row)
        if upload_id is not None:
            uploads.remove(session, upload_id)
    if upload_id is not None:
        runtime.storage.delete(upload_id)
    return transcript_json(row)


@router.get("/v2/transcript")
def list_transcripts(
    request: Request,
    project_id: str = Depends(current_project),
    limit: Annotated[int, Query(ge=1, le=200)] = 10,
    status: Annotated[str | None, Query(pattern="^(queued|processing|completed|error)$")] = None,
    created_on: dt.date | None = None,
    before_id: str | None = None,
    after_id: str | None = None,
    throttled_only: bool | None = None,
) -> dict[str, Any]:
    runtime = request.app.state.runtime
    with runtime.db.session() as session:
        if throttled_only:  # nothing is ever throttled here
            page = transcripts.Page([], has_older=False, has_newer=False)
        else:
            try:
                page = transcripts.list_page(
                    session,
                    project_id=project_id,
                    limit=limit,
                    status=status,
                    created_on=created_on,
                    before_id=before_id,
                    after_id=after_id,
                )
            except transcripts.UnknownCursorError as exc:
                raise ApiError(400, str(exc)) from exc
    base = base_url(request)
    filters = {k: v for k, v in (("status", status), ("created_on", created_on)) if v is not None}

    def page_url(**cursor: str) -> str:
        return f"{base}/v2/transcript?{urlencode({'limit': limit, **filters, **cursor})}"

    current_query = request.url.query
    return {
        "page_details": {
            "limit": limit,
            "result_count": len(page.items),
            "current_url": f"{base}/v2/transcript" + (f"?{current_query}" if current_query else ""),
            "prev_url": page_url(before_id=page.items[-1].id) if page.has_older else None,
            "next_url": page_url(after_id=page.items[0].id) if page.has_newer else None,
        },
        "transcripts": [list_item_json(row, base) for row in page.items],
    }
