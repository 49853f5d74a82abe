"""A stored POST /v2/transcript request -> the pipeline's TranscribeOptions."""

from __future__ import annotations

from typing import Any

from stenograph.pipeline.types import CustomSpelling, TranscribeOptions


def transcribe_options(request: dict[str, Any], model: str) -> TranscribeOptions:
    detection = request.get("language_detection_options") or {}
    speaker_options = request.get("speaker_options") or {}
    return TranscribeOptions(
        model=model,
        language_code=request.get("language_code"),
        language_detection=bool(request.get("language_detection")),
        expected_languages=tuple(detection.get("expected_languages") or ()),
        fallback_language=detection.get("fallback_language"),
        language_confidence_threshold=request.get("language_confidence_threshold"),
        prompt=request.get("prompt"),
        keyterms=tuple(request.get("keyterms_prompt") or request.get("word_boost") or ()),
        temperature=request.get("temperature"),
        start_ms=request.get("audio_start_from"),
        end_ms=request.get("audio_end_at"),
        speech_threshold=request.get("speech_threshold"),
        multichannel=bool(request.get("multichannel") or request.get("dual_channel")),
        punctuate=request.get("punctuate") is not False,
        format_text=request.get("format_text") is not False,
        disfluencies=bool(request.get("disfluencies")),
        filter_profanity=bool(request.get("filter_profanity")),
        custom_spelling=tuple(
            CustomSpelling(tuple(rule["from"]), rule["to"]) for rule in request.get("custom_spelling") or ()
        ),
        speaker_labels=bool(request.get("speaker_labels")),
        speakers_expected=request.get("speakers_expected"),
        min_speakers=speaker_options.get("min_speakers_expected"),
        max_speakers=speaker_options.get("max_speakers_expected"),
    )
