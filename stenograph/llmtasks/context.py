"""Transcripts as context for a request (the LLM Gateway's ``transcript_id``, LeMUR's
``transcript_ids``) that may be longer than the model's context: each kept whole when they fit
together; otherwise each is condensed chunk by chunk into notes that keep what the request asks
about, and the request is answered from the notes (see ``Generator.fitted``)."""

from __future__ import annotations

from stenograph.llm import Generation, LLMEngine
from stenograph.llmtasks.generate import Generator
from stenograph.llmtasks.text import estimate_tokens


def fit_transcripts(
    engine: LLMEngine,
    texts: list[str],
    *,
    focus: str,
    max_tokens: int,
    reserve_tokens: int = 0,
    repeat_penalty: float = 1.1,
) -> tuple[list[str], list[Generation]]:
    """The transcripts' texts as they fit beside ``reserve_tokens`` of prompt and ``max_tokens`` of
    answer, and the generations run to condense them (none when they fit). EngineBusy and LLMError
    pass through, for the request's 429 / 5xx."""
    gen = Generator(engine, repeat_penalty=repeat_penalty, for_request=True)
    budget = gen.text_budget(max_tokens) - reserve_tokens
    if sum(estimate_tokens(t) for t in texts) <= budget:
        return texts, []
    share = max(1, len(texts))
    fitted = [
        gen.fitted(
            text.split("\n"),
            max_tokens=max_tokens,
            task="context",
            focus=focus,
            reserve_tokens=reserve_tokens + (budget - budget // share),
        )
        for text in texts
    ]
    return fitted, gen.generations
