"""AssemblyAI's model names (``speech_model``, ``speech_models``, the streaming ``speech_model``) and
the packaged model that serves each. Our own names (``tiny.en``, ``base``) are accepted too.
"""

from __future__ import annotations

from stenograph.pipeline.models import MULTILINGUAL_MODEL, packaged_model
from stenograph.pipeline.types import UnknownSpeechModelError

# Batch speech_model(s) values -> the packaged model that serves them.
SPEECH_MODEL_ALIASES: dict[str, str] = {
    "nano": "tiny.en",
    "universal-2": "tiny.en",
    "tiny": "tiny.en",
    "tiny.en": "tiny.en",
    "best": "base",
    "universal": "base",
    "universal-3-pro": "base",
    "universal-3-5-pro": "base",
    "universal-3-6": "base",
    "universal-3-6-pro": "base",
    "assemblyai-stt-3-7": "base",  # AssemblyAI's default from December 2026
    "slam-1": "base",
    "base": "base",
}

# Streaming (v3) speech_model values: the English one runs the server's streaming model (tiny.en by
# default), the others the multilingual one.
ENGLISH_STREAMING_MODELS = frozenset({"universal-streaming-english"})
MULTILINGUAL_STREAMING_MODELS = frozenset(
    {
        "universal-streaming-multilingual",
        "whisper-rt",
        "u3-rt-pro",
        "u3-rt-pro-beta-1",
        "u3-pro",
        "universal-3-5-pro",
        "universal-3-6",
        "universal-3-6-pro",
        "assemblyai-stt-3-7-realtime",
    }
)


def accepted_speech_model_names() -> list[str]:
    return sorted(SPEECH_MODEL_ALIASES)


def packaged_model_for(value: str) -> str | None:
    """The packaged model serving ``value`` (an AssemblyAI name or our own), or None if unknown."""
    return SPEECH_MODEL_ALIASES.get(value.strip().lower()) if isinstance(value, str) else None


def _unknown(field: str, values: list[str]) -> UnknownSpeechModelError:
    shown = ", ".join(repr(v) for v in values)
    noun = "model" if len(values) == 1 else "models"
    accepted = ", ".join(accepted_speech_model_names())
    return UnknownSpeechModelError(f"{field}: unknown {noun} {shown}. Accepted values: {accepted}")


def resolve_speech_model(speech_models: list[str] | None, speech_model: str | None, default: str) -> str:
    """Pick the packaged model for a request.

    ``speech_models`` is a priority list: the first value we can serve wins (unknown values are
    skipped, like AssemblyAI fallback lists), and it is an error only when none is known. Without
    it the legacy ``speech_model`` is used, then ``default``.
    """
    if speech_models:
        for value in speech_models:
            name = packaged_model_for(value)
            if name is not None:
                return name
        raise _unknown("speech_models", list(speech_models))
    if speech_model is not None:
        name = packaged_model_for(speech_model)
        if name is None:
            raise _unknown("speech_model", [speech_model])
        return name
    name = packaged_model_for(default)
    if name is None:
        raise _unknown("default model (STENOGRAPH_DEFAULT_MODEL)", [default])
    return name


def streaming_model_request(speech_model: str | None, default: str) -> tuple[str, bool]:
    """(packaged model, multilingual) for a v3 ``speech_model`` value; ``default`` is the server's
    streaming model. Raises UnknownSpeechModelError for a name we do not serve."""
    value = (speech_model or "").strip()
    if not value or value in ENGLISH_STREAMING_MODELS:
        return packaged_model(packaged_model_for(default) or default), False
    if value in MULTILINGUAL_STREAMING_MODELS:
        return MULTILINGUAL_MODEL, True
    name = packaged_model_for(value)
    if name is None:
        raise UnknownSpeechModelError(f"Invalid value for 'speech_model': {value!r}")
    return name, False
