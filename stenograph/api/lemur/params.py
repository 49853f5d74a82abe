"""LeMUR v3 requests (``../shared/spec/legacy-2025-05/openapi.yml``, ``LemurBaseParams`` & co.), as
the spec names them and as the last SDKs with LeMUR (Python 0.x) send them: ``sources``
(``[{"id", "type": "transcript"}]``) beside ``transcript_ids``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_TRANSCRIPTS = 100  # the spec's limit
MAX_TEXT = 400_000


class Source(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str | None = Field(default=None, max_length=100)
    type: Literal["transcript"] = "transcript"


class LemurBaseParams(BaseModel):
    model_config = ConfigDict(extra="allow")
    transcript_ids: list[str] | None = Field(default=None, max_length=MAX_TRANSCRIPTS)
    sources: list[Source] | None = Field(default=None, max_length=MAX_TRANSCRIPTS)
    input_text: str | None = Field(default=None, max_length=MAX_TEXT)
    context: str | dict[str, Any] | None = None
    final_model: str = Field(default="default", max_length=200)
    max_output_size: int = 2000
    temperature: float = Field(default=0.0, ge=0.0, le=1.0)

    def ids(self) -> list[str]:
        ids = list(self.transcript_ids or [])
        ids += [s.id for s in self.sources or () if s.id]
        return ids


class LemurTaskParams(LemurBaseParams):
    prompt: str = Field(max_length=MAX_TEXT)


class LemurSummaryParams(LemurBaseParams):
    answer_format: str | None = Field(default=None, max_length=2000)


class LemurActionItemsParams(LemurBaseParams):
    answer_format: str = Field(default="Bullet Points", max_length=2000)


class LemurQuestion(BaseModel):
    model_config = ConfigDict(extra="allow")
    question: str = Field(max_length=10_000)
    context: str | dict[str, Any] | None = None
    answer_format: str | None = Field(default=None, max_length=2000)
    answer_options: list[str] | None = Field(default=None, max_length=100)


class LemurQuestionAnswerParams(LemurBaseParams):
    questions: list[LemurQuestion] = Field(max_length=100)
