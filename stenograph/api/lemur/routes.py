"""LeMUR v3 (``/lemur/v3/...``) on the process's language model: synchronous generations over the
key's own completed transcripts (or ``input_text``), each answer stored (``store/lemur.py``) for
``GET /lemur/v3/{request_id}`` until ``DELETE`` purges it. Errors are ``{"error": ...}``."""

from __future__ import annotations

import json
import uuid
from functools import partial
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.errors import ApiError
from stenograph.api.jsonio import read_json_body, validated
from stenograph.api.lemur import prompts
from stenograph.api.lemur.params import (
    LemurActionItemsParams,
    LemurBaseParams,
    LemurQuestionAnswerParams,
    LemurSummaryParams,
    LemurTaskParams,
)
from stenograph.api.llm_calls import CallProblem, engine_of, generate, problem
from stenograph.api.llm_context import ContextProblem, transcripts_text
from stenograph.llm import ChatMessage, EngineBusy, Generation, GenerationRequest, LLMEngine, LLMError
from stenograph.llmtasks import fit_transcripts
from stenograph.llmtasks.text import estimate_tokens
from stenograph.runtime import Runtime
from stenograph.store import lemur as lemur_store

router = APIRouter(prefix="/lemur/v3")
P = TypeVar("P", bound=LemurBaseParams)


async def _params(request: Request, model: type[P]) -> P:
    return await read_json_body(request, partial(validated, model))


async def _sources(runtime: Runtime, project_id: str, params: LemurBaseParams) -> list[str]:
    ids = params.ids()
    if ids and params.input_text is not None:
        raise ApiError(400, "give either transcript_ids or input_text, not both")
    if params.input_text is not None:
        if not params.input_text.strip():
            raise ApiError(400, "input_text is empty")
        return [params.input_text]
    if not ids:
        raise ApiError(400, "transcript_ids or input_text is required")
    try:
        return await run_in_threadpool(transcripts_text, runtime.db, project_id, ids, "transcript_ids")
    except ContextProblem as exc:
        raise ApiError(exc.status_code, exc.message) from exc


def _max_tokens(engine: LLMEngine, params: LemurBaseParams) -> int:
    if not 1 <= params.max_output_size <= engine.max_tokens_cap:
        raise ApiError(400, f"max_output_size must be between 1 and {engine.max_tokens_cap}")
    return params.max_output_size


async def _run(
    runtime: Runtime,
    messages: list[ChatMessage],
    params: LemurBaseParams,
    schema: dict[str, Any] | None = None,
) -> Generation:
    engine = await _engine(runtime)
    request = GenerationRequest(
        messages=tuple(messages),
        max_tokens=_max_tokens(engine, params),
        temperature=params.temperature,
        json_schema=schema,
        repeat_penalty=runtime.settings.llm_repeat_penalty,
    )
    try:
        return await generate(engine, request)
    except CallProblem as exc:
        raise ApiError(exc.status_code, exc.message, exc.headers) from exc


async def _fitted(
    runtime: Runtime, texts: list[str], params: LemurBaseParams, asked: str
) -> tuple[list[str], list[Generation]]:
    """The transcripts as they fit the model's context beside the question (condensed chunk by
    chunk into notes on what is asked when they do not; see stenograph/llmtasks/context.py), and
    the condensing generations (for usage). ``input_text`` is the client's own: too long for the
    context, it is a 400 as it was."""
    if params.input_text is not None:
        return texts, []
    engine = await _engine(runtime)
    try:
        fitted, condensing = await run_in_threadpool(
            partial(
                fit_transcripts,
                engine,
                texts,
                focus=asked,
                max_tokens=_max_tokens(engine, params),
                reserve_tokens=estimate_tokens(asked + _context_text(params.context)),
                repeat_penalty=runtime.settings.llm_repeat_penalty,
            )
        )
    except (EngineBusy, LLMError) as exc:
        raised = problem(exc)
        raise ApiError(raised.status_code, raised.message, raised.headers) from exc
    return fitted, condensing


def _context_text(context: Any) -> str:
    return context if isinstance(context, str) else json.dumps(context) if context else ""


async def _engine(runtime: Runtime) -> LLMEngine:
    try:
        return await engine_of(runtime)
    except CallProblem as exc:
        raise ApiError(exc.status_code, exc.message, exc.headers) from exc


async def _answer(
    runtime: Runtime,
    project_id: str,
    endpoint: str,
    params: LemurBaseParams,
    response: Any,
    usage: dict[str, int],
) -> dict[str, Any]:
    details = {
        "request_endpoint": f"/lemur/v3/generate/{endpoint}",
        "temperature": params.temperature,
        "final_model": params.final_model,
        "max_output_size": params.max_output_size,
        **params.model_dump(
            exclude_none=True, exclude={"temperature", "final_model", "max_output_size", "sources"}
        ),
    }
    if params.sources:
        details["transcript_ids"] = params.ids()
    body = {"response": response, "usage": usage}

    def store() -> str:
        with runtime.db.session() as session:
            return lemur_store.create(session, project_id, endpoint, details, body).id

    request_id = await run_in_threadpool(store)
    return {"request_id": request_id, **body}


def _usage(*generations: Generation) -> dict[str, int]:
    return {
        "input_tokens": sum(g.prompt_tokens for g in generations),
        "output_tokens": sum(g.completion_tokens for g in generations),
    }


async def _string_task(
    runtime: Runtime,
    project_id: str,
    endpoint: str,
    params: LemurBaseParams,
    messages: list[ChatMessage],
    condensing: list[Generation],
) -> dict[str, Any]:
    generation = await _run(runtime, messages, params)
    usage = _usage(*condensing, generation)
    return await _answer(runtime, project_id, endpoint, params, generation.text.strip(), usage)


async def _inputs(
    runtime: Runtime, project_id: str, params: LemurBaseParams, focus: str
) -> tuple[list[str], list[Generation]]:
    """The request's texts, each fitted to the context (condensed towards ``focus`` when too long),
    after ``max_tokens`` is checked against the engine; and the condensing generations."""
    _max_tokens(await _engine(runtime), params)
    return await _fitted(runtime, await _sources(runtime, project_id, params), params, focus)


@router.post("/generate/task")
async def task(request: Request, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    params = await _params(request, LemurTaskParams)
    if not params.prompt.strip():
        raise ApiError(400, "prompt is empty")
    texts, condensing = await _inputs(runtime, project_id, params, params.prompt)
    messages = prompts.task(texts, params.prompt, params.context)
    return await _string_task(runtime, project_id, "task", params, messages, condensing)


@router.post("/generate/summary")
async def summary(request: Request, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    params = await _params(request, LemurSummaryParams)
    texts, condensing = await _inputs(runtime, project_id, params, "a summary of the transcript")
    messages = prompts.summary(texts, params.answer_format, params.context)
    return await _string_task(runtime, project_id, "summary", params, messages, condensing)


@router.post("/generate/action-items")
async def action_items(request: Request, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    params = await _params(request, LemurActionItemsParams)
    texts, condensing = await _inputs(runtime, project_id, params, "the action items agreed")
    messages = prompts.action_items(texts, params.answer_format, params.context)
    return await _string_task(runtime, project_id, "action-items", params, messages, condensing)


@router.post("/generate/question-answer")
async def question_answer(request: Request, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    params = await _params(request, LemurQuestionAnswerParams)
    if not params.questions:
        raise ApiError(400, "questions: give at least one question")
    for n, q in enumerate(params.questions):
        if not q.question.strip():
            raise ApiError(400, f"questions[{n}].question is empty")
        if q.answer_format and q.answer_options:
            raise ApiError(400, f"questions[{n}]: answer_format and answer_options cannot be used together")
        if q.answer_options is not None and not [o for o in q.answer_options if o.strip()]:
            raise ApiError(400, f"questions[{n}].answer_options is empty")
    texts, condensing = await _inputs(
        runtime, project_id, params, "\n".join(q.question for q in params.questions)
    )
    answers = []
    generations = list(condensing)
    for q in params.questions:  # one at a time: the transcripts' prefix is processed once
        messages = prompts.question(
            texts, q.question, q.answer_format, q.answer_options, params.context, q.context
        )
        options = [o for o in q.answer_options or () if o.strip()]
        generation = await _run(
            runtime, messages, params, prompts.options_schema(options) if options else None
        )
        generations.append(generation)
        answer = generation.text.strip()
        if options:
            answer = _chosen(answer, options)
        answers.append({"question": q.question, "answer": answer})
    return await _answer(runtime, project_id, "question-answer", params, answers, _usage(*generations))


def _chosen(text: str, options: list[str]) -> str:
    try:
        value = json.loads(text)["answer"]
    except (ValueError, KeyError, TypeError):
        return text  # cut short (time or token limit): what there is
    return str(value)


@router.get("/{request_id}")
async def get_response(request_id: str, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    def read() -> dict[str, Any] | None:
        with runtime.db.session() as session:
            row = lemur_store.get(session, request_id, project_id)
            if row is None:
                return None
            request = {**row.request, "created_at": row.created_at.isoformat()}
            return {"request_id": row.id, **row.response, "request": request}

    body = await run_in_threadpool(read)
    if body is None:
        raise ApiError(404, "LeMUR request not found")
    return body


@router.delete("/{request_id}")
async def purge(request_id: str, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, Any]:
    def remove() -> bool:
        with runtime.db.session() as session:
            return lemur_store.purge(session, request_id, project_id)

    if not await run_in_threadpool(remove):
        raise ApiError(404, "LeMUR request not found")
    return {"request_id": str(uuid.uuid4()), "request_id_to_purge": request_id, "deleted": True}
