"""The Sync API's ``config`` part and ``X-AAI-Model`` header -> the pipeline's options.

Limits are the SDKs' own (``_SYNC_MAX_*`` in the Python SDK): ``prompt`` 6000 characters,
``keyterms_prompt`` 100 terms and 8000 characters, ``conversation_context`` 500 turns and 16000
characters, oldest turns dropped first (trimmed, not refused, as AssemblyAI documents).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stenograph.api.errors import describe_validation_error
from stenograph.api.sync.problems import Problem
from stenograph.assemblyai.models import accepted_speech_model_names, packaged_model_for
from stenograph.pipeline import TranscribeOptions
from stenograph.pipeline.languages import is_supported_language
from stenograph.pipeline.models import choose_model

MAX_AUDIO_SECONDS = 120.0
MAX_PROMPT_CHARS = 6000
MAX_KEYTERMS = 100
MAX_KEYTERMS_CHARS = 8000
MAX_CONTEXT_TURNS = 500
MAX_CONTEXT_CHARS = 16000
MAX_CONFIG_BYTES = 64 * 1024

Term = Annotated[str, Field(max_length=MAX_KEYTERMS_CHARS)]
Turn = Annotated[str, Field(max_length=MAX_CONTEXT_CHARS)]


class SyncConfig(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    prompt: str | None = Field(default=None, max_length=MAX_PROMPT_CHARS)
    keyterms_prompt: Annotated[list[Term], Field(max_length=MAX_KEYTERMS)] | None = None
    conversation_context: str | Annotated[list[Turn], Field(max_length=10 * MAX_CONTEXT_TURNS)] | None = None
    language_codes: Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=100)] | None = None
    sample_rate: int | None = Field(default=None, ge=1000, le=768_000)
    channels: int | None = Field(default=None, ge=1, le=32)
    timestamps: bool | None = None

    @field_validator("keyterms_prompt")
    @classmethod
    def _keyterms_fit(cls, terms: list[str] | None) -> list[str] | None:
        kept = [t.strip() for t in terms or () if t.strip()]
        if sum(len(t) for t in kept) > MAX_KEYTERMS_CHARS:
            raise ValueError(f"at most {MAX_KEYTERMS_CHARS} characters in all")
        return kept or None

    def context_turns(self) -> list[str]:
        """The conversation so far, oldest first, its oldest turns dropped to fit the limits."""
        given = self.conversation_context
        turns = [given] if isinstance(given, str) else list(given or ())
        turns = [t.strip() for t in turns if t.strip()][-MAX_CONTEXT_TURNS:]
        while turns and sum(len(t) for t in turns) > MAX_CONTEXT_CHARS:
            turns.pop(0)
        return turns


def parse_config(raw: str | None) -> SyncConfig:
    if raw is None or not raw.strip():
        return SyncConfig()
    if len(raw.encode()) > MAX_CONFIG_BYTES:
        raise Problem(400, f"config: at most {MAX_CONFIG_BYTES} bytes")
    try:
        return SyncConfig.model_validate(json.loads(raw))
    except json.JSONDecodeError as exc:
        raise Problem(400, f"config: not valid JSON ({exc.msg})") from exc
    except ValidationError as exc:
        errors = RequestValidationError(exc.errors())
        raise Problem(400, "config: " + describe_validation_error(errors)) from exc


def packaged_model(header: str | None, default_model: str) -> str:
    """The packaged model ``X-AAI-Model`` names (an AssemblyAI name or ours); the server's default
    without the header."""
    name = packaged_model_for(header) if header else packaged_model_for(default_model)
    if name is None:
        accepted = ", ".join(accepted_speech_model_names())
        raise Problem(400, f"X-AAI-Model: unknown model {header!r}. Accepted values: {accepted}")
    return name


def transcribe_options(config: SyncConfig, model: str) -> TranscribeOptions:
    """One language code: that language; several: detection among them; none: the model's own
    (detected by the multilingual model). The conversation so far, then ``prompt``, is Whisper's
    initial prompt (Whisper keeps its most recent part)."""
    codes = [c for c in config.language_codes or () if c.strip()]
    for code in codes:
        if not is_supported_language(code):
            raise Problem(400, f"config.language_codes: '{code}' is not a supported language")
    language = codes[0] if len(codes) == 1 else None
    detect = len(codes) > 1
    prompt = " ".join([*config.context_turns(), *([config.prompt] if config.prompt else [])]) or None
    return TranscribeOptions(
        model=choose_model(model, language, detect),
        language_code=language,
        language_detection=detect,
        expected_languages=tuple(codes) if detect else (),
        prompt=prompt,
        keyterms=tuple(config.keyterms_prompt or ()),
    )
