"""Redacted audio on the wire: what a request asks for (``redact_pii_audio`` and its options), the
``RedactedAudioResponse`` / ``RedactedAudioNotification`` bodies, and the capability URL of the
file: ``/v2/redacted-audio/<transcript id>.<mp3|wav>?expires=<epoch s>&signature=<HMAC>``.

The URL needs no API key (the SDKs fetch it with a plain GET, as they fetch AssemblyAI's presigned
S3 URLs): holding it is the permission. Its signature is an HMAC-SHA256 over the file and the expiry
time under the server's signing key, so it cannot be made for another file or made to last longer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlencode

from stenograph.assemblyai.requests import TranscriptOptionalParams

READY = "redacted_audio_ready"
PROCESSING = "redacted_audio_processing"  # ours, with the 202 (the spec documents only the 200)
FILE_PATH = "/v2/redacted-audio"


@dataclass(frozen=True)
class RedactedAudioRequest:
    format: Literal["mp3", "wav"]
    method: Literal["beep", "silence"]
    return_no_speech: bool  # a file even when the audio holds no speech


def redacted_audio_request(params: TranscriptOptionalParams) -> RedactedAudioRequest | None:
    """What ``params`` ask of the redacted audio, or None when they ask for none."""
    if not params.redact_pii_audio:
        return None
    options = params.redact_pii_audio_options
    return RedactedAudioRequest(
        format=params.redact_pii_audio_quality or "mp3",
        method="silence" if options and options.override_audio_redaction_method == "silence" else "beep",
        return_no_speech=bool(options and options.return_redacted_no_speech_audio),
    )


def _signature(key: bytes, name: str, expires: int) -> str:
    digest = hmac.new(key, f"redacted-audio\n{name}\n{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def signed_url(base_url: str, name: str, key: bytes, expires: int) -> str:
    """The capability URL of the stored redacted audio ``name``, good until ``expires`` (epoch s)."""
    query = urlencode({"expires": expires, "signature": _signature(key, name, expires)})
    return f"{base_url.rstrip('/')}{FILE_PATH}/{name}?{query}"


def signature_valid(name: str, expires: str, signature: str, key: bytes) -> bool:
    """Whether ``signature`` is this server's for ``name`` and ``expires`` (expiry not checked)."""
    if not expires.isdigit() or len(expires) > 12:
        return False
    return hmac.compare_digest(_signature(key, name, int(expires)), signature)


def ready_json(url: str) -> dict[str, str]:
    """``RedactedAudioResponse``, which is also the webhook's ``RedactedAudioNotification``."""
    return {"status": READY, "redacted_audio_url": url}


def processing_json() -> dict[str, str]:
    return {"status": PROCESSING}
