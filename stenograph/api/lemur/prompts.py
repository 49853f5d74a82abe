"""The prompts behind LeMUR's endpoints, written for a small instruction-tuned model: the
transcripts first (one system message, so that llama.cpp reuses their processed prefix across the
questions of one request), then the task. Multiple-choice answers are constrained by a JSON schema
to the options given."""

from __future__ import annotations

import json
from typing import Any

from stenograph.llm import ChatMessage

SYSTEM = (
    "You are an assistant that answers questions about recordings from their transcripts. "
    "Answer only from the transcripts; be concise and factual."
)


def _context(context: str | dict[str, Any] | None) -> str:
    if context is None or context == "" or context == {}:
        return ""
    text = context if isinstance(context, str) else json.dumps(context, ensure_ascii=False)
    return f"\n\nContext: {text}"


def source_message(texts: list[str]) -> ChatMessage:
    parts = [f"<transcript {n}>\n{text}\n</transcript {n}>" for n, text in enumerate(texts, 1)]
    return ChatMessage("system", SYSTEM + "\n\n" + "\n\n".join(parts))


def task(texts: list[str], prompt: str, context: Any) -> list[ChatMessage]:
    return [source_message(texts), ChatMessage("user", prompt + _context(context))]


def summary(texts: list[str], answer_format: str | None, context: Any) -> list[ChatMessage]:
    form = f" Format: {answer_format}." if answer_format else " Write a few sentences."
    ask = "Summarize the transcript: its main points, decisions and outcomes." + form
    return [source_message(texts), ChatMessage("user", ask + _context(context))]


def action_items(texts: list[str], answer_format: str, context: Any) -> list[ChatMessage]:
    ask = (
        "List the action items from the transcript: the tasks someone agreed or was asked to do, "
        f"with who does them when it is said. Format: {answer_format}."
    )
    return [source_message(texts), ChatMessage("user", ask + _context(context))]


def question(
    texts: list[str],
    text: str,
    answer_format: str | None,
    options: list[str] | None,
    context: Any,
    extra: Any,
) -> list[ChatMessage]:
    ask = f"Question: {text}"
    if options:
        ask += "\nAnswer with one of: " + "; ".join(options) + "."
    elif answer_format:
        ask += f"\nAnswer format: {answer_format}."
    else:
        ask += "\nAnswer in a short sentence."
    return [source_message(texts), ChatMessage("user", ask + _context(context) + _context(extra))]


def options_schema(options: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"answer": {"type": "string", "enum": options}},
        "required": ["answer"],
        "additionalProperties": False,
    }
