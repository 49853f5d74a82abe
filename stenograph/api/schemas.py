"""Wire models for ``POST /v2/transcript`` (see ../shared/spec/openapi.yml, TranscriptParams).

Unknown fields are ignored, as the SDKs pass extra fields through. Every known option is stored
and echoed on the transcript object (null when the caller did not set it).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class CustomSpelling(BaseModel):
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


class TranscriptOptions(BaseModel):
    """Every request option of POST /v2/transcript, current and legacy (legacy-2025-05 spec)."""

    model_config = ConfigDict(extra="ignore")

    audio_end_at: int | None = Field(default=None, ge=0)
    audio_start_from: int | None = Field(default=None, ge=0)
    auto_chapters: bool | None = None
    auto_highlights: bool | None = None
    boost_param: Literal["low", "default", "high"] | None = None
    content_safety: bool | None = None
    content_safety_confidence: int | None = Field(default=None, ge=25, le=100)
    custom_spelling: list[CustomSpelling] | None = None
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


class TranscriptRequest(TranscriptOptions):
    audio_url: str = Field(min_length=1)


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


def unsupported_options(options: TranscriptOptions) -> list[str]:
    asked = options.model_dump(exclude_none=True)
    return [
        name
        for name, default in NOT_YET_SUPPORTED.items()
        if name in asked and asked[name] != default and asked[name] not in ([], {})
    ]
