"""Request options -> the pipeline's TranscribeOptions: the one place AssemblyAI's option names meet
the pipeline's, done from the typed model."""

from __future__ import annotations

from stenograph.assemblyai.requests import (
    LanguageDetectionOptions,
    TranscriptOptionalParams,
    custom_formatting_patterns,
)
from stenograph.pipeline.types import CustomSpelling, TranscribeOptions

CODE_SWITCHING_THRESHOLD = 0.3  # the API's default code_switching_confidence_threshold


def pipeline_options(params: TranscriptOptionalParams, model: str) -> TranscribeOptions:
    """What the pipeline runs for ``params`` on ``model`` (the model chosen when the job was made)."""
    detection = params.language_detection_options
    speakers = params.speaker_options
    return TranscribeOptions(
        model=model,
        language_code=params.language_code or None,  # "" is not given
        language_detection=bool(params.language_detection),
        expected_languages=tuple(detection.expected_languages or ()) if detection else (),
        fallback_language=detection.fallback_language if detection else None,
        language_confidence_threshold=params.language_confidence_threshold,
        low_confidence_fallback=bool(detection and detection.on_low_language_confidence == "fallback"),
        language_codes=tuple(params.language_codes or ()),
        code_switching=bool(detection and detection.code_switching),
        code_switching_threshold=_threshold(detection),
        prompt=params.prompt,
        keyterms=tuple(params.keyterms_prompt or params.word_boost or ()),
        temperature=params.temperature,
        start_ms=params.audio_start_from,
        end_ms=params.audio_end_at,
        speech_threshold=params.speech_threshold,
        multichannel=params.multichannel_requested,
        punctuate=params.punctuate is not False,
        format_text=params.format_text is not False,
        disfluencies=bool(params.disfluencies),
        filter_profanity=bool(params.filter_profanity),
        british_spelling=bool(detection and detection.localization),
        custom_spelling=tuple(
            CustomSpelling(tuple(rule.from_), rule.to) for rule in params.custom_spelling or ()
        ),
        speaker_labels=bool(params.speaker_labels),
        speakers_expected=params.speakers_expected,
        min_speakers=speakers.min_speakers_expected if speakers else None,
        max_speakers=speakers.max_speakers_expected if speakers else None,
        redact_pii=bool(params.redact_pii),
        redact_policies=tuple(params.redact_pii_policies or ()) if params.redact_pii else (),
        redact_substitution=params.redact_pii_sub or "hash",
        redact_static_entities=tuple(
            (label, tuple(terms)) for label, terms in (params.redact_static_entities or {}).items()
        ),
        return_unredacted=bool(params.redact_pii and params.redact_pii_return_unredacted),
        entity_detection=bool(params.entity_detection),
        sentiment_analysis=bool(params.sentiment_analysis),
        auto_highlights=bool(params.auto_highlights),
        iab_categories=bool(params.iab_categories),
        content_safety=bool(params.content_safety),
        content_safety_confidence=params.content_safety_confidence or 50,
        custom_formatting=tuple(custom_formatting_patterns(params).items()),
    )


def _threshold(detection: LanguageDetectionOptions | None) -> float:
    given = detection.code_switching_confidence_threshold if detection else None
    return CODE_SWITCHING_THRESHOLD if given is None else given
