"""``POST /v1/understanding`` and ``/v1/understanding/validate``: the speech-understanding tasks that
need a language model (speaker identification, translation, the sectioned summary) on an existing
transcript of the caller's own, as the transcript options run them (stenograph/llmtasks). The
stored transcript is not changed: the answer carries the results (``speech_understanding``,
``utterances`` and ``words`` with the speakers renamed or translated, ``translated_texts``)."""

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
from stenograph.assemblyai.requests import InvalidRequest, check_understanding_request
from stenograph.llm import EngineBusy, LLMError
from stenograph.llmtasks import LLMTaskError, TaskRequest, run_tasks
from stenograph.llmtasks.generate import Generator

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
    if "custom_formatting" in request:
        raise GatewayError(
            400,
            "speech_understanding.request.custom_formatting: not run on an existing transcript here; "
            "ask for it with the transcript (POST /v2/transcript)",
        )
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


@router.post("/understanding")
async def understanding(request: Request, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    params = await read_json_body(request, partial(validated, UnderstandingParams))
    asked = _checked(params)
    if params.transcript_id is None:
        raise GatewayError(400, "transcript_id is required")
    result = await _transcript(runtime, project_id, params.transcript_id, asked)
    try:
        engine = await engine_of(runtime)
    except CallProblem as exc:
        raise GatewayError(exc.status_code, exc.message, headers=exc.headers) from exc
    generator = Generator(engine, repeat_penalty=runtime.settings.llm_repeat_penalty, for_request=True)
    tasks = TaskRequest(understanding=asked)
    try:
        done = await run_in_threadpool(partial(run_tasks, result, tasks, engine, generator=generator))
    except (EngineBusy, LLMError) as exc:
        raised = problem(exc)
        raise GatewayError(raised.status_code, raised.message, headers=raised.headers) from exc
    except LLMTaskError as exc:
        raise GatewayError(502, str(exc)) from exc
    body: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "speech_understanding": {
            "request": asked,
            "response": {
                k: v for k, v in (done.get("speech_understanding_response") or {}).items() if k in asked
            },
        },
    }
    if "speaker_identification" in asked or "translation" in asked:
        body["utterances"] = done.get("utterances")
    if "speaker_identification" in asked:
        body["words"] = done.get("words")
    if "translation" in asked:
        body["translated_texts"] = done.get("translated_texts")
    return body
