"""Generations for the tasks: through the process's engine (its queue and limits), waiting when the
queue is full rather than failing the job, JSON under a schema, and the long-text strategy."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stenograph.llm import ChatMessage, EngineBusy, Generation, GenerationRequest, LLMEngine, LLMError
from stenograph.llmtasks.text import chunks, estimate_tokens

# Tokens kept free in every prompt for the instructions and the chat template.
PROMPT_OVERHEAD = 400
BUSY_WAIT_LIMIT_S = 600.0


class LLMTaskError(Exception):
    """A task could not be done; the message is the job's error, for the user."""


@dataclass
class Generator:
    engine: LLMEngine
    repeat_penalty: float = 1.1
    sleep: Callable[[float], None] = time.sleep

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
                return self.engine.generate(request)
            except EngineBusy as exc:  # other requests hold the queue: a job waits its turn
                if waited >= BUSY_WAIT_LIMIT_S:
                    raise LLMTaskError(
                        f"{task}: the language model stayed busy for {int(waited)} s; submit the "
                        "transcript again later"
                    ) from exc
                pause = float(max(1, min(exc.retry_after_s, 30)))
                self.sleep(pause)
                waited += pause
            except LLMError as exc:
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

    def fitted(self, lines: list[str], *, max_tokens: int, task: str) -> str:
        """The text as it fits one prompt: whole when it does; otherwise the long-transcript
        strategy: cut into chunks that fit, each condensed to notes by the model, and the notes
        joined (again, until they fit)."""
        budget = self.text_budget(max_tokens)
        text = "\n".join(lines)
        rounds = 0
        while estimate_tokens(text) > budget:
            rounds += 1
            if rounds > 4:
                raise LLMTaskError(f"{task}: the transcript is too long to condense for the model's context")
            parts = chunks(text.split("\n"), budget)
            note_tokens = max(64, min(400, budget // max(2, len(parts))))
            notes = [
                self.run(
                    "You take notes on part of a transcript. Write the key points, facts, names, "
                    "numbers and decisions of this part as short lines. Do not add anything.",
                    f"Part {i + 1} of {len(parts)}:\n{part}",
                    max_tokens=note_tokens,
                    task=task,
                ).text.strip()
                for i, part in enumerate(parts)
            ]
            text = "\n".join(f"[Part {i + 1}] {note}" for i, note in enumerate(notes))
        return text
