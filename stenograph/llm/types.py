"""The engine's one small interface: chat messages in; text, token usage and the finish reason out;
optionally a JSON schema the output must follow; tokens as they come."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Role = Literal["system", "user", "assistant"]
# "stop": the model ended; "length": the token cap; "time_limit": the generation's time limit.
FinishReason = Literal["stop", "length", "time_limit"]

# Called with each piece of text as it is generated.
TokenSink = Callable[[str], None]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class GenerationRequest:
    messages: tuple[ChatMessage, ...]
    max_tokens: int
    temperature: float = 0.0
    json_schema: Mapping[str, Any] | None = None  # constrained decoding: the output follows it
    repeat_penalty: float = 1.1  # 1.0: none; small models loop on long outputs without one


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: FinishReason
    model: str  # the model that ran
    seconds: float = 0.0
    first_token_seconds: float | None = None  # from the start of this generation (queue wait excluded)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class LLMError(Exception):
    """A generation that could not run (the backend failed): a 5xx for a client."""

    status_code = 502


class InvalidGenerationRequest(LLMError):
    """The request itself is unusable (a schema the engine cannot follow, ...): a 400."""

    status_code = 400


class ContextTooLong(InvalidGenerationRequest):
    def __init__(self, prompt_tokens: int | None, context_tokens: int) -> None:
        told = f"{prompt_tokens} tokens" if prompt_tokens is not None else "the prompt"
        super().__init__(
            f"the context is too long: {told} with the output asked for exceed the model's "
            f"context of {context_tokens} tokens"
        )
        self.prompt_tokens = prompt_tokens
        self.context_tokens = context_tokens


class EngineBusy(LLMError):
    """The bounded queue is full: a 429 with Retry-After."""

    status_code = 429

    def __init__(self, retry_after_s: int) -> None:
        super().__init__("the language model is busy: too many requests are waiting; retry later")
        self.retry_after_s = retry_after_s


class Backend(Protocol):
    """One way of running a model. ``generate`` blocks; it calls ``on_token`` with each piece of
    text as it comes and stops by ``deadline`` (``time.monotonic()``), ending with
    ``finish_reason="time_limit"``."""

    @property
    def model_name(self) -> str: ...

    @property
    def context_tokens(self) -> int: ...

    def generate(
        self, request: GenerationRequest, *, deadline: float, on_token: TokenSink | None = None
    ) -> Generation: ...

    def close(self) -> None: ...
