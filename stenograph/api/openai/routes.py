"""The router and its one endpoint, ``POST /v1/audio/transcriptions``."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.multipart import FormError, read_form
from stenograph.api.openai.errors import OpenAIError, OpenAIRoute
from stenograph.api.openai.params import (
    KNOWN_REFERENCE_FIELDS,
    MAX_REFERENCE_S,
    MIN_REFERENCE_S,
    parse_params,
)
from stenograph.api.openai.responses import render
from stenograph.pipeline import PipelineError, TranscribeOptions, TranscriptResult, transcribe
from stenograph.pipeline.audio import SAMPLE_RATE, decode_audio
from stenograph.pipeline.diarization.voices import name_speakers, speaker_prints, voice_print
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


def _reference_voices(known: tuple[tuple[str, bytes], ...]) -> dict[str, np.ndarray]:
    """Each known speaker's voice print, read before the transcription so that a bad reference
    fails fast: one that is not audio, or not 2-10 s long (OpenAI's bounds, and the lengths the
    naming threshold was measured on), is a 400."""
    references = {}
    for name, clip in known:
        try:
            with tempfile.NamedTemporaryFile(prefix="stenograph-voice-") as handle:
                handle.write(clip)
                handle.flush()
                samples = decode_audio(handle.name, SAMPLE_RATE)
        except PipelineError as exc:
            message = f"known_speaker_references: the reference of {name!r} is not audio ({exc})"
            raise OpenAIError(400, message, param="known_speaker_references") from exc
        seconds = round(len(samples) / SAMPLE_RATE, 1)
        voice = voice_print(samples) if MIN_REFERENCE_S <= seconds <= MAX_REFERENCE_S else None
        if voice is None:
            message = (
                f"known_speaker_references: the reference of {name!r} lasts {seconds:g} s; "
                f"it must be between {MIN_REFERENCE_S:g} and {MAX_REFERENCE_S:g} seconds"
            )
            raise OpenAIError(400, message, param="known_speaker_references")
        references[name] = voice
    return references


def _with_known_names(
    result: TranscriptResult, audio: Path, references: dict[str, np.ndarray]
) -> TranscriptResult:
    """The diarized speakers renamed after the references their voices match; the others keep
    their letters."""
    samples = decode_audio(audio, SAMPLE_RATE)
    names = name_speakers(speaker_prints(samples, result.utterances or ()), references)
    utterances = [replace(u, speaker=names.get(u.speaker or "", u.speaker)) for u in result.utterances or ()]
    words = [replace(w, speaker=names.get(w.speaker or "", w.speaker)) for w in result.words]
    return replace(result, utterances=utterances, words=words)


@router.post("/audio/transcriptions")
async def create_transcription(request: Request, runtime: RuntimeDep, _project_id: ProjectId) -> Response:
    scratch = runtime.storage.scratch_path(f"openai-{uuid.uuid4().hex}")
    try:
        try:
            form = await read_form(
                request, scratch, runtime.settings.max_upload_bytes, large_fields=KNOWN_REFERENCE_FIELDS
            )
        except FormError as exc:
            raise OpenAIError(exc.status_code, exc.message, param=exc.param, code=exc.code) from exc
        if form.file_parts == 0:
            raise OpenAIError(400, "you must provide a 'file' part with the audio", param="file")
        params = parse_params(form, runtime.settings.default_model)
        # References are checked whatever the format (a bad one is a 400); naming needs speakers.
        references = await run_in_threadpool(_reference_voices, params.known_speakers)
        result = await _transcribe(runtime, scratch, params.options())
        if references and params.shows_speakers and result.utterances:
            result = await run_in_threadpool(_with_known_names, result, scratch, references)
    finally:
        await run_in_threadpool(scratch.unlink, missing_ok=True)
    return render(result, params)
