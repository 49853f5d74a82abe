"""The tasks a transcript asked for, run in order on its stored result: speaker identification
first (so that summaries and chapters name the speakers), translation, the summary, chapters, and
the sectioned summary."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stenograph.llm import LLMEngine
from stenograph.llmtasks import chapters as chapters_
from stenograph.llmtasks import speakers, summary, translation
from stenograph.llmtasks.generate import Generator, LLMTaskError

log = logging.getLogger(__name__)

UNDERSTANDING_TASKS = ("speaker_identification", "translation", "summarization")

__all__ = ["LLMTaskError", "TaskRequest", "run_tasks"]


@dataclass(frozen=True)
class TaskRequest:
    summarization: bool = False
    summary_model: str = "informative"
    summary_type: str = "bullets"
    auto_chapters: bool = False
    understanding: Mapping[str, Any] = field(default_factory=dict)  # speech_understanding.request

    @classmethod
    def from_request(cls, request: Mapping[str, Any] | None) -> TaskRequest:
        """From a transcript request as stored (checked when it was made)."""
        request = request or {}
        su = request.get("speech_understanding") or {}
        asked = su.get("request") if isinstance(su, Mapping) else None
        return cls(
            summarization=bool(request.get("summarization")),
            summary_model=str(request.get("summary_model") or "informative"),
            summary_type=str(request.get("summary_type") or "bullets"),
            auto_chapters=bool(request.get("auto_chapters")),
            understanding={
                k: v for k, v in (asked or {}).items() if k in UNDERSTANDING_TASKS and isinstance(v, Mapping)
            },
        )

    @property
    def wanted(self) -> bool:
        return self.summarization or self.auto_chapters or bool(self.understanding)


def run_tasks(
    result: Mapping[str, Any],
    tasks: TaskRequest,
    engine: LLMEngine,
    *,
    repeat_penalty: float = 1.1,
    generator: Generator | None = None,
) -> dict[str, Any]:
    """A copy of ``result`` with the tasks' outputs (LLMTaskError when one cannot be done)."""
    gen = generator or Generator(engine, repeat_penalty=repeat_penalty)
    out = copy.deepcopy(dict(result))
    responses: dict[str, Any] = dict(out.get("speech_understanding_response") or {})
    su = tasks.understanding
    started = time.monotonic()
    if "speaker_identification" in su:
        ask = su["speaker_identification"]
        mapping = speakers.identify(
            gen,
            out,
            speaker_type=str(ask.get("speaker_type") or "name"),
            known_values=[str(v) for v in ask.get("known_values") or ()],
            speakers=[s for s in ask.get("speakers") or () if isinstance(s, Mapping)],
        )
        speakers.apply(out, mapping)
        responses["speaker_identification"] = {"status": "success", "mapping": mapping}
    if "translation" in su:
        ask = su["translation"]
        out["translated_texts"] = translation.translate(
            gen,
            out,
            [str(code) for code in ask.get("target_languages") or ()],
            formal=bool(ask.get("formal")),
            match_original_utterance=bool(ask.get("match_original_utterance")),
        )
        responses["translation"] = {"status": "success"}
    if tasks.summarization:
        out["summary"] = summary.summarize(gen, out, model=tasks.summary_model, kind=tasks.summary_type)
    if tasks.auto_chapters:
        out["chapters"] = chapters_.chapters(gen, out)
    if "summarization" in su:
        ask = su["summarization"]
        kind = str(ask.get("summary_type") or "paragraph")
        effort = str(ask.get("effort") or "low")
        sectioned = chapters_.sectioned_summary(
            gen,
            out,
            summary_type=kind,
            headline_length=int(ask.get("headline_length") or 10),
            approximate_chapters=ask.get("approximate_chapters"),
        )
        responses["summarization"] = {
            "status": "success",
            **sectioned,
            "summary_type": kind,
            "effort": effort,
        }
    if responses:
        out["speech_understanding_response"] = responses
    log.info("language-model tasks done in %.1f s", time.monotonic() - started)
    return out
