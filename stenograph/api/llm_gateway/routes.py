"""The LLM Gateway: ``POST /v1/chat/completions`` and ``GET /v1/models``, on the process's language
model engine. Any model name a client sends (``claude-*``, ``gpt-*``, ...) runs on the configured
model; responses name the model that ran."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.jsonio import read_json_body, validated
from stenograph.api.llm_calls import CallProblem, TokenStream, engine_of, generate, problem
from stenograph.api.llm_context import ContextProblem, transcripts_text
from stenograph.api.llm_gateway.errors import GatewayError, GatewayRoute
from stenograph.api.llm_gateway.params import (
    ChatCompletionParams,
    chat_messages,
    checked_max_tokens,
    json_schema,
)
from stenograph.llm import ChatMessage, EngineBusy, Generation, GenerationRequest, LLMEngine, LLMError
from stenograph.llmtasks import fit_transcripts
from stenograph.llmtasks.text import estimate_tokens
from stenograph.runtime import Runtime

router = APIRouter(prefix="/v1", route_class=GatewayRoute)

TRANSCRIPT_INSTRUCTION = (
    "The transcript of a recording follows. Use it to answer the user's request.\n\n"
    "<transcript>\n{text}\n</transcript>"
)


def _gateway_error(exc: CallProblem | ContextProblem) -> GatewayError:
    return GatewayError(exc.status_code, exc.message, headers=getattr(exc, "headers", None))


def usage_json(*generations: Generation) -> dict[str, int]:
    """Tokens of every generation the request ran: the answer and any condensing of its transcript."""
    prompt = sum(g.prompt_tokens for g in generations)
    completion = sum(g.completion_tokens for g in generations)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "input_tokens": prompt,
        "output_tokens": completion,
    }


async def _request(
    runtime: Runtime, engine: LLMEngine, project_id: str, params: ChatCompletionParams
) -> tuple[GenerationRequest, list[Generation]]:
    """The generation to run, and the generations already run to condense the transcript."""
    condensing: list[Generation] = []
    messages = chat_messages(params)
    max_tokens = checked_max_tokens(params, engine.max_tokens_cap)
    schema = json_schema(params)
    if params.transcript_id is not None:
        try:
            [text] = await run_in_threadpool(
                transcripts_text, runtime.db, project_id, [params.transcript_id], "transcript_id"
            )
        except ContextProblem as exc:
            raise _gateway_error(exc) from exc
        # Longer than the context: condensed chunk by chunk into notes on what is asked.
        asked = "\n".join(m.content for m in messages if m.role == "user")[-2000:]
        try:
            fitted, condensing = await run_in_threadpool(
                partial(
                    fit_transcripts,
                    engine,
                    [text],
                    focus=asked,
                    max_tokens=max_tokens,
                    reserve_tokens=sum(estimate_tokens(m.content) for m in messages),
                    repeat_penalty=runtime.settings.llm_repeat_penalty,
                )
            )
        except (EngineBusy, LLMError) as exc:
            raise _gateway_error(problem(exc)) from exc
        text = fitted[0]
        messages.insert(0, ChatMessage("system", TRANSCRIPT_INSTRUCTION.format(text=text)))
    request = GenerationRequest(
        messages=tuple(messages),
        max_tokens=max_tokens,
        temperature=params.temperature,
        json_schema=schema,
        repeat_penalty=runtime.settings.llm_repeat_penalty,
    )
    return request, condensing


@router.post("/chat/completions")
async def chat_completions(request: Request, runtime: RuntimeDep, project_id: ProjectId) -> Response:
    started = time.monotonic_ns()
    params = await read_json_body(request, partial(validated, ChatCompletionParams))
    try:
        engine = await engine_of(runtime)
    except CallProblem as exc:
        raise _gateway_error(exc) from exc
    generation_request, condensing = await _request(runtime, engine, project_id, params)
    if params.stream:
        stream = TokenStream(engine, generation_request)
        try:
            await stream.start()
        except CallProblem as exc:
            raise _gateway_error(exc) from exc
        return StreamingResponse(
            _events(stream, engine.model_name, condensing), media_type="text/event-stream"
        )
    try:
        generation = await generate(engine, generation_request)
    except CallProblem as exc:
        raise _gateway_error(exc) from exc
    body: dict[str, Any] = {
        "request_id": str(uuid.uuid4()),
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": generation.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": generation.text},
                "finish_reason": generation.finish_reason,
            }
        ],
        "usage": usage_json(*condensing, generation),
        "request": {
            "model": params.model,
            "max_tokens": params.max_tokens,
            "temperature": params.temperature,
        },
        "http_status_code": 200,
        "response_time": time.monotonic_ns() - started,
        "llm_status_code": 200,
    }
    return JSONResponse(body)


async def _events(stream: TokenStream, model: str, condensing: list[Generation]) -> AsyncIterator[bytes]:
    """OpenAI's chunks as server-sent events: the role, the text pieces, the finish reason, the
    usage (``condensing`` included), then ``[DONE]``. A failure after the first piece ends the
    stream with an error event."""
    chunk_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())

    def event(choices: list[dict[str, Any]], **extra: Any) -> bytes:
        body = {"id": chunk_id, "object": "chat.completion.chunk", "created": created, "model": model}
        body.update(choices=choices, **extra)
        return f"data: {json.dumps(body)}\n\n".encode()

    yield event([{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
    try:
        async for piece in stream.pieces():
            if isinstance(piece, str):
                yield event([{"index": 0, "delta": {"content": piece}, "finish_reason": None}])
            else:
                yield event([{"index": 0, "delta": {}, "finish_reason": piece.finish_reason}])
                yield event([], usage=usage_json(*condensing, piece))
    except CallProblem as exc:
        error = {"code": exc.status_code, "message": exc.message}
        yield f"data: {json.dumps({'error': error})}\n\n".encode()
    yield b"data: [DONE]\n\n"


@router.get("/models")
async def list_models(runtime: RuntimeDep) -> dict[str, Any]:
    """The one model this server runs, with every field the SDKs' model object requires (and
    OpenAI's ``object``/``created``/``owned_by``, for OpenAI clients). No key needed, as upstream."""
    try:
        engine = await engine_of(runtime)
    except CallProblem as exc:
        raise _gateway_error(exc) from exc
    name = engine.model_name
    provider = {"id": "stenograph", "name": "Stenograph"}
    free = {"completions": 0.0, "prompt": 0.0}
    model = {
        "id": name,
        "object": "model",
        "created": 0,
        "owned_by": "stenograph",
        "name": name,
        "description": "The language model this Stenograph server runs; every model name sent runs on it.",
        "default_parameters": {"temperature": 0.0},
        "supported_parameters": ["max_tokens", "temperature", "response_format", "stream"],
        "top_provider": {
            "is_moderated": False,
            "context_length": engine.context_tokens,
            "max_completion_tokens": engine.max_tokens_cap,
        },
        "context_length": engine.context_tokens,
        "pricing": {"global": free},
        "creator": "stenograph",
        "retirement_date": 0,
        "available_regions": ["global"],
        "providers": [provider],
        "default_provider": provider,
    }
    return {"object": "list", "data": [model]}
