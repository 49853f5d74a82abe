"""A GGUF model run in this process by llama.cpp (the ``xllamacpp`` wheel, no compiler needed).

xllamacpp's ``Server`` takes OpenAI-shaped requests as Python dicts and answers through a callback
(``handle_chat_completions``): no HTTP between us and the model. Its C++ core also opens an HTTP
listener of its own; it is bound to 127.0.0.1 on a port the system picks, and given a random API
key that never leaves this object, so nothing else can use it. JSON schemas become llama.cpp
grammars (constrained decoding). Generation is one at a time (one slot): the engine's queue
(``engine.py``) serialises the requests."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from stenograph.llm.types import (
    ContextTooLong,
    FinishReason,
    Generation,
    GenerationRequest,
    InvalidGenerationRequest,
    LLMError,
    TokenSink,
)

log = logging.getLogger(__name__)


class LocalBackend:
    def __init__(
        self, model_path: Path, *, model_name: str, context_tokens: int = 8192, threads: int = 0
    ) -> None:
        self._path = model_path
        self._name = model_name
        self._context = context_tokens
        self._threads = threads
        self._server: Any = None
        self._load_lock = threading.Lock()

    @property
    def model_name(self) -> str:
        return self._name

    @property
    def context_tokens(self) -> int:
        return self._context

    def load(self) -> None:
        """Load the model now (else on the first generation)."""
        self._get_server()

    def _get_server(self) -> Any:
        if self._server is not None:
            return self._server
        with self._load_lock:
            if self._server is None:
                import xllamacpp

                params = xllamacpp.CommonParams()
                params.model.path = str(self._path)
                params.n_ctx = self._context
                params.n_parallel = 1
                params.cpuparams.n_threads = self._threads or -1  # -1: the number of cores
                params.cpuparams_batch.n_threads = self._threads or -1
                params.hostnames = ["127.0.0.1"]
                params.port = 0  # the core's own listener: loopback, a port the system picks ...
                params.api_keys = [secrets.token_urlsafe(32)]  # ... and a key no one else knows
                params.verbosity = -1
                params.warmup = False
                started = time.monotonic()
                self._server = xllamacpp.Server(params)
                log.info("loaded %s in %.1f s", self._path.name, time.monotonic() - started)
        return self._server

    def generate(
        self, request: GenerationRequest, *, deadline: float, on_token: TokenSink | None = None
    ) -> Generation:
        server = self._get_server()
        body: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "repeat_penalty": request.repeat_penalty,
            "repeat_last_n": 256,
            "stream": True,
            "stream_options": {"include_usage": True},
            "cache_prompt": True,
        }
        if request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": dict(request.json_schema), "strict": True},
            }
        pieces: list[str] = []
        state: dict[str, Any] = {"finish": None, "usage": None, "error": None, "first": None}
        started = time.monotonic()

        def on_chunk(chunk: Any) -> bool:
            """True stops the generation."""
            if not isinstance(chunk, dict):
                return False
            if "error" in chunk:
                state["error"] = chunk["error"]
                return True
            if chunk.get("usage"):
                state["usage"] = chunk["usage"]
            for choice in chunk.get("choices") or ():
                text = (choice.get("delta") or {}).get("content")
                if text:
                    if state["first"] is None:
                        state["first"] = time.monotonic() - started
                    pieces.append(text)
                    if on_token is not None:
                        on_token(text)
                if choice.get("finish_reason"):
                    state["finish"] = choice["finish_reason"]
            if time.monotonic() >= deadline and state["finish"] is None:
                state["finish"] = "time_limit"
                return True
            return False

        try:
            server.handle_chat_completions(body, on_chunk)
        except ValueError as exc:  # llama.cpp refused the request (a schema it cannot follow)
            raise InvalidGenerationRequest(str(exc)) from exc
        if state["error"] is not None:
            raise _error(state["error"], self._context)
        finish: FinishReason = "length" if state["finish"] == "length" else "stop"
        if state["finish"] == "time_limit":
            finish = "time_limit"
        text = "".join(pieces)
        usage = state["usage"] or {}
        return Generation(
            text=text,
            # a stopped generation has no usage chunk: the pieces are tokens, the prompt estimated
            prompt_tokens=int(usage.get("prompt_tokens", _estimate_tokens(request))),
            completion_tokens=int(usage.get("completion_tokens", len(pieces))),
            finish_reason=finish,
            model=self._name,
            seconds=time.monotonic() - started,
            first_token_seconds=state["first"],
        )

    def close(self) -> None:
        self._server = None


def _estimate_tokens(request: GenerationRequest) -> int:
    return sum(len(m.content) for m in request.messages) // 4 + 4 * len(request.messages)


def _error(error: Any, context: int) -> LLMError:
    if isinstance(error, dict):
        if error.get("type") == "exceed_context_size_error":
            return ContextTooLong(error.get("n_prompt_tokens"), int(error.get("n_ctx") or context))
        message = str(error.get("message") or error)
        if int(error.get("code") or 500) == 400:
            return InvalidGenerationRequest(message)
        return LLMError(message)
    return LLMError(str(error))
