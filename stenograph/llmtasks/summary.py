"""``summarization`` -> ``summary``: the whole transcript (condensed first when it exceeds the
context) summarised in the asked form and tone."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from stenograph.llmtasks.generate import Generator
from stenograph.llmtasks.text import speaker_lines

SUMMARY_MODELS = ("informative", "conversational", "catchy")
SUMMARY_TYPES = ("bullets", "bullets_verbose", "gist", "headline", "paragraph")

_FORMS = {
    "bullets": ("a few bullet points, each a short line starting with '- '", 300),
    "bullets_verbose": ("bullet points, each line starting with '- ' and one or two full sentences", 600),
    "gist": ("a gist: a few words (at most 8), no full stop", 24),
    "headline": ("one headline sentence", 60),
    "paragraph": ("one paragraph of three to five sentences", 300),
}
_TONES = {
    "informative": "Be factual and neutral.",
    "conversational": "This is a conversation: say who said or decided what.",
    "catchy": "Be catchy and engaging, like a title.",
}


def summarize(
    gen: Generator, result: Mapping[str, Any], *, model: str = "informative", kind: str = "bullets"
) -> str:
    form, max_tokens = _FORMS[kind]
    task = "summarization"
    text = gen.fitted(speaker_lines(result), max_tokens=max_tokens, task=task)
    if not text.strip():
        return ""
    answer = gen.run(
        f"You summarise transcripts. Answer with {form}, and nothing else. {_TONES[model]}",
        f"Transcript:\n{text}\n\nWrite the summary as {form}.",
        max_tokens=max_tokens,
        task=task,
    ).text
    return tidy(answer, kind)


def tidy(answer: str, kind: str) -> str:
    answer = answer.strip()
    if kind.startswith("bullets"):
        lines = [re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", line).strip() for line in answer.splitlines()]
        return "\n".join(f"- {line}" for line in lines if line)
    first = answer.splitlines()[0].strip() if kind in ("gist", "headline") and answer else answer
    return first.strip().strip('"').strip()
