"""``POST /v1/chat/completions``: the request as the spec's ``LLMGatewayRequest`` (and what the
SDKs add: ``transcript_id``; other fields such as ``fallbacks`` are accepted and not used), checked
and turned into the engine's GenerationRequest."""

from __future__ import annotations

from typing import Any, Literal

import jsonschema_rs
from pydantic import BaseModel, ConfigDict, Field

from stenograph.api.llm_gateway.errors import GatewayError
from stenograph.llm import ChatMessage

MAX_MESSAGES = 1000
MAX_TEXT = 400_000  # characters of one message (the body itself is at most 1 MiB)
DEFAULT_MAX_TOKENS = 1000  # the spec's default


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = Field(default=None, max_length=MAX_TEXT)


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[TextPart] | None = Field(default=None)
    tool_calls: list[Any] | None = None


class JsonSchemaConfig(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(max_length=200)
    schema_: dict[str, Any] = Field(alias="schema")
    strict: bool = False


class ResponseFormat(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["json_schema", "text"]
    json_schema: JsonSchemaConfig | None = None


class ChatCompletionParams(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str = Field(min_length=1, max_length=200)
    messages: list[Message] | None = Field(default=None, max_length=MAX_MESSAGES)
    prompt: str | None = Field(default=None, max_length=MAX_TEXT)
    max_tokens: int = DEFAULT_MAX_TOKENS
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    stream: bool = False
    response_format: ResponseFormat | None = None
    transcript_id: str | None = Field(default=None, max_length=100)
    tools: list[Any] | None = None
    tool_choice: Any = None


def _content(message: Message, index: int) -> str:
    if message.content is None:
        return ""
    if isinstance(message.content, str):
        return message.content
    texts = []
    for part in message.content:
        if part.type != "text":
            raise GatewayError(
                400, f"messages[{index}].content: only text parts are supported, not {part.type!r}"
            )
        texts.append(part.text or "")
    return "\n".join(texts)


def chat_messages(params: ChatCompletionParams) -> list[ChatMessage]:
    """The conversation; a 400 when there is none or it is empty."""
    if params.tools:
        raise GatewayError(400, "tools: tool calling is not supported by this server")
    if params.messages is not None and params.prompt is not None:
        raise GatewayError(400, "give either messages or prompt, not both")
    if params.prompt is not None:
        messages = [ChatMessage("user", params.prompt)]
    elif params.messages:
        messages = []
        for index, message in enumerate(params.messages):
            if message.role == "tool" or message.tool_calls:
                raise GatewayError(400, f"messages[{index}]: tool messages are not supported by this server")
            role = "system" if message.role == "developer" else message.role
            messages.append(ChatMessage(role, _content(message, index)))
    else:
        raise GatewayError(400, "messages or prompt is required")
    if not any(m.content.strip() for m in messages):
        raise GatewayError(400, "the prompt is empty: give a message with some text")
    return messages


def checked_max_tokens(params: ChatCompletionParams, cap: int) -> int:
    if not 1 <= params.max_tokens <= cap:
        raise GatewayError(400, f"max_tokens must be between 1 and {cap}, not {params.max_tokens}")
    return params.max_tokens


def json_schema(params: ChatCompletionParams) -> dict[str, Any] | None:
    """The schema the output must follow; a 400 when it is missing or not valid JSON Schema."""
    if params.response_format is None or params.response_format.type == "text":
        return None
    config = params.response_format.json_schema
    if config is None:
        raise GatewayError(400, "response_format.json_schema is required with type json_schema")
    try:
        jsonschema_rs.meta.validate(config.schema_)
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError) as exc:
        message = f"response_format.json_schema.schema is not valid JSON Schema: {exc}"
        raise GatewayError(400, message.splitlines()[0]) from exc
    return config.schema_
