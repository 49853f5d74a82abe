"""Generations for the tasks: through the process's engine (its queue and limits), waiting when the
queue is full rather than failing the job, JSON under a schema, and the long-text strategy."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stenograph.llm import (
    ChatMessage,
    EngineBusy,
    Generation,
    GenerationRequest,
    InvalidGenerationRequest,
    LLMEngine,
    LLMError,
)
from stenograph.llmtasks.text import chunks, estimate_tokens

# Tokens kept free in every prompt for the instructions and the chat template.
PROMPT_OVERHEAD = 400
BUSY_WAIT_LIMIT_S = 600.0
# At most this many chunks are condensed for one text (about 3 hours of conversation at the
# default 8192-token context): beyond, the text is refused as too long.
MAX_PARTS = 32
MAX_ROUNDS = 3


class LLMTaskError(Exception):
    """A task could not be done; the message is the job's error, for the user."""


@dataclass
class Generator:
    engine: LLMEngine
    repeat_penalty: float = 1.1
    sleep: Callable[[float], None] = time.sleep
    # A job waits its turn when the queue is full and reports a failure as its error; a request
    # handler (for_request) lets EngineBusy and LLMError through, for its 429 / 5xx.
    for_request: bool = False
    generations: list[Generation] = field(default_factory=list)  # every one run, for usage

    def text_budget(self, max_tokens: int) -> int:
        """How many tokens of transcript fit in one prompt beside ``max_tokens`` of output."""
        return max(200, self.engine.context_tokens - max_tokens - PROMPT_OVERHEAD)

    def run(
        self,
        system: str,
        user: str,
        *,
        max_tokens: int,
        schema: Mapping[str, Any] | None = None,
        task: str,
    ) -> Generation:
        request = GenerationRequest(
            messages=(ChatMessage("system", system), ChatMessage("user", user)),
            max_tokens=max_tokens,
            temperature=0.0,
            json_schema=schema,
            repeat_penalty=self.repeat_penalty,
        )
        waited = 0.0
        while True:
            try:
                generation = self.engine.generate(request)
                self.generations.append(generation)
                return generation
            except EngineBusy as exc:  # other requests hold the queue: a job waits its turn
                if self.for_request:
                    raise
                if waited >= BUSY_WAIT_LIMIT_S:
                    raise LLMTaskError(
                        f"{task}: the language model stayed busy for {int(waited)} s; submit the "
                        "transcript again later"
                    ) from exc
                pause = float(max(1, min(exc.retry_after_s, 30)))
                self.sleep(pause)
                waited += pause
            except LLMError as exc:
                if self.for_request:
                    raise
                raise LLMTaskError(
                    f"{task}: the language model failed ({exc}); check the server's language-model "
                    "settings (STENOGRAPH_LLM_*) and submit the transcript again"
                ) from exc

    def json(self, system: str, user: str, schema: Mapping[str, Any], *, max_tokens: int, task: str) -> Any:
        generation = self.run(system, user, max_tokens=max_tokens, schema=schema, task=task)
        try:
            return json.loads(generation.text)
        except ValueError as exc:
            reason = "it was cut at its token limit" if generation.finish_reason != "stop" else "not JSON"
            raise LLMTaskError(f"{task}: the language model's answer could not be read ({reason})") from exc

    def fitted(
        self,
        lines: list[str],
        *,
        max_tokens: int,
        task: str,
        focus: str | None = None,
        reserve_tokens: int = 0,
    ) -> str:
        """The text as it fits one prompt: whole when it does; otherwise the long-transcript
        strategy: cut into chunks that fit, each condensed to notes by the model (with ``focus``,
        the notes keep what answers it), and the notes joined, again until they fit. The answer
        is then asked of the notes. ``reserve_tokens``: the rest of the prompt (a conversation)."""
        budget = max(200, self.text_budget(max_tokens) - reserve_tokens)
        text = "\n".join(lines)
        rounds = 0
        while estimate_tokens(text) > budget:
            rounds += 1
            parts = chunks(text.split("\n"), budget)
            if len(parts) > MAX_PARTS or rounds > MAX_ROUNDS:
                message = (
                    f"{task}: the transcript is too long for the language model: it would be "
                    f"condensed in more than {MAX_PARTS} parts of {budget} tokens (the model's "
                    "context, STENOGRAPH_LLM_CONTEXT_TOKENS)"
                    if len(parts) > MAX_PARTS
                    else f"{task}: the transcript could not be condensed to fit the language model's "
                    f"context in {MAX_ROUNDS} rounds; a larger STENOGRAPH_LLM_CONTEXT_TOKENS helps"
                )
                if self.for_request:
                    raise InvalidGenerationRequest(message)
                raise LLMTaskError(message)
            # Notes of all parts together take about 60% of the budget (the estimate counts a
            # token for 3 characters; models write about 4 a token), so one round usually does.
            note_tokens = max(48, min(400, int(budget * 0.6 / len(parts))))
            aim = f" Keep everything that helps with this request: {focus[:1000]}" if focus else ""
            notes = [
                self.run(
                    "You take notes on part of a transcript. Write the key points, facts, names, "
                    "numbers and decisions of this part as short lines, saying who said what. Do "
                    f"not add anything.{aim}",
                    f"Part {i + 1} of {len(parts)}:\n{part}",
                    max_tokens=note_tokens,
                    task=task,
                ).text.strip()
                for i, part in enumerate(parts)
            ]
            text = "\n".join(f"[Part {i + 1}] {note}" for i, note in enumerate(notes))
        return text
