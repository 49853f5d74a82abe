"""Transcript JSON: a pipeline result -> the JSON stored on the row, and a row -> the ``Transcript``
object, ``TranscriptListItem`` and ``TranscriptList`` of the API.

A new result feature adds its field to :func:`result_json` and its name to ``RESULT_FIELDS``;
nothing else here changes.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Protocol

from stenograph.assemblyai.formatting import custom_formatting_json
from stenograph.assemblyai.requests import TranscriptOptionalParams
from stenograph.pipeline.types import TranscriptResult, Utterance, Word


class StoredTranscript(Protocol):
    """What the wire needs of a stored transcript row (``store.models.Transcript`` is one)."""

    @property
    def id(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def audio_url(self) -> str: ...

    @property
    def error(self) -> str | None: ...

    @property
    def request(self) -> dict[str, Any] | None: ...

    @property
    def result(self) -> dict[str, Any] | None: ...

    @property
    def unredacted(self) -> dict[str, Any] | None: ...

    @property
    def speech_model_used(self) -> str | None: ...

    @property
    def webhook_status_code(self) -> int | None: ...

    @property
    def created_at(self) -> dt.datetime | None: ...

    @property
    def completed_at(self) -> dt.datetime | None: ...


# Options accepted since the spec was published, which its Transcript object (no additional
# properties) has no place for: not echoed.
# redact_static_entities is not echoed for a second reason: its terms are what is to be hidden.
NEWER_THAN_THE_SPEC = frozenset(
    {"domain", "keyterms_prompt_options", "redact_pii_return_unredacted", "redact_static_entities"}
)
# Options echoed under their own name; the secret header value never is.
ECHOED_OPTIONS = [
    name
    for name in TranscriptOptionalParams.model_fields
    if name != "webhook_auth_header_value" and name not in NEWER_THAN_THE_SPEC
]

# Result fields of the Transcript schema, as stored by result_json; null until a feature fills them.
RESULT_FIELDS = (
    "text",
    "words",
    "utterances",
    "confidence",
    "language_confidence",
    "language_codes",
    "audio_channels",
    "auto_highlights_result",
    "chapters",
    "content_safety_labels",
    "entities",
    "iab_categories_result",
    "sentiment_analysis_results",
    "summary",
    "translated_texts",
    "throttled",
    "speed_boost",
)

UNREDACTED_FIELDS = ("unredacted_text", "unredacted_words", "unredacted_utterances")

# Optional properties of the Transcript schema that the spec does not let be null: left out of the
# body when they have no value (the spec says e.g. ``audio_channels`` "is only present when
# multichannel is enabled"; the SDKs read an absent field as null). Kept equal to the spec by
# tests/unit/assemblyai/test_spec_shapes.py.
ABSENT_WHEN_NULL = (
    "audio_channels",
    "error",
    "keyterms_prompt",
    "language_code",
    "language_detection_options",
    "prompt",
    "redact_pii_audio_options",
    "redact_pii_sub",
    "speech_model_used",
    "speech_understanding",
    "topics",
    "translated_texts",
)


# --------------------------------------------------------------------------- result -> stored JSON


def word_json(word: Word) -> dict[str, Any]:
    return {
        "text": word.text,
        "start": word.start,
        "end": word.end,
        "confidence": word.confidence,
        "speaker": word.speaker,
        "channel": word.channel,
    }


def utterance_json(utterance: Utterance) -> dict[str, Any]:
    return {
        "text": utterance.text,
        "start": utterance.start,
        "end": utterance.end,
        "confidence": utterance.confidence,
        "speaker": utterance.speaker,
        "channel": utterance.channel,
        "words": [word_json(w) for w in utterance.words],
    }


def result_json(result: TranscriptResult, params: TranscriptOptionalParams) -> dict[str, Any]:
    """The result fields stored on the row once the job completes."""
    payload: dict[str, Any] = {
        "text": result.text,
        "words": [word_json(w) for w in result.words],
        "confidence": result.confidence,
        "audio_duration": result.audio_duration,
        "language_code": result.language_code,
        "language_confidence": result.language_confidence,
        "language_codes": result.language_codes,
    }
    if result.code_switching_languages is not None:
        payload["language_detection_results"] = {
            "code_switching_languages": [
                {"language_code": code, "confidence": confidence}
                for code, confidence in result.code_switching_languages
            ]
        }
    if params.multichannel_requested:
        payload["audio_channels"] = result.audio_channels
    if result.utterances is not None:
        payload["utterances"] = [utterance_json(u) for u in result.utterances]
    if result.entities is not None:
        payload["entities"] = [
            {"entity_type": e.entity_type, "text": e.text, "start": e.start, "end": e.end}
            for e in result.entities
        ]
    if result.sentiment_analysis is not None:
        payload["sentiment_analysis_results"] = [
            {
                "text": s.text,
                "start": s.start,
                "end": s.end,
                "sentiment": s.sentiment,
                "confidence": s.confidence,
                "speaker": s.speaker,
                "channel": s.channel,
            }
            for s in result.sentiment_analysis
        ]
    if result.highlights is not None:
        payload["auto_highlights_result"] = {
            "status": "success",
            "results": [
                {
                    "count": len(h.timestamps),
                    "rank": h.rank,
                    "text": h.text,
                    "timestamps": [{"start": start, "end": end} for start, end in h.timestamps],
                }
                for h in result.highlights
            ],
        }
    if result.topics is not None:
        payload["iab_categories_result"] = {
            "status": "success",
            "results": [
                {
                    "text": segment.text,
                    "labels": [{"label": label, "relevance": value} for label, value in segment.labels],
                    "timestamp": {"start": segment.start, "end": segment.end},
                }
                for segment in result.topics.segments
            ],
            "summary": result.topics.summary,
        }
    if result.content_safety is not None:
        safety = result.content_safety
        payload["content_safety_labels"] = {
            "status": "success",
            "results": [
                {
                    "text": segment.text,
                    "labels": [
                        {"label": x.label, "confidence": x.confidence, "severity": x.severity}
                        for x in segment.labels
                    ],
                    "sentences_idx_start": segment.sentences_idx_start,
                    "sentences_idx_end": segment.sentences_idx_end,
                    "timestamp": {"start": segment.start, "end": segment.end},
                }
                for segment in safety.segments
            ],
            "summary": safety.summary,
            "severity_score_summary": safety.severity_summary,
        }
    if result.custom_formatting is not None:
        payload["speech_understanding_response"] = {
            "custom_formatting": custom_formatting_json(result.custom_formatting)
        }
    if result.redactions is not None:
        # Not rendered: the stretches the redacted audio hides (times only, no text).
        payload["redacted_spans"] = [
            {"start": r.start, "end": r.end, "channel": r.channel} for r in result.redactions
        ]
    return payload


def unredacted_json(result: TranscriptResult) -> dict[str, Any] | None:
    """The transcript before redaction, stored apart from the result (redact_pii_return_unredacted)."""
    copy = result.unredacted
    if copy is None:
        return None
    return {
        "unredacted_text": copy.text,
        "unredacted_words": [word_json(w) for w in copy.words],
        "unredacted_utterances": (
            [utterance_json(u) for u in copy.utterances] if copy.utterances is not None else None
        ),
    }


# --------------------------------------------------------------------------- row -> API objects


def timestamp(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat() if value else None


def transcript_json(row: StoredTranscript) -> dict[str, Any]:
    # Any stored row renders, whatever an older server or a hand edit left in its JSON columns.
    request = row.request if isinstance(row.request, dict) else {}
    result = row.result if isinstance(row.result, dict) else {}
    body: dict[str, Any] = {name: request.get(name) for name in ECHOED_OPTIONS}
    body.update({name: result.get(name) for name in RESULT_FIELDS})
    body.update(
        {
            "id": row.id,
            "status": row.status,
            "audio_url": row.audio_url,
            "error": row.error,
            "audio_duration": _whole_seconds(result.get("audio_duration")),
            "speech_model_used": row.speech_model_used,
            # Required booleans of the Transcript schema: false when not asked for.
            "webhook_auth": bool(request.get("webhook_auth_header_name")),
            "webhook_status_code": row.webhook_status_code,
            "auto_highlights": bool(request.get("auto_highlights")),
            "redact_pii": bool(request.get("redact_pii")),
            "summarization": bool(request.get("summarization")),
            "language_model": "assemblyai_default",
            "acoustic_model": "assemblyai_default",
        }
    )
    detected = result.get("language_code")
    if detected and isinstance(detected, str):
        body["language_code"] = _assemblyai_language(detected, request.get("language_code"))
    for name in ABSENT_WHEN_NULL:
        if body.get(name) is None:
            body.pop(name, None)
    # Newer than the spec (the SDKs model them): present only with code switching, and only with
    # redact_pii_return_unredacted.
    if result.get("language_detection_results") is not None:
        body["language_detection_results"] = result["language_detection_results"]
    response = result.get("speech_understanding_response")
    if isinstance(response, dict):
        body["speech_understanding"] = {**(body.get("speech_understanding") or {}), "response": response}
    unredacted = getattr(row, "unredacted", None)
    if isinstance(unredacted, dict):
        body.update({name: unredacted.get(name) for name in UNREDACTED_FIELDS})
    return body


def _whole_seconds(seconds: object) -> int | None:
    # The spec (and the Python SDK's model) types audio_duration as an integer number of seconds.
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not math.isfinite(seconds):
        return None
    return round(seconds)


def _assemblyai_language(detected: str, requested: object) -> str:
    """Keep the caller's own spelling (``en_us``) when it names the language that ran."""
    if isinstance(requested, str) and requested.lower().replace("-", "_").split("_", 1)[0] == detected:
        return requested
    return detected


def list_item_json(row: StoredTranscript, base_url: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "resource_url": f"{base_url}/v2/transcript/{row.id}",
        "status": row.status,
        "created": timestamp(row.created_at),
        "completed": timestamp(row.completed_at),
        "audio_url": row.audio_url,
        "error": row.error,
    }


def transcript_list_json(
    rows: list[StoredTranscript],
    *,
    base_url: str,
    limit: int,
    current_url: str,
    prev_url: str | None,
    next_url: str | None,
) -> dict[str, Any]:
    return {
        "page_details": {
            "limit": limit,
            "result_count": len(rows),
            "current_url": current_url,
            "prev_url": prev_url,
            "next_url": next_url,
        },
        "transcripts": [list_item_json(row, base_url) for row in rows],
    }
