"""``POST /v1/understanding`` and ``/v1/understanding/validate``: the speech-understanding tasks
(speaker identification, translation, the sectioned summary: a language model; custom formatting:
deterministic) on an existing transcript of the caller's own, as the transcript options run them
(stenograph/llmtasks, assemblyai/formatting.py). The stored transcript is not changed: the answer
carries the results (``speech_understanding``, ``utterances`` and ``words`` with the speakers
renamed or translated, ``translated_texts``)."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.jsonio import read_json_body, validated
from stenograph.api.llm_calls import CallProblem, engine_of, problem
from stenograph.api.llm_context import ContextProblem, transcript_result
from stenograph.api.llm_gateway.errors import GatewayError, GatewayRoute
from stenograph.assemblyai.formatting import format_stored
from stenograph.assemblyai.requests import InvalidRequest, check_understanding_request, formatting_patterns
from stenograph.llm import EngineBusy, LLMError
from stenograph.llmtasks import LLMTaskError, TaskRequest, run_tasks
from stenograph.llmtasks.generate import Generator
from stenograph.runtime import Runtime

router = APIRouter(route_class=GatewayRoute)  # included in the gateway's /v1 router


class UnderstandingParams(BaseModel):
    model_config = ConfigDict(extra="allow")
    transcript_id: str | None = Field(default=None, max_length=200)
    speech_understanding: dict[str, Any]


def _checked(params: UnderstandingParams) -> dict[str, Any]:
    request = params.speech_understanding.get("request")
    try:
        check_understanding_request(request)
    except InvalidRequest as exc:
        raise GatewayError(400, str(exc)) from exc
    assert isinstance(request, dict)
    return request


async def _transcript(
    runtime: RuntimeDep, project_id: str, transcript_id: str, request: dict[str, Any]
) -> dict:
    try:
        result = await run_in_threadpool(
            transcript_result, runtime.db, project_id, transcript_id, "transcript_id"
        )
    except ContextProblem as exc:
        raise GatewayError(exc.status_code, exc.message) from exc
    if "speaker_identification" in request and not result.get("utterances"):
        raise GatewayError(
            400,
            f"speech_understanding.request.speaker_identification: transcript {transcript_id!r} has no "
            "speakers; transcribe it with speaker_labels",
        )
    return result


@router.post("/understanding/validate")
async def validate(request: Request, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    params = await read_json_body(request, partial(validated, UnderstandingParams))
    asked = _checked(params)
    if params.transcript_id is not None:
        await _transcript(runtime, project_id, params.transcript_id, asked)
    return {"valid": True, "request_id": str(uuid.uuid4())}


async def _run_model_tasks(runtime: Runtime, result: dict, asked: dict[str, Any]) -> dict[str, Any]:
    """The transcript's result with the language-model tasks' outputs."""
    try:
        engine = await engine_of(runtime)
    except CallProblem as exc:
        raise GatewayError(exc.status_code, exc.message, headers=exc.headers) from exc
    generator = Generator(engine, repeat_penalty=runtime.settings.llm_repeat_penalty, for_request=True)
    tasks = TaskRequest(understanding=asked)
    try:
        return await run_in_threadpool(partial(run_tasks, result, tasks, engine, generator=generator))
    except (EngineBusy, LLMError) as exc:
        raised = problem(exc)
        raise GatewayError(raised.status_code, raised.message, headers=raised.headers) from exc
    except LLMTaskError as exc:
        raise GatewayError(502, str(exc)) from exc


@router.post("/understanding")
async def understanding(request: Request, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    params = await read_json_body(request, partial(validated, UnderstandingParams))
    asked = _checked(params)
    if params.transcript_id is None:
        raise GatewayError(400, "transcript_id is required")
    result = await _transcript(runtime, project_id, params.transcript_id, asked)
    model_tasks = {k: v for k, v in asked.items() if k != "custom_formatting"}
    done = await _run_model_tasks(runtime, result, model_tasks) if model_tasks else result
    responses = {
        k: v for k, v in (done.get("speech_understanding_response") or {}).items() if k in model_tasks
    }
    if "custom_formatting" in asked:  # after speaker identification: its utterances carry the names
        responses["custom_formatting"] = await run_in_threadpool(
            format_stored, done, formatting_patterns(asked)
        )
    body: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "speech_understanding": {"request": asked, "response": responses},
    }
    if "speaker_identification" in asked or "translation" in asked:
        body["utterances"] = done.get("utterances")
    if "speaker_identification" in asked:
        body["words"] = done.get("words")
    if "translation" in asked:
        body["translated_texts"] = done.get("translated_texts")
    return body
