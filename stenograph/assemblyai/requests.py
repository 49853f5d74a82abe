"""``POST /v2/transcript``: the request models under the spec's own names (see
../shared/spec/openapi.yml, ``TranscriptParams``), the checks pydantic cannot express, and the table
of options whose feature is not built yet.

Unknown fields are ignored, as the SDKs pass extra fields through. Every known option is stored
and echoed on the transcript object (null when the caller did not set it).
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from stenograph.assemblyai.models import resolve_speech_model
from stenograph.pipeline.languages import is_supported_language
from stenograph.pipeline.models import choose_model
from stenograph.pipeline.types import UnknownSpeechModelError


class InvalidRequest(ValueError):
    """A request the API answers with 400; the message names the field."""


class TranscriptCustomSpelling(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    from_: list[str] = Field(alias="from")
    to: str


class SpeakerOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    min_speakers_expected: int | None = None
    max_speakers_expected: int | None = None


class LanguageDetectionOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    expected_languages: list[str] | None = None
    fallback_language: str | None = None
    code_switching: bool | None = None
    code_switching_confidence_threshold: float | None = None


class TranscriptOptionalParams(BaseModel):
    """Every request option of POST /v2/transcript, current and legacy (legacy-2025-05 spec)."""

    model_config = ConfigDict(extra="ignore")

    audio_end_at: int | None = Field(default=None, ge=0)
    audio_start_from: int | None = Field(default=None, ge=0)
    auto_chapters: bool | None = None
    auto_highlights: bool | None = None
    boost_param: Literal["low", "default", "high"] | None = None
    content_safety: bool | None = None
    content_safety_confidence: int | None = Field(default=None, ge=25, le=100)
    custom_spelling: list[TranscriptCustomSpelling] | None = None
    custom_topics: bool | None = None
    disfluencies: bool | None = None
    dual_channel: bool | None = None
    entity_detection: bool | None = None
    filter_profanity: bool | None = None
    format_text: bool | None = None
    iab_categories: bool | None = None
    keyterms_prompt: list[str] | None = None
    language_code: str | None = None
    language_codes: list[str] | None = None
    language_confidence_threshold: float | None = Field(default=None, ge=0, le=1)
    language_detection: bool | None = None
    language_detection_options: LanguageDetectionOptions | None = None
    multichannel: bool | None = None
    prompt: str | None = None
    punctuate: bool | None = None
    redact_pii: bool | None = None
    redact_pii_audio: bool | None = None
    redact_pii_audio_options: dict[str, Any] | None = None
    redact_pii_audio_quality: Literal["mp3", "wav"] | None = None
    redact_pii_policies: list[str] | None = None
    redact_pii_sub: Literal["entity_name", "hash"] | None = None
    remove_audio_tags: Literal["all"] | None = None
    sentiment_analysis: bool | None = None
    speaker_labels: bool | None = None
    speaker_options: SpeakerOptions | None = None
    speakers_expected: int | None = Field(default=None, ge=1)
    speech_model: str | None = None
    speech_models: list[str] | None = None
    speech_threshold: float | None = Field(default=None, ge=0, le=1)
    speech_understanding: dict[str, Any] | None = None
    summarization: bool | None = None
    summary_model: str | None = None
    summary_type: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=1)
    topics: list[str] | None = None
    webhook_auth_header_name: str | None = None
    webhook_auth_header_value: str | None = None
    webhook_url: str | None = None
    word_boost: list[str] | None = None

    @property
    def multichannel_requested(self) -> bool:
        return bool(self.multichannel or self.dual_channel)


class TranscriptParams(TranscriptOptionalParams):
    audio_url: str = Field(min_length=1)


def stored_options(params: TranscriptParams) -> dict[str, Any]:
    """The options as stored on the transcript row: what the caller set, under the wire names."""
    return params.model_dump(exclude_none=True, by_alias=True, exclude={"audio_url"})


def load_options(stored: dict[str, Any] | None) -> TranscriptOptionalParams:
    """A stored request, validated again through the model (never read field by field)."""
    return TranscriptOptionalParams.model_validate(stored or {})


# --------------------------------------------------------------------------- not built yet

# Options whose feature this server does not implement yet. Asking for one is a 400 rather
# than a transcript that silently lacks what was asked for. A value equal to the API's default
# (e.g. punctuate=true) is accepted because it is what the server does anyway.
NOT_YET_SUPPORTED: dict[str, Any] = {
    "auto_chapters": False,
    "auto_highlights": False,
    "content_safety": False,
    "custom_topics": False,
    "entity_detection": False,
    "iab_categories": False,
    "language_codes": None,
    "redact_pii": False,
    "redact_pii_audio": False,
    "sentiment_analysis": False,
    "speech_understanding": None,
    "summarization": False,
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
    unsupported = unsupported_options(params)
    if unsupported:
        raise InvalidRequest(f"{', '.join(unsupported)}: not supported by this server yet")
    try:
        model = transcript_model(params, default_model)
    except UnknownSpeechModelError as exc:
        raise InvalidRequest(str(exc)) from exc
    _check_languages(params)
    _check_ranges(params)
    _check_speakers(params)
    _check_webhook(params)
    return model


def transcript_model(params: TranscriptOptionalParams, default_model: str) -> str:
    """The packaged model that runs for these options (UnknownSpeechModelError if none serves)."""
    requested = resolve_speech_model(params.speech_models, params.speech_model, default_model)
    return choose_model(requested, params.language_code or None, bool(params.language_detection))


def _check_languages(params: TranscriptOptionalParams) -> None:
    if params.language_code and not is_supported_language(params.language_code):
        raise InvalidRequest(f"language_code: '{params.language_code}' is not a supported language")
    detection = params.language_detection_options
    if detection is None:
        return
    for code in detection.expected_languages or ():
        if not is_supported_language(code):
            raise InvalidRequest(f"language_detection_options.expected_languages: '{code}' is not supported")
    fallback = detection.fallback_language
    if fallback and fallback.lower() != "auto" and not is_supported_language(fallback):
        raise InvalidRequest(f"language_detection_options.fallback_language: '{fallback}' is not supported")


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
