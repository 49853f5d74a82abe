"""The backend a process runs, from plain values (the runtime reads the settings and calls this)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stenograph.llm.engine import LLMEngine
from stenograph.llm.files import QWEN_MODEL_NAME, qwen_model_path
from stenograph.llm.local import LocalBackend
from stenograph.llm.remote import OpenAICompatibleBackend
from stenograph.llm.types import Backend


@dataclass(frozen=True)
class LLMSettings:
    cache_dir: Path  # where the packaged model's parts are joined
    base_url: str | None = None  # an OpenAI-compatible endpoint instead of the local model
    api_key: str | None = None
    model: str | None = None  # the endpoint's model name (required with base_url)
    model_path: Path | None = None  # another local GGUF file instead of the packaged Qwen
    context_tokens: int = 8192
    threads: int = 0
    max_waiting: int = 4
    time_limit_s: float = 300.0
    max_tokens: int = 4096


def build_backend(settings: LLMSettings) -> Backend:
    if settings.base_url:
        return OpenAICompatibleBackend(
            settings.base_url,
            model=settings.model or "default",
            api_key=settings.api_key,
            context_tokens=settings.context_tokens,
        )
    if settings.model_path is not None:
        name = settings.model or settings.model_path.stem
        path = settings.model_path
    else:
        name = QWEN_MODEL_NAME
        path = qwen_model_path(settings.cache_dir)
    return LocalBackend(
        path, model_name=name, context_tokens=settings.context_tokens, threads=settings.threads
    )


def build_engine(settings: LLMSettings) -> LLMEngine:
    return LLMEngine(
        build_backend(settings),
        max_waiting=settings.max_waiting,
        time_limit_s=settings.time_limit_s,
        max_tokens_cap=settings.max_tokens,
    )
