"""AssemblyAI's model names (``speech_model``, ``speech_models``, the streaming ``speech_model``) and
the packaged model that serves each. Our own names (``tiny.en``, ``base``, and those of the models
an operator brings) are accepted too; the operator may map AssemblyAI's batch names onto any of
them (:func:`use_aliases`, from ``STENOGRAPH_MODELS``).
"""

from __future__ import annotations

from collections.abc import Mapping

from stenograph.pipeline.models import MULTILINGUAL_MODEL, model_names, packaged_model
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


# The operator's mapping of AssemblyAI names onto models (STENOGRAPH_MODELS' aliases), over the above.
_configured: dict[str, str] = {}


def use_aliases(aliases: Mapping[str, str]) -> dict[str, str]:
    """Map AssemblyAI batch model names onto models of this process (packaged or brought, so
    register brought models first), replacing any mapping made before. ValueError names a key that
    is not an AssemblyAI name, or a model that does not exist; nothing changes then."""
    global _configured
    ours = set(model_names()) | {"tiny"}
    checked: dict[str, str] = {}
    for raw_name, target in aliases.items():
        name = raw_name.strip().lower()
        if name not in SPEECH_MODEL_ALIASES or name in ours:
            names = ", ".join(sorted(set(SPEECH_MODEL_ALIASES) - ours))
            raise ValueError(f"alias {raw_name!r}: not an AssemblyAI model name; those are: {names}")
        try:
            checked[name] = packaged_model(target)
        except UnknownSpeechModelError as exc:
            raise ValueError(f"alias {raw_name!r}: {exc}") from None
    _configured = checked
    return dict(checked)


def accepted_speech_model_names() -> list[str]:
    return sorted(set(SPEECH_MODEL_ALIASES) | set(model_names()))


def packaged_model_for(value: str) -> str | None:
    """The model serving ``value`` (an AssemblyAI name or our own), or None if unknown."""
    if not isinstance(value, str):
        return None
    key = value.strip().lower()
    found = _configured.get(key) or SPEECH_MODEL_ALIASES.get(key)
    if found is None and key in model_names():
        return key  # a model brought by the operator, by its own name
    return found


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
