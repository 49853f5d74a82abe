"""The Sync API's endpoints: ``POST /v1/transcribe/live`` (and its older paths) and ``GET /v1/warm``."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
import wave
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.multipart import FormError, read_form
from stenograph.api.sync.config import (
    MAX_AUDIO_SECONDS,
    SyncConfig,
    packaged_model,
    parse_config,
    transcribe_options,
)
from stenograph.api.sync.problems import Problem, ProblemRoute
from stenograph.pipeline import PipelineError, TranscribeOptions, TranscriptResult, transcribe
from stenograph.pipeline.models import get_whisper_model
from stenograph.pipeline.types import AudioTooLongError
from stenograph.runtime import Runtime

router = APIRouter(prefix="/v1", route_class=ProblemRoute)

PCM_TYPES = ("audio/pcm", "audio/raw", "audio/l16")
ModelHeader = Annotated[str | None, Header(alias="X-AAI-Model")]
RETRY_AFTER_SECONDS = 1  # AssemblyAI answers capacity_exceeded with Retry-After: 1


@router.post("/transcribe/live")
@router.post("/transcribe/stream")
@router.post("/transcribe")
async def transcribe_live(
    request: Request, runtime: RuntimeDep, _project_id: ProjectId, model_header: ModelHeader = None
) -> JSONResponse:
    started = time.perf_counter()
    model = packaged_model(model_header, runtime.settings.default_model)
    with _admission(request, runtime.settings.sync_max_in_flight):
        return await _transcribe_request(request, runtime, model, started)


async def _transcribe_request(request: Request, runtime: Runtime, model: str, started: float) -> JSONResponse:
    settings = runtime.settings
    scratch = runtime.storage.scratch_path(f"sync-{uuid.uuid4().hex}")
    wav = scratch.with_suffix(".wav")
    try:
        try:
            form = await read_form(
                request,
                scratch,
                settings.max_upload_bytes,
                file_part="audio",
                idle_timeout=settings.sync_upload_idle_seconds,
            )
        except FormError as exc:
            headers = {"Connection": "close"} if exc.status_code == 408 else None
            raise Problem(exc.status_code, exc.message, headers=headers) from exc
        if form.file_parts == 0:
            raise Problem(400, "Send an 'audio' part (WAV, or raw s16le PCM) after the 'config' part")
        config = parse_config(form.get("config"))
        options = transcribe_options(config, model)
        audio = scratch
        if form.file_content_type.split(";", 1)[0].strip().lower() in PCM_TYPES:
            audio = await run_in_threadpool(_pcm_as_wav, scratch, wav, config)
        result = await _transcribe(runtime, audio, options)
    finally:
        await run_in_threadpool(_remove, scratch, wav)
    return JSONResponse(_response(result, config, started))


class _InFlight:
    """How many Sync requests this app is serving (counted on the event loop)."""

    def __init__(self) -> None:
        self.count = 0


@contextlib.contextmanager
def _admission(request: Request, limit: int) -> Iterator[None]:
    """Count a request in flight for its whole life (upload, wait for the pool, transcription);
    past ``limit`` it is refused at once: 503 with Retry-After, before its upload is read."""
    state = request.app.state
    in_flight = getattr(state, "sync_in_flight", None)
    if in_flight is None:
        in_flight = state.sync_in_flight = _InFlight()
    if in_flight.count >= limit:
        raise Problem(
            503,
            f"The server is serving its maximum of {limit} Sync API requests; retry after "
            f"{RETRY_AFTER_SECONDS} s",
            title="Capacity Exceeded",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    in_flight.count += 1
    try:
        yield
    finally:
        in_flight.count -= 1


@router.get("/warm")
async def warm(
    runtime: RuntimeDep, _project_id: ProjectId, model_header: ModelHeader = None
) -> dict[str, str]:
    """Load the model a transcription with this header would run (any answer means warm to the SDK).
    Loading is a thread of its own, not a place on the transcription pool: a warm-up never waits
    behind transcriptions (a loaded model answers at once)."""
    model = packaged_model(model_header, runtime.settings.default_model)
    await asyncio.to_thread(get_whisper_model, model, runtime.model_settings)
    return {"status": "warm", "model": model}


async def _transcribe(runtime: Runtime, audio: Path, options: TranscribeOptions) -> TranscriptResult:
    """The pipeline on the runtime's pool for synchronous transcriptions; at most 120 s of audio."""
    limits = replace(
        runtime.audio_limits, max_seconds=min(MAX_AUDIO_SECONDS, runtime.audio_limits.max_seconds)
    )
    run = partial(transcribe, audio, options, models=runtime.model_settings, limits=limits)
    try:
        return await asyncio.get_running_loop().run_in_executor(runtime.sync_transcriptions, run)
    except AudioTooLongError as exc:
        detail = (
            f"The Sync API takes at most {MAX_AUDIO_SECONDS:.0f} s of audio; send longer audio to "
            "POST /v2/transcript"
        )
        raise Problem(400, detail, title="Audio Too Long") from exc
    except PipelineError as exc:
        raise Problem(400, str(exc), title="Invalid Audio") from exc


def _pcm_as_wav(pcm: Path, wav: Path, config: SyncConfig) -> Path:
    """Raw s16le PCM, framed as WAV with the config's rate and channels, for the decoder."""
    if config.sample_rate is None or config.channels is None:
        raise Problem(400, "config: sample_rate and channels are required for raw PCM audio")
    frame = 2 * config.channels
    size = pcm.stat().st_size
    if size % frame:
        raise Problem(
            400, f"audio: raw PCM of {size} bytes is not whole s16le frames of {config.channels} channel(s)"
        )
    if size / frame / config.sample_rate > MAX_AUDIO_SECONDS:
        raise Problem(
            400, f"The Sync API takes at most {MAX_AUDIO_SECONDS:.0f} s of audio", title="Audio Too Long"
        )
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(config.channels)
        out.setsampwidth(2)
        out.setframerate(config.sample_rate)
        out.writeframes(pcm.read_bytes())
    return wav


def _remove(*paths: Path) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def _response(result: TranscriptResult, config: SyncConfig, started: float) -> dict[str, Any]:
    def word(w: Any) -> dict[str, Any]:
        out = {"text": w.text, "confidence": w.confidence}
        if config.timestamps:
            out.update(start=w.start, end=w.end)
        return out

    return {
        "text": result.text,
        "words": [word(w) for w in result.words],
        "confidence": result.confidence if result.confidence is not None else 0.0,
        "audio_duration_ms": round(result.audio_duration * 1000),
        "session_id": str(uuid.uuid4()),
        "request_time_ms": round((time.perf_counter() - started) * 1000, 1),
    }
