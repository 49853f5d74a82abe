"""``POST /v2/transcript``: the request models under the spec's own names (see
../shared/spec/openapi.yml, ``TranscriptParams``), the checks pydantic cannot express, and the table
of options whose feature is not built yet.

Unknown fields are ignored, as the SDKs pass extra fields through. Every known option is stored
and echoed on the transcript object (null when the caller did not set it).

Types are strict, as the API's are: ``"temperature": true`` or ``"punctuate": "true"`` is a 400,
not a coerced value (an integer is still a number). Every string and list has a bound: the API's
documented limits where it has them, otherwise generous ones of ours (the README's "Request
limits" lists them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from stenograph.assemblyai.models import resolve_speech_model
from stenograph.pipeline.guardrails.policies import PII_POLICIES, REFUSED_POLICIES
from stenograph.pipeline.languages import is_supported_language, whisper_language
from stenograph.pipeline.models import choose_model
from stenograph.pipeline.types import UnknownSpeechModelError
from stenograph.understanding.formatting import (
    PatternError,
    check_date_pattern,
    check_email_pattern,
    check_phone_pattern,
)

# Documented by AssemblyAI: up to 1,500 words of prompt; up to 1000 key terms (Universal-3 Pro;
# 200 for Universal-2) of at most 6 words each.
MAX_PROMPT_WORDS = 1500
MAX_KEYTERMS = 1000
MAX_KEYTERM_WORDS = 6
# Ours, where the API documents none.
MAX_PROMPT_CHARS = 15_000
MAX_KEYTERM_CHARS = 100
MAX_URL_CHARS = 2048
MAX_SPELLING_RULES = 1000
MAX_SPELLING_SOURCES = 100  # "from" entries of one rule
MAX_SPELLING_CHARS = 100  # each "from" and "to"
MAX_HEADER_NAME_CHARS = 256
MAX_HEADER_VALUE_CHARS = 4096
MAX_NAME_CHARS = 100  # language codes, model names, policies, topics...
MAX_NAMES = 100  # items of those lists


class InvalidRequest(ValueError):
    """A request the API answers with 400; the message names the field."""


def _words_at_most(limit: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if len(value.split()) > limit:
            raise ValueError(f"at most {limit} words")
        return value

    return check


Url = Annotated[str, Field(max_length=MAX_URL_CHARS)]
Name = Annotated[str, Field(max_length=MAX_NAME_CHARS)]
Names = Annotated[list[Name], Field(max_length=MAX_NAMES)]
Prompt = Annotated[str, Field(max_length=MAX_PROMPT_CHARS), AfterValidator(_words_at_most(MAX_PROMPT_WORDS))]
KeyTerm = Annotated[
    str, Field(max_length=MAX_KEYTERM_CHARS), AfterValidator(_words_at_most(MAX_KEYTERM_WORDS))
]
KeyTerms = Annotated[list[KeyTerm], Field(max_length=MAX_KEYTERMS)]
SpellingText = Annotated[str, Field(max_length=MAX_SPELLING_CHARS)]
Options = Annotated[dict[str, Any], Field(max_length=MAX_NAMES)]


class _Strict(BaseModel):
    """Strict types as the API has them; unknown fields ignored; numbers finite."""

    model_config = ConfigDict(extra="ignore", strict=True, allow_inf_nan=False)


class TranscriptCustomSpelling(_Strict):
    model_config = ConfigDict(populate_by_name=True)
    from_: Annotated[list[SpellingText], Field(max_length=MAX_SPELLING_SOURCES)] = Field(alias="from")
    to: SpellingText


SpellingRules = Annotated[list[TranscriptCustomSpelling], Field(max_length=MAX_SPELLING_RULES)]
HeaderName = Annotated[str, Field(max_length=MAX_HEADER_NAME_CHARS)]
HeaderValue = Annotated[str, Field(max_length=MAX_HEADER_VALUE_CHARS)]


class SpeakerOptions(_Strict):
    min_speakers_expected: int | None = None
    max_speakers_expected: int | None = None


class LanguageDetectionOptions(_Strict):
    expected_languages: Names | None = None
    fallback_language: Name | None = None
    code_switching: bool | None = None
    code_switching_confidence_threshold: float | None = Field(default=None, ge=0, le=1)
    on_low_language_confidence: Literal["error", "fallback"] | None = None
    localization: Annotated[list[Literal["en_au", "en_uk"]], Field(max_length=2)] | None = None
    swiss_german: bool | None = None
    language_detection_model: Name | None = None


class RedactPiiAudioOptions(_Strict):
    return_redacted_no_speech_audio: bool | None = None
    override_audio_redaction_method: Literal["silence"] | None = None


# redact_static_entities: {LABEL: [exact terms]}
StaticEntities = Annotated[dict[Name, Names], Field(max_length=MAX_NAMES)]


class KeytermsPromptOptions(_Strict):
    keyterms_match_strength: Literal["standard", "high"] | None = None


class TranscriptOptionalParams(_Strict):
    """Every request option of POST /v2/transcript, current and legacy (legacy-2025-05 spec)."""

    audio_end_at: int | None = Field(default=None, ge=0)
    audio_start_from: int | None = Field(default=None, ge=0)
    auto_chapters: bool | None = None
    auto_highlights: bool | None = None
    boost_param: Literal["low", "default", "high"] | None = None
    content_safety: bool | None = None
    content_safety_confidence: int | None = Field(default=None, ge=25, le=100)
    custom_spelling: SpellingRules | None = None
    custom_topics: bool | None = None
    disfluencies: bool | None = None
    domain: Name | None = None
    dual_channel: bool | None = None
    entity_detection: bool | None = None
    filter_profanity: bool | None = None
    format_text: bool | None = None
    iab_categories: bool | None = None
    keyterms_prompt: KeyTerms | None = None
    keyterms_prompt_options: KeytermsPromptOptions | None = None
    language_code: Name | None = None
    language_codes: Names | None = None
    language_confidence_threshold: float | None = Field(default=None, ge=0, le=1)
    language_detection: bool | None = None
    language_detection_options: LanguageDetectionOptions | None = None
    multichannel: bool | None = None
    prompt: Prompt | None = None
    punctuate: bool | None = None
    redact_pii: bool | None = None
    redact_pii_audio: bool | None = None
    redact_pii_audio_options: RedactPiiAudioOptions | None = None
    redact_pii_audio_quality: Literal["mp3", "wav"] | None = None
    redact_pii_policies: Names | None = None
    redact_pii_return_unredacted: bool | None = None
    redact_pii_sub: Literal["entity_name", "hash"] | None = None
    redact_static_entities: StaticEntities | None = None
    # Whisper is decoded with its non-speech symbols suppressed, so it writes no audio tags: both
    # values hold by construction.
    remove_audio_tags: Literal["all", "speaker"] | None = None
    sentiment_analysis: bool | None = None
    speaker_labels: bool | None = None
    speaker_options: SpeakerOptions | None = None
    speakers_expected: int | None = Field(default=None, ge=1)
    speech_model: Name | None = None
    speech_models: Names | None = None
    speech_threshold: float | None = Field(default=None, ge=0, le=1)
    speech_understanding: Options | None = None
    summarization: bool | None = None
    summary_model: Name | None = None
    summary_type: Name | None = None
    temperature: float | None = Field(default=None, ge=0, le=1)
    topics: Names | None = None
    webhook_auth_header_name: HeaderName | None = None
    webhook_auth_header_value: HeaderValue | None = None
    webhook_url: Url | None = None
    word_boost: KeyTerms | None = None

    @property
    def multichannel_requested(self) -> bool:
        return bool(self.multichannel or self.dual_channel)


class TranscriptParams(TranscriptOptionalParams):
    audio_url: Annotated[Url, Field(min_length=1)]


class ListTranscriptParams(BaseModel):
    """The query of ``GET /v2/transcript``. An empty parameter (``status=``, as the JS SDK sends for
    an unset one) is as if absent."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=10, ge=1, le=200)
    status: Literal["queued", "processing", "completed", "error"] | None = None
    created_on: dt.date | None = None
    before_id: Name | None = None
    after_id: Name | None = None
    throttled_only: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value != ""}
        return data


def stored_options(params: TranscriptParams) -> dict[str, Any]:
    """The options as stored on the transcript row: what the caller set, under the wire names."""
    return params.model_dump(exclude_none=True, by_alias=True, exclude={"audio_url"})


def load_options(stored: dict[str, Any] | None) -> TranscriptOptionalParams:
    """A stored request, validated again through the model (never read field by field). Not strict:
    it was checked when it was made, perhaps by an older, laxer server."""
    return TranscriptOptionalParams.model_validate(stored or {}, strict=False)


# --------------------------------------------------------------------------- not built yet

# Options whose feature this server does not implement yet. Asking for one is a 400 rather
# than a transcript that silently lacks what was asked for. A value equal to the API's default
# (e.g. punctuate=true) is accepted because it is what the server does anyway.
NOT_YET_SUPPORTED: dict[str, Any] = {
    "custom_topics": False,
}


def unsupported_options(options: TranscriptOptionalParams) -> list[str]:
    asked = options.model_dump(exclude_none=True)
    return [
        name
        for name, default in NOT_YET_SUPPORTED.items()
        if name in asked and asked[name] != default and asked[name] not in ([], {})
    ]


# --------------------------------------------------------------------------- checks


def check_transcript_params(params: TranscriptOptionalParams, default_model: str) -> str:
    """The rules the models cannot express (InvalidRequest naming the field), in the order the
    API reports them. Returns the packaged model that will run."""
    unsupported = unsupported_options(params) + _unbuilt_settings(params)
    if unsupported:
        raise InvalidRequest(f"{', '.join(unsupported)}: not supported by this server yet")
    if params.domain:
        raise InvalidRequest(f"domain: '{params.domain}' is not supported (no domain model is packaged)")
    try:
        model = transcript_model(params, default_model)
    except UnknownSpeechModelError as exc:
        raise InvalidRequest(str(exc)) from exc
    _check_languages(params)
    _check_ranges(params)
    _check_speakers(params)
    _check_webhook(params)
    _check_guardrails(params)
    _check_summaries(params)
    _check_speech_understanding(params)
    return model


def transcript_model(params: TranscriptOptionalParams, default_model: str) -> str:
    """The packaged model that runs for these options (UnknownSpeechModelError if none serves)."""
    requested = resolve_speech_model(params.speech_models, params.speech_model, default_model)
    detects = bool(params.language_detection or params.language_codes)
    return choose_model(requested, params.language_code or None, detects)


def _unbuilt_settings(params: TranscriptOptionalParams) -> list[str]:
    """Settings inside an option object whose feature is not built (named by their path)."""
    names = []
    detection = params.language_detection_options
    if detection is not None:
        if detection.swiss_german:
            names.append("language_detection_options.swiss_german")
        if detection.language_detection_model:
            names.append("language_detection_options.language_detection_model")
    keyterms = params.keyterms_prompt_options
    if keyterms is not None and keyterms.keyterms_match_strength == "high":
        names.append("keyterms_prompt_options.keyterms_match_strength 'high'")
    return names


def _check_languages(params: TranscriptOptionalParams) -> None:
    if params.language_code and not is_supported_language(params.language_code):
        raise InvalidRequest(f"language_code: '{params.language_code}' is not a supported language")
    # As AssemblyAI: a known language and detecting it are alternatives, not a precedence.
    if params.language_code and params.language_detection:
        raise InvalidRequest(
            "language_code: cannot be used together with language_detection; set language_code for "
            "audio in a known language, or language_detection to detect it"
        )
    for code in params.language_codes or ():
        if not is_supported_language(code):
            raise InvalidRequest(f"language_codes: '{code}' is not a supported language")
    if params.language_codes and params.language_code:
        raise InvalidRequest(
            "language_codes: cannot be used together with language_code; list every language of the "
            "audio in language_codes"
        )
    detection = params.language_detection_options
    if detection is None:
        return
    if len(set(detection.localization or ())) > 1:
        raise InvalidRequest("language_detection_options.localization: at most one locale per language")
    if detection.code_switching and not params.language_detection:
        raise InvalidRequest("language_detection_options.code_switching: requires language_detection")
    for code in detection.expected_languages or ():
        if not is_supported_language(code):
            raise InvalidRequest(f"language_detection_options.expected_languages: '{code}' is not supported")
    fallback = detection.fallback_language
    if fallback and fallback.lower() != "auto" and not is_supported_language(fallback):
        raise InvalidRequest(f"language_detection_options.fallback_language: '{fallback}' is not supported")


def _check_guardrails(params: TranscriptOptionalParams) -> None:
    for name in _REDACTION_SETTINGS:
        if getattr(params, name) not in (None, False) and not params.redact_pii:
            raise InvalidRequest(f"{name}: requires redact_pii")
    if params.redact_pii:
        if not params.redact_pii_policies:
            raise InvalidRequest("redact_pii_policies: at least one policy is required with redact_pii")
        for policy in params.redact_pii_policies:
            if policy in REFUSED_POLICIES:
                reason = REFUSED_POLICIES[policy]
                raise InvalidRequest(f"redact_pii_policies: '{policy}' is not supported here ({reason})")
            if policy not in PII_POLICIES:
                raise InvalidRequest(f"redact_pii_policies: '{policy}' is not a PII policy")
        for label, terms in (params.redact_static_entities or {}).items():
            if not label.strip() or not any(term.strip() for term in terms):
                raise InvalidRequest("redact_static_entities: each label needs a non-empty list of terms")
    english_only = [
        name
        for name in (
            "redact_pii",
            "entity_detection",
            "sentiment_analysis",
            "auto_highlights",
            "iab_categories",
            "content_safety",
        )
        if getattr(params, name)
    ] + (["speech_understanding.request.custom_formatting"] if custom_formatting_patterns(params) else [])
    if english_only:
        feature = english_only[0]
        for code in [params.language_code, *(params.language_codes or ())]:
            if code and whisper_language(code) != "en":
                raise InvalidRequest(f"{feature}: supported for English only, not '{code}'")


# speech_understanding tasks run by a language model after the transcript (jobs -> llmtasks).
LLM_TASKS = ("translation", "speaker_identification", "summarization")
CUSTOM_FORMATS = {
    "date": check_date_pattern,
    "phone_number": check_phone_pattern,
    "email": check_email_pattern,
}


def custom_formatting_patterns(params: TranscriptOptionalParams) -> dict[str, str]:
    """The patterns of ``speech_understanding.request.custom_formatting`` ({"date": "mm/dd/yyyy"}),
    {} when it is not asked for."""
    request = (params.speech_understanding or {}).get("request")
    return formatting_patterns(request) if isinstance(request, dict) else {}


def formatting_patterns(request: dict[str, Any]) -> dict[str, str]:
    """The patterns of a checked ``speech_understanding.request``'s ``custom_formatting``; {} when
    it has none."""
    settings = request.get("custom_formatting")
    if not isinstance(settings, dict):
        return {}
    return {kind: pattern for kind, pattern in settings.items() if kind != "effort"}


SUMMARY_MODELS = ("informative", "conversational", "catchy")
SUMMARY_TYPES = ("bullets", "bullets_verbose", "gist", "headline", "paragraph")


def _check_summaries(params: TranscriptOptionalParams) -> None:
    """summarization / auto_chapters (run by a language model after the transcript)."""
    if params.summarization and params.auto_chapters:
        raise InvalidRequest(
            "Only one of the following models can be enabled at a time: auto_chapters, summarization"
        )
    for name, allowed in (("summary_model", SUMMARY_MODELS), ("summary_type", SUMMARY_TYPES)):
        value = getattr(params, name)
        if value is not None and value not in allowed:
            raise InvalidRequest(f"{name}: '{value}' is not one of {', '.join(allowed)}")
    if params.summary_model == "catchy" and params.summary_type not in (None, "headline", "gist"):
        raise InvalidRequest("summary_model: 'catchy' supports summary_type 'headline' or 'gist' only")


def check_understanding_request(request: object) -> None:
    """``speech_understanding.request`` (InvalidRequest naming the field); also used by the LLM
    Gateway's /v1/understanding."""
    if not isinstance(request, dict) or not request:
        raise InvalidRequest("speech_understanding.request: an object naming at least one task is required")
    for task, settings in request.items():
        name = f"speech_understanding.request.{task}"
        if task not in (*LLM_TASKS, "custom_formatting"):
            raise InvalidRequest(f"{name}: unknown task")
        if not isinstance(settings, dict) or not settings:
            raise InvalidRequest(f"{name}: an object with the task's settings is required")
        _check_effort(name, settings.get("effort"))
        if task == "custom_formatting":
            _check_custom_formatting(name, settings)
        elif task == "speaker_identification":
            _check_speaker_identification(name, settings)
        elif task == "translation":
            _check_translation(name, settings)
        else:
            _check_sectioned_summary(name, settings)


# The one local model runs every task one way; a stronger mode it does not have is refused, never
# silently run as 'low'.
SUPPORTED_EFFORTS = ("low",)


def _check_effort(name: str, effort: object) -> None:
    if effort is None or effort in SUPPORTED_EFFORTS:
        return
    if effort == "medium":
        raise InvalidRequest(
            f"{name}.effort: 'medium' is not supported by this server: its one local model has no "
            "stronger mode; use 'low' (the default)"
        )
    raise InvalidRequest(f"{name}.effort: 'low' (the default) or 'medium', not {effort!r}")


def _check_speech_understanding(params: TranscriptOptionalParams) -> None:
    if params.speech_understanding is None:
        return
    request = params.speech_understanding.get("request")
    check_understanding_request(request)
    wants_speakers = isinstance(request, dict) and "speaker_identification" in request
    if wants_speakers and not (params.speaker_labels or params.multichannel_requested):
        raise InvalidRequest(
            "speech_understanding.request.speaker_identification: needs speaker_labels "
            "(or multichannel): there are no speakers to identify without them"
        )


def _check_custom_formatting(name: str, settings: dict[str, Any]) -> None:
    for kind, pattern in settings.items():
        if kind == "effort":
            continue
        if kind not in CUSTOM_FORMATS:
            raise InvalidRequest(f"{name}.{kind}: unknown pattern (date, phone_number, email)")
        if not isinstance(pattern, str) or len(pattern) > MAX_NAME_CHARS:
            raise InvalidRequest(f"{name}.{kind}: a pattern string of at most {MAX_NAME_CHARS} characters")
        try:
            CUSTOM_FORMATS[kind](pattern)
        except PatternError as exc:
            raise InvalidRequest(f"{name}.{kind}: {exc}") from None


MAX_SPEAKER_VALUES = 20
MAX_TARGET_LANGUAGES = 5


def _short_strings(name: str, value: object, most: int) -> list[str]:
    if not isinstance(value, list) or not value or len(value) > most:
        raise InvalidRequest(f"{name}: a list of 1 to {most} strings")
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > MAX_NAME_CHARS:
            raise InvalidRequest(f"{name}: each a non-empty string of at most {MAX_NAME_CHARS} characters")
    return value


def _check_speaker_identification(name: str, settings: dict[str, Any]) -> None:
    known = {"speaker_type", "known_values", "speakers", "effort"}
    for key in settings:
        if key not in known:
            raise InvalidRequest(f"{name}.{key}: unknown setting")
    kind = settings.get("speaker_type")
    if kind not in ("role", "name"):
        raise InvalidRequest(f"{name}.speaker_type: required, 'role' or 'name'")
    if settings.get("known_values") is not None:
        _short_strings(f"{name}.known_values", settings["known_values"], MAX_SPEAKER_VALUES)
    speakers = settings.get("speakers")
    if speakers is not None:
        if not isinstance(speakers, list) or not speakers or len(speakers) > MAX_SPEAKER_VALUES:
            raise InvalidRequest(f"{name}.speakers: a list of 1 to {MAX_SPEAKER_VALUES} objects")
        for item in speakers:
            if not isinstance(item, dict) or not isinstance(
                item.get(kind) or item.get("name") or item.get("role"), str
            ):
                raise InvalidRequest(f"{name}.speakers: each an object with a '{kind}' string")
            for value in item.values():
                if not isinstance(value, str) or len(value) > 1000:
                    raise InvalidRequest(f"{name}.speakers: values are strings of at most 1000 characters")
    if kind == "role" and not settings.get("known_values") and not speakers:
        raise InvalidRequest(f"{name}.known_values: required when speaker_type is 'role'")


_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}([_-][a-zA-Z]{2,4})?$")


def _check_translation(name: str, settings: dict[str, Any]) -> None:
    for key in settings:
        if key not in ("target_languages", "formal", "match_original_utterance", "effort"):
            raise InvalidRequest(f"{name}.{key}: unknown setting")
    codes = _short_strings(f"{name}.target_languages", settings.get("target_languages"), MAX_TARGET_LANGUAGES)
    for code in codes:
        if not _LANGUAGE_CODE.match(code):
            raise InvalidRequest(f"{name}.target_languages: '{code}' is not a language code (e.g. 'es')")
    for flag in ("formal", "match_original_utterance"):
        if settings.get(flag) is not None and not isinstance(settings[flag], bool):
            raise InvalidRequest(f"{name}.{flag}: true or false")


def _check_sectioned_summary(name: str, settings: dict[str, Any]) -> None:
    for key in settings:
        if key not in ("summary_type", "headline_length", "approximate_chapters", "effort"):
            raise InvalidRequest(f"{name}.{key}: unknown setting")
    if settings.get("summary_type") not in ("bullets", "paragraph"):
        raise InvalidRequest(f"{name}.summary_type: required, 'bullets' or 'paragraph'")
    length = settings.get("headline_length")
    if length is not None and (
        isinstance(length, bool) or not isinstance(length, int) or not 5 <= length <= 15
    ):
        raise InvalidRequest(f"{name}.headline_length: an integer from 5 to 15")
    chapters = settings.get("approximate_chapters")
    if chapters is not None and (
        isinstance(chapters, bool) or not isinstance(chapters, int) or not 1 <= chapters <= 50
    ):
        raise InvalidRequest(f"{name}.approximate_chapters: an integer from 1 to 50")


# Settings that only mean something with redact_pii.
_REDACTION_SETTINGS = (
    "redact_pii_audio",
    "redact_pii_audio_options",
    "redact_pii_audio_quality",
    "redact_pii_return_unredacted",
    "redact_static_entities",
)


def _check_ranges(params: TranscriptOptionalParams) -> None:
    start, end = params.audio_start_from, params.audio_end_at
    if start is not None and end is not None and end <= start:
        raise InvalidRequest("audio_end_at: must be greater than audio_start_from")
    for rule in params.custom_spelling or ():
        if not rule.to.strip() or not any(source.strip() for source in rule.from_):
            raise InvalidRequest("custom_spelling: every rule needs a non-empty 'from' list and 'to'")


def _check_speakers(params: TranscriptOptionalParams) -> None:
    options = params.speaker_options
    if options is None:
        return
    low, high = options.min_speakers_expected, options.max_speakers_expected
    if low is not None and low < 1:
        raise InvalidRequest("speaker_options.min_speakers_expected: must be at least 1")
    if high is not None and high < 1:
        raise InvalidRequest("speaker_options.max_speakers_expected: must be at least 1")
    if low is not None and high is not None and low > high:
        raise InvalidRequest(
            "speaker_options.min_speakers_expected: must not be greater than "
            "speaker_options.max_speakers_expected"
        )


_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # an RFC 9110 token
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")
_RESERVED_HEADERS = frozenset({"host", "content-length", "content-type", "transfer-encoding", "connection"})


def _check_webhook(params: TranscriptOptionalParams) -> None:
    """The address policy is applied when the webhook is sent; here only the shape is checked."""
    if params.webhook_url is not None:
        try:
            parts = urlsplit(params.webhook_url)
            _ = parts.port
        except ValueError as exc:
            raise InvalidRequest("webhook_url: must be an http(s) URL") from exc
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise InvalidRequest("webhook_url: must be an http(s) URL")
    name, value = params.webhook_auth_header_name, params.webhook_auth_header_value
    if value is not None and not name:
        raise InvalidRequest("webhook_auth_header_name: required with webhook_auth_header_value")
    if name and (not _HEADER_NAME.fullmatch(name) or name.lower() in _RESERVED_HEADERS):
        raise InvalidRequest(f"webhook_auth_header_name: '{name}' is not a usable HTTP header name")
    if value is not None and not _HEADER_VALUE.fullmatch(value):
        raise InvalidRequest("webhook_auth_header_value: only printable ASCII characters are allowed")
