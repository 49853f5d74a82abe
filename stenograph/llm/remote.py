"""Any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, llama.cpp's server, Ollama,
LiteLLM, ...), over httpx, streamed so that the time limit and token streaming work as locally."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from stenograph.llm.types import (
    ContextTooLong,
    FinishReason,
    Generation,
    GenerationRequest,
    InvalidGenerationRequest,
    LLMError,
    TokenSink,
)


class OpenAICompatibleBackend:
    def __init__(
        self,
        base_url: str,
        *,
        model: str,
        api_key: str | None = None,
        context_tokens: int = 32768,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._model = model
        self._context = context_tokens
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, transport=transport)

    @property
    def model_name(self) -> str:
        return self._model

    @property
    def context_tokens(self) -> int:
        return self._context

    def generate(
        self, request: GenerationRequest, *, deadline: float, on_token: TokenSink | None = None
    ) -> Generation:
        body: dict[str, Any] = {
            "model": self._model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if request.repeat_penalty != 1.0:
            # OpenAI has no repeat penalty; a mild frequency penalty is its nearest knob.
            body["frequency_penalty"] = min(2.0, (request.repeat_penalty - 1.0) * 2)
        if request.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "schema": dict(request.json_schema), "strict": True},
            }
        started = time.monotonic()
        pieces: list[str] = []
        finish: FinishReason | None = None
        usage: dict[str, Any] = {}
        first: float | None = None
        model = self._model
        timeout = httpx.Timeout(max(1.0, deadline - started), connect=10.0)
        try:
            with self._client.stream("POST", self._url, json=body, timeout=timeout) as response:
                if response.status_code != 200:
                    response.read()
                    raise _error(response, self._context)
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        break
                    chunk = json.loads(payload)
                    model = chunk.get("model") or model
                    if chunk.get("usage"):
                        usage = chunk["usage"]
                    for choice in chunk.get("choices") or ():
                        text = (choice.get("delta") or {}).get("content")
                        if text:
                            first = first if first is not None else time.monotonic() - started
                            pieces.append(text)
                            if on_token is not None:
                                on_token(text)
                        if choice.get("finish_reason"):
                            finish = "length" if choice["finish_reason"] == "length" else "stop"
                    if time.monotonic() >= deadline and finish is None:
                        finish = "time_limit"
                        break
        except httpx.TimeoutException:
            finish = "time_limit"
        except (httpx.HTTPError, json.JSONDecodeError) as exc:
            raise LLMError(f"the language model endpoint failed: {exc}") from exc
        return Generation(
            text="".join(pieces),
            prompt_tokens=int(usage.get("prompt_tokens", 0)),
            completion_tokens=int(usage.get("completion_tokens", len(pieces))),
            finish_reason=finish or "stop",
            model=model,
            seconds=time.monotonic() - started,
            first_token_seconds=first,
        )

    def close(self) -> None:
        self._client.close()


def _error(response: httpx.Response, context: int) -> LLMError:
    try:
        detail = response.json()
        message = (detail.get("error") or {}).get("message") if isinstance(detail, dict) else None
    except ValueError:
        message = None
    message = message or response.text[:500] or f"status {response.status_code}"
    if response.status_code == 400 and "context" in message.lower():
        return ContextTooLong(None, context)
    if response.status_code in (400, 422):
        return InvalidGenerationRequest(f"the language model endpoint refused the request: {message}")
    return LLMError(f"the language model endpoint answered {response.status_code}: {message}")
