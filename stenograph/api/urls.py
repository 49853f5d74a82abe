"""Absolute URLs on the server's own host (the SDKs follow them as given)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi import Request

from stenograph.runtime import Runtime

UPLOAD_PATH = re.compile(r"^/v2/upload/(?P<id>[0-9a-f]{32})$")


def base_url(request: Request, runtime: Runtime) -> str:
    configured = runtime.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def upload_id_from_url(audio_url: str) -> str | None:
    """The upload id when ``audio_url`` is one of our own upload URLs."""
    match = UPLOAD_PATH.match(urlsplit(audio_url).path)
    return match.group("id") if match else None
