"""AssemblyAI language codes (``en_us``, ``pt``, ``zh``) and the Whisper languages behind them."""

from __future__ import annotations

from functools import lru_cache

from stenograph.pipeline.types import PipelineError


class UnsupportedLanguageError(PipelineError, ValueError):
    pass


@lru_cache(maxsize=1)
def supported_language_codes() -> tuple[str, ...]:
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return tuple(_LANGUAGE_CODES)


def whisper_language(code: str | None) -> str | None:
    """Map an AssemblyAI ``language_code`` (``en_us``, ``pt-BR``, ``de``) onto a Whisper code."""
    if code is None or not code.strip():
        return None
    normalized = code.strip().lower().replace("-", "_")
    supported = supported_language_codes()
    for candidate in (normalized, normalized.split("_", 1)[0]):
        if candidate in supported:
            return candidate
    raise UnsupportedLanguageError(f"language_code: unsupported language {code!r}.")


def is_supported_language(code: str) -> bool:
    try:
        return whisper_language(code) is not None
    except UnsupportedLanguageError:
        return False
