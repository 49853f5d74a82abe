"""The wire's request side: parsing and checks of POST /v2/transcript, the stored request and its
mapping onto the pipeline's options, and the transcript JSON built from a row."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from stenograph.assemblyai.options import pipeline_options
from stenograph.assemblyai.requests import (
    InvalidRequest,
    TranscriptParams,
    check_transcript_params,
    load_options,
    stored_options,
)
from stenograph.assemblyai.transcripts import (
    ABSENT_WHEN_NULL,
    ECHOED_OPTIONS,
    RESULT_FIELDS,
    transcript_json,
)
from stenograph.pipeline.types import CustomSpelling, TranscribeOptions


def params(**fields: Any) -> TranscriptParams:
    return TranscriptParams.model_validate({"audio_url": "https://example.com/a.mp3", **fields})


def test_the_stored_request_maps_onto_the_pipeline_options() -> None:
    request = params(
        language_code="de",
        language_detection_options={"expected_languages": ["de", "fr"], "fallback_language": "fr"},
        language_confidence_threshold=0.4,
        prompt="Names: Ada.",
        word_boost=["Ada"],
        temperature=0.2,
        audio_start_from=1000,
        audio_end_at=5000,
        speech_threshold=0.3,
        dual_channel=True,
        punctuate=False,
        format_text=False,
        disfluencies=True,
        filter_profanity=True,
        custom_spelling=[{"from": ["ada", "adda"], "to": "Ada"}],
        speaker_labels=True,
        speakers_expected=2,
        speaker_options={"min_speakers_expected": 1, "max_speakers_expected": 3},
        some_future_field="ignored",
    )
    stored = stored_options(request)
    assert stored["custom_spelling"] == [{"from": ["ada", "adda"], "to": "Ada"}]  # the wire's own name
    assert "audio_url" not in stored and "some_future_field" not in stored
    assert pipeline_options(load_options(stored), "base") == TranscribeOptions(
        model="base",
        language_code="de",
        expected_languages=("de", "fr"),
        fallback_language="fr",
        language_confidence_threshold=0.4,
        prompt="Names: Ada.",
        keyterms=("Ada",),
        temperature=0.2,
        start_ms=1000,
        end_ms=5000,
        speech_threshold=0.3,
        multichannel=True,
        punctuate=False,
        format_text=False,
        disfluencies=True,
        filter_profanity=True,
        custom_spelling=(CustomSpelling(("ada", "adda"), "Ada"),),
        speaker_labels=True,
        speakers_expected=2,
        min_speakers=1,
        max_speakers=3,
    )


def test_an_empty_request_gets_the_api_defaults() -> None:
    options = pipeline_options(load_options(stored_options(params())), "tiny.en")
    assert options == TranscribeOptions(model="tiny.en")
    assert options.punctuate and options.format_text and not options.multichannel
    assert pipeline_options(load_options(None), "tiny.en") == options


def test_keyterms_prompt_wins_over_word_boost() -> None:
    request = params(keyterms_prompt=["Stenograph"], word_boost=["other"])
    assert pipeline_options(request, "tiny.en").keyterms == ("Stenograph",)


@pytest.mark.parametrize(
    ("fields", "model"),
    [
        ({}, "tiny.en"),
        ({"language_code": ""}, "tiny.en"),  # the SDKs may send an empty code: as if absent
        ({"speech_model": "best"}, "base"),
        ({"speech_models": ["nano"], "language_code": "en_us"}, "tiny.en"),
        ({"speech_models": ["nano"], "language_code": "de"}, "base"),  # stored as what will run
        ({"language_detection": True}, "base"),
        ({"language_codes": ["en", "de"]}, "base"),  # code switching detects: the multilingual model
    ],
)
def test_the_model_stored_is_the_model_that_runs(fields: dict[str, Any], model: str) -> None:
    assert check_transcript_params(params(**fields), "tiny.en") == model


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"custom_topics": True}, "custom_topics: not supported by this server yet"),
        ({"auto_chapters": True, "summarization": True}, "Only one of the following models"),
        ({"summarization": True, "summary_type": "haiku"}, "summary_type: 'haiku' is not one of"),
        ({"summarization": True, "summary_model": "witty"}, "summary_model: 'witty' is not one of"),
        (
            {"summarization": True, "summary_model": "catchy", "summary_type": "bullets"},
            "summary_model: 'catchy' supports summary_type 'headline' or 'gist' only",
        ),
        (
            {"speech_understanding": {"request": {"speaker_identification": {"speaker_type": "role"}}}},
            "speaker_identification.known_values: required when speaker_type is 'role'",
        ),
        (
            {"speech_understanding": {"request": {"speaker_identification": {"speaker_type": "boss"}}}},
            "speaker_identification.speaker_type: required, 'role' or 'name'",
        ),
        (
            {"speech_understanding": {"request": {"speaker_identification": {"speaker_type": "name"}}}},
            "speaker_identification: needs speaker_labels",
        ),
        (
            {"speech_understanding": {"request": {"translation": {"target_languages": []}}}},
            "translation.target_languages: a list of 1 to 5 strings",
        ),
        (
            {"speech_understanding": {"request": {"translation": {"target_languages": ["Spanish!"]}}}},
            "translation.target_languages: 'Spanish!' is not a language code",
        ),
        (
            {"speech_understanding": {"request": {"summarization": {"summary_type": "gist"}}}},
            "summarization.summary_type: required, 'bullets' or 'paragraph'",
        ),
        (
            {
                "speech_understanding": {
                    "request": {"summarization": {"summary_type": "bullets", "headline_length": 30}}
                }
            },
            "summarization.headline_length: an integer from 5 to 15",
        ),
        (
            {
                "speech_understanding": {
                    "request": {"summarization": {"summary_type": "bullets", "effort": "medium"}}
                }
            },
            "summarization.effort: 'medium' is not supported by this server",
        ),
        (
            {
                "speech_understanding": {
                    "request": {"custom_formatting": {"date": "mm/dd", "effort": "medium"}}
                }
            },
            "custom_formatting.effort: 'medium' is not supported by this server",
        ),
        (
            {
                "speech_understanding": {
                    "request": {"translation": {"target_languages": ["de"], "effort": "max"}}
                }
            },
            "translation.effort: 'low' (the default) or 'medium', not 'max'",
        ),
        ({"iab_categories": True, "language_code": "fr"}, "iab_categories: supported for English"),
        ({"sentiment_analysis": True, "language_code": "de"}, "sentiment_analysis: supported for English"),
        ({"speech_models": ["large"]}, "speech_models: unknown model 'large'"),
        ({"language_code": "xx"}, "language_code: 'xx' is not a supported language"),
        ({"audio_start_from": 5, "audio_end_at": 5}, "audio_end_at: must be greater than audio_start_from"),
        ({"custom_spelling": [{"from": [" "], "to": "x"}]}, "custom_spelling: every rule needs"),
        ({"speaker_options": {"min_speakers_expected": 3, "max_speakers_expected": 2}}, "greater than"),
        ({"webhook_url": "ftp://example.com"}, "webhook_url: must be an http(s) URL"),
        ({"webhook_auth_header_value": "x"}, "webhook_auth_header_name: required"),
        ({"webhook_auth_header_name": "Host", "webhook_auth_header_value": "x"}, "not a usable HTTP header"),
        # A known language and detection are alternatives, as on AssemblyAI.
        ({"language_detection": True, "language_code": "en"}, "language_code: cannot be used together"),
        ({"language_codes": ["en", "qq"]}, "language_codes: 'qq' is not a supported language"),
        ({"language_codes": ["en", "de"], "language_code": "en"}, "language_codes: cannot be used together"),
        (
            {"language_detection_options": {"code_switching": True}},
            "language_detection_options.code_switching: requires language_detection",
        ),
        # Not built: refused by name, never ignored.
        (
            {"language_detection": True, "language_detection_options": {"localization": ["en_uk", "en_au"]}},
            "language_detection_options.localization: at most one locale per language",
        ),
        (
            {"language_detection": True, "language_detection_options": {"swiss_german": True}},
            "language_detection_options.swiss_german: not supported",
        ),
        (
            {"keyterms_prompt": ["Ada"], "keyterms_prompt_options": {"keyterms_match_strength": "high"}},
            "keyterms_prompt_options.keyterms_match_strength 'high': not supported",
        ),
        ({"domain": "medical-v1"}, "domain: 'medical-v1' is not supported"),
    ],
)
def test_requests_the_models_cannot_check_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest, match=re.escape(message)):
        check_transcript_params(params(**fields), "tiny.en")


def test_defaults_equal_to_the_api_default_are_accepted() -> None:
    assert check_transcript_params(params(sentiment_analysis=False, language_codes=[]), "tiny.en")


def test_effort_low_is_accepted_on_every_understanding_task() -> None:
    request = {
        "translation": {"target_languages": ["de"], "effort": "low"},
        "summarization": {"summary_type": "paragraph", "effort": "low"},
        "custom_formatting": {"date": "mm/dd/yyyy", "effort": "low"},
    }
    assert check_transcript_params(params(speech_understanding={"request": request}), "tiny.en")


@dataclass
class Row:
    id: str = "t1"
    status: str = "completed"
    audio_url: str = "https://example.com/a.mp3"
    error: str | None = None
    request: dict[str, Any] | None = field(default_factory=dict)
    result: dict[str, Any] | None = None
    speech_model_used: str | None = "tiny.en"
    webhook_status_code: int | None = None
    created_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None


def test_the_transcript_echoes_options_and_never_the_webhook_secret() -> None:
    request = stored_options(
        params(
            punctuate=False,
            language_code="en_us",
            webhook_url="https://example.com/hook",
            webhook_auth_header_name="X-Secret",
            webhook_auth_header_value="s3cret",
        )
    )
    body = transcript_json(
        Row(request=request, result={"text": "Hi.", "language_code": "en", "audio_duration": 10.6})
    )
    assert "s3cret" not in repr(body) and "webhook_auth_header_value" not in body
    assert body["webhook_auth"] is True and body["webhook_auth_header_name"] == "X-Secret"
    assert body["punctuate"] is False and body["format_text"] is None
    assert body["language_code"] == "en_us"  # the caller's spelling of the language that ran
    assert body["audio_duration"] == 11 and body["text"] == "Hi."
    assert (set(ECHOED_OPTIONS) | set(RESULT_FIELDS)) - set(ABSENT_WHEN_NULL) <= set(body)
    assert not set(ABSENT_WHEN_NULL) - {"language_code", "speech_model_used"} & set(body)
    assert body["sentiment_analysis_results"] is None and body["utterances"] is None


@pytest.mark.parametrize(
    "fields",
    [
        {"remove_audio_tags": "speaker"},
        {"remove_audio_tags": "all"},
        {"keyterms_prompt": ["Ada"], "keyterms_prompt_options": {"keyterms_match_strength": "standard"}},
        {"language_detection": True, "language_detection_options": {"swiss_german": False}},
        {"language_detection": True, "language_detection_options": {"localization": []}},
        {"language_detection": True, "language_detection_options": {"localization": ["en_au"]}},
        {"language_code": None, "language_detection": True},
        {"language_code": "de", "language_detection": False},
    ],
)
def test_late_2026_options_the_server_honours_are_accepted(fields: dict[str, Any]) -> None:
    check_transcript_params(params(**fields), "tiny.en")


def test_unknown_values_of_the_new_options_are_refused() -> None:
    with pytest.raises(ValueError, match="remove_audio_tags"):
        params(remove_audio_tags="music")
    with pytest.raises(ValueError, match="on_low_language_confidence"):
        params(language_detection_options={"on_low_language_confidence": "ignore"})
    with pytest.raises(ValueError, match="code_switching_confidence_threshold"):
        params(language_detection_options={"code_switching_confidence_threshold": 1.5})


def test_code_switching_options_map_onto_the_pipeline() -> None:
    listed = pipeline_options(params(language_codes=["en", "es"]), "base")
    assert listed.language_codes == ("en", "es") and listed.switches_language
    assert listed.code_switching_threshold == 0.3  # the API's default
    detected = pipeline_options(
        params(
            language_detection=True,
            language_detection_options={
                "code_switching": True,
                "code_switching_confidence_threshold": 0.6,
                "on_low_language_confidence": "fallback",
            },
        ),
        "base",
    )
    assert detected.code_switching and detected.switches_language
    assert detected.code_switching_threshold == 0.6 and detected.low_confidence_fallback
    localized = params(language_detection=True, language_detection_options={"localization": ["en_uk"]})
    assert pipeline_options(localized, "base").british_spelling
    plain = pipeline_options(params(language_detection=True), "base")
    assert not plain.switches_language and not plain.low_confidence_fallback
