"""The router and its one endpoint, ``POST /v1/audio/transcriptions``."""

from __future__ import annotations

import asyncio
import uuid
from functools import partial
from pathlib import Path

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.multipart import FormError, read_form
from stenograph.api.openai.errors import OpenAIError, OpenAIRoute
from stenograph.api.openai.params import parse_params
from stenograph.api.openai.responses import render
from stenograph.pipeline import PipelineError, TranscribeOptions, TranscriptResult, transcribe
from stenograph.runtime import Runtime

router = APIRouter(prefix="/v1", route_class=OpenAIRoute)


async def _transcribe(runtime: Runtime, audio: Path, options: TranscribeOptions) -> TranscriptResult:
    """The pipeline on the uploaded file, on the runtime's bounded pool for synchronous
    transcriptions (a burst of them waits there, not in the thread pool the API's other requests
    share); unusable audio is a 400 on ``file``."""
    run = partial(transcribe, audio, options, models=runtime.model_settings, limits=runtime.audio_limits)
    try:
        return await asyncio.get_running_loop().run_in_executor(runtime.sync_transcriptions, run)
    except PipelineError as exc:
        raise OpenAIError(400, str(exc), param="file") from exc


@router.post("/audio/transcriptions")
async def create_transcription(request: Request, runtime: RuntimeDep, _project_id: ProjectId) -> Response:
    scratch = runtime.storage.scratch_path(f"openai-{uuid.uuid4().hex}")
    try:
        try:
            form = await read_form(request, scratch, runtime.settings.max_upload_bytes)
        except FormError as exc:
            raise OpenAIError(exc.status_code, exc.message, param=exc.param, code=exc.code) from exc
        if form.file_parts == 0:
            raise OpenAIError(400, "you must provide a 'file' part with the audio", param="file")
        params = parse_params(form, runtime.settings.default_model)
        result = await _transcribe(runtime, scratch, params.options())
    finally:
        await run_in_threadpool(scratch.unlink, missing_ok=True)
    return render(result, params)
