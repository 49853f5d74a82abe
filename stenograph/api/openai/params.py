"""The form's fields -> the request's options: model, language, output format, decoding hints.

Options this server cannot honour yet are a 400 naming the field, never silently ignored.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import math
import re
from dataclasses import dataclass

from stenograph.api.multipart import Form
from stenograph.api.openai.errors import OpenAIError
from stenograph.assemblyai.models import accepted_speech_model_names, packaged_model_for, resolve_speech_model
from stenograph.pipeline import TranscribeOptions, VadSettings
from stenograph.pipeline.languages import is_supported_language, whisper_language
from stenograph.pipeline.models import choose_model

RESPONSE_FORMATS = ("json", "text", "srt", "vtt", "verbose_json", "diarized_json")
DIARIZE_FORMATS = ("json", "text", "diarized_json")  # what OpenAI allows the diarizing model
GRANULARITIES = ("word", "segment")
# OpenAI's transcription models: served by the server's default model; ``-diarize`` adds speakers.
OPENAI_MODEL_NAMES = re.compile(
    r"^(whisper-1|gpt-transcribe|gpt-4o(-mini)?-transcribe(-diarize)?(-\d{4}-\d{2}-\d{2})?)$"
)
DIARIZE_MODEL = re.compile(r"^gpt-4o-transcribe-diarize(-\d{4}-\d{2}-\d{2})?$")
# Request fields of features not built yet: a 400 naming them rather than a silently lesser result.
UNSUPPORTED_FIELDS = frozenset({"include"})
KNOWN_REFERENCE_FIELDS = frozenset({"known_speaker_references", "known_speaker_references[]"})
MAX_KNOWN_SPEAKERS = 4  # OpenAI's limit
MIN_REFERENCE_S, MAX_REFERENCE_S = 2.0, 10.0  # OpenAI's bounds on a reference clip (to 0.1 s)
_DATA_URL = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?(;[\w-]+=[\w.-]+)*;base64,(?P<data>[A-Za-z0-9+/=\s]+)$")
MAX_KEYWORDS = 1000
# chunking_strategy {"type": "server_vad", ...}: OpenAI's fields -> the recogniser's VAD settings.
SERVER_VAD_FIELDS = ("threshold", "prefix_padding_ms", "silence_duration_ms")
MAX_VAD_MS = 10_000


@dataclass(frozen=True)
class Params:
    model: str  # the packaged model that runs (the multilingual one for detection or another language)
    language: str | None
    response_format: str
    granularities: frozenset[str]
    detect_language: bool = False
    prompt: str | None = None
    temperature: float | None = None
    diarize: bool = False  # the diarizing model (gpt-4o-transcribe-diarize)
    languages: tuple[str, ...] = ()  # detection among these (``languages[]``)
    keywords: tuple[str, ...] = ()  # key terms (``keywords``)
    known_speakers: tuple[tuple[str, bytes], ...] = ()  # (name, reference audio file) to label speakers
    vad: VadSettings | None = None  # chunking_strategy server_vad; None: auto or unset (our defaults)

    @property
    def shows_speakers(self) -> bool:
        """Diarization runs only for an answer that shows speakers: the diarizing model's json and
        text are the plain text, the same words with or without it."""
        return self.diarize and self.response_format == "diarized_json"

    def options(self) -> TranscribeOptions:
        return TranscribeOptions(
            model=self.model,
            language_code=self.language,
            language_detection=self.detect_language,
            expected_languages=self.languages,
            prompt=self.prompt,
            keyterms=self.keywords,
            temperature=self.temperature,
            speaker_labels=self.shows_speakers,
            vad=self.vad,
        )


def requested_model(value: str, default: str) -> str:
    """The packaged model an OpenAI ``model`` asks for: OpenAI's names get the server default."""
    if OPENAI_MODEL_NAMES.match(value.strip().lower()):
        return resolve_speech_model(None, None, default)
    name = packaged_model_for(value)
    if name is None:
        accepted = ", ".join(["whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe"])
        message = f"model: unknown model {value!r}. Accepted values: {accepted}, " + ", ".join(
            accepted_speech_model_names()
        )
        raise OpenAIError(400, message, param="model", code="model_not_found")
    return name


def _reject_unsupported(form: Form) -> None:
    """Options this server cannot honour yet are a 400, never silently ignored."""
    for name in sorted(UNSUPPORTED_FIELDS):
        if any(v.strip() for v in form.get_list(name)):
            raise OpenAIError(400, f"{name}: not supported by this server yet", param=name)
    if (form.get("stream") or "false").strip().lower() not in ("false", "0", ""):
        raise OpenAIError(
            400, "stream: streaming transcription is not supported by this server yet", param="stream"
        )


def _chunking(form: Form) -> VadSettings | None:
    """``chunking_strategy``: ``auto`` (or none) keeps our defaults; a ``server_vad`` object (form
    fields ``chunking_strategy[threshold]`` ..., as the SDKs send it, or one JSON object) sets the
    recogniser's VAD: ``threshold``, ``silence_duration_ms`` (silence that ends a stretch of speech)
    and ``prefix_padding_ms`` (speech padding, on both sides here)."""
    param = "chunking_strategy"
    raw = (form.get(param) or "").strip()
    nested = {
        name[len(param) + 1 : -1]: values[-1]
        for name, values in form.fields.items()
        if name.startswith(f"{param}[") and name.endswith("]") and values
    }
    if raw in ("", "auto") and not nested:
        return None
    if raw and raw != "auto":
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            message = f"{param}: must be 'auto' or a server_vad object, not {raw[:40]!r}"
            raise OpenAIError(400, message, param=param)
        nested = {**{str(k): v for k, v in parsed.items()}, **nested}
    elif raw == "auto":
        raise OpenAIError(400, f"{param}: give either 'auto' or a server_vad object", param=param)
    if str(nested.get("type", "")).strip() != "server_vad":
        raise OpenAIError(400, f"{param}: an object's type must be 'server_vad'", param=param)
    unknown = sorted(set(nested) - {"type", *SERVER_VAD_FIELDS})
    if unknown:
        fields = ", ".join(SERVER_VAD_FIELDS)
        message = f"{param}: unknown field {unknown[0]!r}; a server_vad object has {fields}"
        raise OpenAIError(400, message, param=param)
    threshold = _number(nested.get("threshold"), f"{param}.threshold", 0.0, 1.0, integer=False)
    padding = _number(nested.get("prefix_padding_ms"), f"{param}.prefix_padding_ms", 0, MAX_VAD_MS)
    silence = _number(nested.get("silence_duration_ms"), f"{param}.silence_duration_ms", 0, MAX_VAD_MS)
    return VadSettings(
        threshold=threshold,
        min_silence_ms=None if silence is None else int(silence),
        speech_pad_ms=None if padding is None else int(padding),
    )


def _number(value: object, name: str, low: float, high: float, integer: bool = True) -> float | None:
    """A number of a server_vad object in [low, high] (a whole one for ``integer``), None if absent."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = math.nan
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        with contextlib.suppress(ValueError):
            number = float(value)
    if not low <= number <= high or (integer and not number.is_integer()):  # NaN fails this too
        kind = "a whole number" if integer else "a number"
        raise OpenAIError(400, f"{name}: must be {kind} from {low:g} to {high:g}", param="chunking_strategy")
    return number


def _temperature(form: Form) -> float | None:
    """The fixed sampling temperature, or None for Whisper's fallback schedule (OpenAI's 0)."""
    raw = (form.get("temperature") or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise OpenAIError(400, "temperature: must be a number", param="temperature") from None
    if not 0 <= value <= 1:  # NaN fails this too
        raise OpenAIError(400, "temperature: must be between 0 and 1", param="temperature")
    return value or None


def parse_params(form: Form, default_model: str) -> Params:
    """The request's options, or an OpenAIError naming the first field at fault."""
    _reject_unsupported(form)
    model = (form.get("model") or "").strip()
    if not model:
        raise OpenAIError(400, "you must provide a model parameter", param="model")
    response_format = (form.get("response_format") or "json").strip()
    if response_format not in RESPONSE_FORMATS:
        raise OpenAIError(
            400,
            f"response_format: {response_format!r} is not one of {', '.join(RESPONSE_FORMATS)}",
            param="response_format",
        )
    diarize = bool(DIARIZE_MODEL.match(model.lower()))
    if diarize and response_format not in DIARIZE_FORMATS:
        message = f"response_format: {model} supports {', '.join(DIARIZE_FORMATS)}, not {response_format!r}"
        raise OpenAIError(400, message, param="response_format")
    if response_format == "diarized_json" and not diarize:
        message = "response_format: diarized_json needs the model gpt-4o-transcribe-diarize"
        raise OpenAIError(400, message, param="response_format")
    granularities = frozenset(g.strip() for g in form.get_list("timestamp_granularities"))
    unknown = sorted(granularities - set(GRANULARITIES))
    if unknown:
        message = f"timestamp_granularities: {unknown[0]!r} is not one of word, segment"
        raise OpenAIError(400, message, param="timestamp_granularities")
    if granularities and response_format != "verbose_json":
        message = (
            "timestamp_granularities: response_format must be verbose_json to use timestamp granularities"
        )
        raise OpenAIError(400, message, param="timestamp_granularities")
    language = (form.get("language") or "").strip() or None
    if language is not None and not is_supported_language(language):
        raise OpenAIError(400, f"language: {language!r} is not a supported language", param="language")
    languages = tuple(code.strip() for code in form.get_list("languages") if code.strip())
    for code in languages:
        if not is_supported_language(code):
            raise OpenAIError(400, f"languages: {code!r} is not a supported language", param="languages")
    if languages and language is not None:
        message = "languages: give either language or languages[], not both"
        raise OpenAIError(400, message, param="languages")
    keywords = tuple(k.strip() for raw in form.get_list("keywords") for k in raw.split(",") if k.strip())
    if len(keywords) > MAX_KEYWORDS:
        raise OpenAIError(400, f"keywords: at most {MAX_KEYWORDS}", param="keywords")
    known_speakers = _known_speakers(form, diarize)
    vad = _chunking(form)
    requested = requested_model(model, default_model)
    language_code = whisper_language(language)
    # OpenAI detects the language when none is given; our own model names keep their defaults.
    detect_language = language is None and (bool(OPENAI_MODEL_NAMES.match(model.lower())) or bool(languages))
    return Params(
        model=choose_model(requested, language_code, detect_language),
        language=language_code,
        response_format=response_format,
        granularities=granularities,
        detect_language=detect_language,
        prompt=(form.get("prompt") or "").strip() or None,
        temperature=_temperature(form),
        diarize=diarize,
        languages=languages,
        keywords=keywords,
        known_speakers=known_speakers,
        vad=vad,
    )


def _known_speakers(form: Form, diarize: bool) -> tuple[tuple[str, bytes], ...]:
    """``known_speaker_names[]`` with their ``known_speaker_references[]`` (data URLs of short clips)."""
    names = [n.strip() for n in form.get_list("known_speaker_names")]
    references = form.get_list("known_speaker_references")
    if not names and not references:
        return ()
    param = "known_speaker_names"
    if not diarize:
        raise OpenAIError(400, f"{param}: needs the model gpt-4o-transcribe-diarize", param=param)
    if not references:
        message = (
            "known_speaker_references: known_speaker_names needs a reference clip of each known "
            "speaker in known_speaker_references[] (data URLs of 2-10 s of their speech)"
        )
        raise OpenAIError(400, message, param="known_speaker_references")
    if len(names) != len(references) or not all(names) or len(set(names)) != len(names):
        message = f"{param}: one distinct, non-empty name for each of the {len(references)} references"
        raise OpenAIError(400, message, param=param)
    if len(names) > MAX_KNOWN_SPEAKERS:
        raise OpenAIError(400, f"{param}: at most {MAX_KNOWN_SPEAKERS}", param=param)
    clips = []
    for name, reference in zip(names, references, strict=True):
        match = _DATA_URL.match(reference.strip())
        try:
            clip = base64.b64decode(match.group("data"), validate=False) if match else b""
        except binascii.Error:
            clip = b""
        if not clip:
            message = f"known_speaker_references: the reference of {name!r} is not a base64 data URL"
            raise OpenAIError(400, message, param="known_speaker_references")
        clips.append((name, clip))
    return tuple(clips)
