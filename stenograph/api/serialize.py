"""Transcript rows to the AssemblyAI wire shapes (Transcript, TranscriptListItem)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from stenograph.api.schemas import TranscriptOptions
from stenograph.store.models import Transcript

# Options echoed under their own name; the secret header value never is.
_ECHOED = [name for name in TranscriptOptions.model_fields if name != "webhook_auth_header_value"]

# Result fields of the Transcript schema that no implemented feature fills yet.
_RESULT_FIELDS_NULL = (
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


def timestamp(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat() if value else None


def transcript_json(row: Transcript) -> dict[str, Any]:
    request = row.request or {}
    result = row.result or {}
    body: dict[str, Any] = {name: request.get(name) for name in _ECHOED}
    body.update(dict.fromkeys(_RESULT_FIELDS_NULL))
    body.update(
        {
            "id": row.id,
            "status": row.status,
            "audio_url": row.audio_url,
            "error": row.error,
            "text": result.get("text"),
            "words": result.get("words"),
            "confidence": result.get("confidence"),
            "audio_duration": _whole_seconds(result.get("audio_duration")),
            "language_confidence": result.get("language_confidence"),
            "audio_channels": result.get("audio_channels"),
            "utterances": result.get("utterances"),
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
    if result.get("language_code"):
        body["language_code"] = _assemblyai_language(result["language_code"], request.get("language_code"))
    return body


def _whole_seconds(seconds: float | None) -> int | None:
    # The spec (and the Python SDK's model) types audio_duration as an integer number of seconds.
    return None if seconds is None else round(seconds)


def _assemblyai_language(detected: str, requested: str | None) -> str:
    """Keep the caller's own spelling (``en_us``) when it names the language that ran."""
    if requested and requested.lower().replace("-", "_").split("_", 1)[0] == detected:
        return requested
    return detected


def list_item_json(row: Transcript, base_url: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "resource_url": f"{base_url}/v2/transcript/{row.id}",
        "status": row.status,
        "created": timestamp(row.created_at),
        "completed": timestamp(row.completed_at),
        "audio_url": row.audio_url,
        "error": row.error,
    }
