"""Webhooks on the wire: where a transcript's notification goes (from its stored request) and the
body posted (``TranscriptReadyNotification``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stenograph.assemblyai.requests import load_options


@dataclass(frozen=True)
class WebhookTarget:
    url: str
    headers: dict[str, str]  # the caller's auth header, if it asked for one


def webhook_target(stored_request: dict[str, Any] | None) -> WebhookTarget | None:
    """The webhook a stored request asked for, or None."""
    params = load_options(stored_request)
    if not params.webhook_url:
        return None
    name = params.webhook_auth_header_name
    headers = {name: params.webhook_auth_header_value or ""} if name else {}
    return WebhookTarget(params.webhook_url, headers)


def notification_json(transcript_id: str, status: str) -> dict[str, str]:
    return {"transcript_id": transcript_id, "status": status}
