"""Query and message parameters of the streaming endpoints -> what a session runs with."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams

from stenograph.assemblyai.models import streaming_model_request
from stenograph.config import Settings
from stenograph.pipeline.guardrails.policies import PII_POLICIES, REFUSED_POLICIES
from stenograph.pipeline.languages import UnsupportedLanguageError, whisper_language
from stenograph.pipeline.models import choose_model, is_english_only
from stenograph.pipeline.types import UnknownSpeechModelError
from stenograph.streaming.audio import (
    COMPRESSED_ENCODINGS,
    ENCODINGS,
    AudioConverter,
    converter_for,
)
from stenograph.streaming.engine import StreamConfig


class ParamError(ValueError):
    pass


def parse_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise ParamError(f"Invalid value for '{name}': expected true or false, got {value!r}")


def parse_number(
    name: str, value: Any, kind: type, low: float | None = None, high: float | None = None
) -> Any:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = kind(value) if kind is float else int(str(value).strip())
    except (TypeError, ValueError):
        raise ParamError(f"Invalid value for '{name}': {value!r}") from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise ParamError(f"Invalid value for '{name}': {value!r} is outside {low}..{high}")
    return number


def string_list(name: str, values: list[Any]) -> list[str]:
    """A list given as repeated parameters, one JSON-encoded array, or a JSON array in a message."""
    if len(values) == 1 and isinstance(values[0], list):
        values = values[0]
    elif len(values) == 1 and isinstance(values[0], str) and values[0].strip().startswith("["):
        try:
            values = json.loads(values[0])
        except json.JSONDecodeError:
            raise ParamError(f"Invalid value for '{name}': not a JSON array") from None
        if not isinstance(values, list):
            raise ParamError(f"Invalid value for '{name}': not a JSON array")
    out = []
    for value in values:
        if not isinstance(value, str):
            raise ParamError(f"Invalid value for '{name}': expected strings")
        if value.strip():
            out.append(value.strip())
    return out


def audio_params(
    query: QueryParams, *, default_rate: int | None = 16000, encodings: tuple[str, ...] = ENCODINGS
) -> AudioConverter:
    """The session's audio converter. ``sample_rate`` is needed for PCM (``default_rate`` when
    absent); the compressed encodings describe themselves, and a rate given with them is ignored
    (checked, as the SDKs send it)."""
    encoding = (query.get("encoding") or "pcm_s16le").strip().lower()
    if encoding not in encodings:
        raise ParamError(f"Invalid value for 'encoding': {encoding!r}. Supported: {', '.join(encodings)}")
    raw_rate = query.get("sample_rate")
    if raw_rate is None:
        if default_rate is None and encoding not in COMPRESSED_ENCODINGS:
            raise ParamError("sample_rate is required")
        rate = default_rate
    else:
        rate = parse_number("sample_rate", raw_rate, int, 1, 384_000)
    return converter_for(encoding, rate)


TURN_SETTINGS: dict[str, tuple[str, type, float, float]] = {
    # wire name -> (engine setting, kind, low, high)
    "end_of_turn_confidence_threshold": ("end_of_turn_confidence_threshold", float, 0.0, 1.0),
    "min_end_of_turn_silence_when_confident": ("min_turn_silence_ms", int, 0, 60_000),
    "min_turn_silence": ("min_turn_silence_ms", int, 0, 60_000),
    "max_turn_silence": ("max_turn_silence_ms", int, 0, 60_000),
    "vad_threshold": ("vad_threshold", float, 0.0, 1.0),
}


def turn_settings(values: dict[str, Any]) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, (setting, kind, low, high) in TURN_SETTINGS.items():
        if values.get(name) is not None:
            changes[setting] = parse_number(name, values[name], kind, low, high)
    return changes


@dataclass
class V3Options:
    model: str
    converter: AudioConverter
    config: StreamConfig
    format_turns: bool = False
    language_detection: bool = False
    acknowledge_silence: bool = False  # Silence messages while nobody speaks
    session_heartbeat: bool = False  # Heartbeat messages
    inactivity_timeout: float | None = None
    redact_pii: tuple[tuple[str, ...], str] | None = None  # (policies, substitution) with redact_pii
    speaker_labels: bool = False
    max_speakers: int | None = None  # a hard cap on distinct speaker labels
    speaker_labels_revision_interval_ms: int | None = None  # 0 / None: only the end-of-stream revision
    extra: dict[str, Any] = field(default_factory=dict)


# v3 parameters the SDKs send whose feature is not built here, with the values that ask for nothing
# (off, empty, the default). Any other value closes the session (3006) naming the parameter, rather
# than a session that silently lacks what was asked for. The README's streaming table lists them.
UNBUILT_V3: dict[str, frozenset[str]] = {
    name: frozenset({"", "false", "0", "null", "none", *extra})
    for name, extra in {
        "webhook_url": (),
        "llm_gateway": ("{}",),
        "domain": (),
        "prompt": (),
        "agent_context": (),
        "filter_profanity": (),
        "voice_focus": (),
        "noise_suppression_model": (),
        "mode": ("balanced",),  # the documented default: what the engine does
        "interruption_delay": (),
        "turn_left_pad_ms": (),
        "customer_support_audio_capture": (),
    }.items()
}


def refuse_unbuilt(values: dict[str, Any]) -> None:
    """ParamError naming the first parameter that asks for a feature not built for streaming."""
    for name, harmless in UNBUILT_V3.items():
        value = values.get(name)
        if value is not None and str(value).strip().lower() not in harmless:
            raise ParamError(f"{name}: not supported by this server's streaming yet")


# Settings a session takes when it opens, which UpdateConfiguration cannot change.
OPEN_ONLY_V3 = ("redact_pii", "redact_pii_policies", "redact_pii_sub")


def refuse_open_only(values: dict[str, Any]) -> None:
    for name in OPEN_ONLY_V3:
        if values.get(name) is not None:
            raise ParamError(f"{name}: can only be set when the session opens")


def speaker_settings_change(values: dict[str, Any], options: V3Options) -> None:
    """ParamError when an ``UpdateConfiguration`` changes a speaker-label setting: they are set when
    connecting (the labels given so far would not hold)."""
    current = {
        "speaker_labels": options.speaker_labels,
        "max_speakers": options.max_speakers,
        "speaker_labels_revision_interval_ms": options.speaker_labels_revision_interval_ms,
    }
    for name, value in current.items():
        given = values.get(name)
        if given is None:
            continue
        same = parse_bool(name, given) == value if name == "speaker_labels" else str(given) == str(value)
        if not same:
            raise ParamError(f"{name}: set when connecting; it cannot change mid-session")


def language_steering(model: str, language_codes: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """(the language to decode in, or None to detect it per turn; the languages detection picks
    among, () for any) for ``language_codes`` on ``model``. An English-only model decodes English;
    on a multilingual one no code means detection among all languages."""
    try:
        languages = [whisper_language(c) for c in language_codes if c]
    except UnsupportedLanguageError as exc:
        raise ParamError(str(exc)) from None
    if is_english_only(model):
        if any(code != "en" for code in languages):
            raise ParamError(
                f"language_codes: {', '.join(language_codes)} needs a multilingual speech_model; "
                "this session's model is English-only"
            )
        return "en", ()
    language = languages[0] if len(languages) == 1 else None  # None: detected per turn
    return language, tuple(dict.fromkeys(code for code in languages if code))  # detection among these


def parse_v3_params(query: QueryParams, settings: Settings) -> V3Options:
    refuse_unbuilt(dict(query.items()))
    converter = audio_params(query)
    language_codes = string_list("language_codes", query.getlist("language_codes"))
    if query.get("language_code"):
        language_codes = [query["language_code"].strip(), *language_codes]
    try:
        model, multilingual = streaming_model_request(query.get("speech_model"), settings.streaming_model)
    except UnknownSpeechModelError as exc:
        raise ParamError(str(exc)) from None
    # An English-only model gives way to the multilingual one for a multilingual speech_model or any
    # language code but English (an empty one too: its language is then detected per turn).
    model = choose_model(model, detect=multilingual)
    for code in language_codes:
        model = choose_model(model, code)
    language, candidates = language_steering(model, language_codes)
    config = StreamConfig(language=language, **turn_settings(dict(query.items())))
    config.candidate_languages = candidates
    config.keyterms = tuple(string_list("keyterms_prompt", query.getlist("keyterms_prompt")))
    options = V3Options(model=model, converter=converter, config=config)
    if query.get("format_turns") is not None:
        options.format_turns = parse_bool("format_turns", query["format_turns"])
    for flag in ("acknowledge_silence", "session_heartbeat"):
        if query.get(flag) is not None:
            setattr(options, flag, parse_bool(flag, query[flag]))
    if query.get("language_detection") is not None:
        options.language_detection = parse_bool("language_detection", query["language_detection"])
    if query.get("speaker_labels") is not None:
        options.speaker_labels = parse_bool("speaker_labels", query["speaker_labels"])
    if query.get("max_speakers") not in (None, ""):
        options.max_speakers = parse_number("max_speakers", query["max_speakers"], int, 1, 1000)
    if query.get("speaker_labels_revision_interval_ms") not in (None, ""):
        options.speaker_labels_revision_interval_ms = parse_number(
            "speaker_labels_revision_interval_ms",
            query["speaker_labels_revision_interval_ms"],
            int,
            0,
            86_400_000,
        )
    if query.get("inactivity_timeout") is not None:
        options.inactivity_timeout = float(
            parse_number("inactivity_timeout", query["inactivity_timeout"], int, 5, 3600)
        )
    if query.get("redact_pii") is not None and parse_bool("redact_pii", query["redact_pii"]):
        options.redact_pii = redaction_params(query, language)
    return options


def redaction_params(query: QueryParams, language: str | None) -> tuple[tuple[str, ...], str]:
    """``redact_pii_policies`` (a JSON array or repeated) and ``redact_pii_sub``, checked as the batch
    API checks them; English sessions only."""
    if language != "en":
        raise ParamError("redact_pii: supported for English sessions only (set no other language_code)")
    policies = string_list("redact_pii_policies", query.getlist("redact_pii_policies"))
    if not policies:
        raise ParamError("redact_pii_policies: at least one policy is required with redact_pii")
    for policy in policies:
        if policy in REFUSED_POLICIES:
            raise ParamError(f"redact_pii_policies: '{policy}' is not supported by this server")
        if policy not in PII_POLICIES:
            raise ParamError(f"redact_pii_policies: '{policy}' is not a PII policy")
    substitution = query.get("redact_pii_sub") or "hash"
    if substitution not in ("hash", "entity_name"):
        raise ParamError(f"redact_pii_sub: expected hash or entity_name, got {substitution!r}")
    return tuple(policies), substitution
