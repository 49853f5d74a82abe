"""Redacted audio on the wire: the options a request asks for and the signed capability URL."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from stenograph.assemblyai.redacted_audio import (
    READY,
    RedactedAudioRequest,
    ready_json,
    redacted_audio_request,
    signature_valid,
    signed_url,
)
from stenograph.assemblyai.requests import TranscriptOptionalParams

KEY = b"k" * 32
NAME = "0b5c2f38-4a5e-4a0e-9f6e-0d1b2c3d4e5f.1.mp3"


def asked(**options: object) -> RedactedAudioRequest | None:
    return redacted_audio_request(TranscriptOptionalParams.model_validate(options))


def test_the_options_and_their_defaults() -> None:
    assert asked() is None and asked(redact_pii=True) is None
    assert asked(redact_pii=True, redact_pii_audio=True) == RedactedAudioRequest("mp3", "beep", False)
    assert asked(
        redact_pii=True,
        redact_pii_audio=True,
        redact_pii_audio_quality="wav",
        redact_pii_audio_options={
            "override_audio_redaction_method": "silence",
            "return_redacted_no_speech_audio": True,
        },
    ) == RedactedAudioRequest("wav", "silence", True)


def test_a_signed_url_checks_only_for_its_file_and_expiry() -> None:
    expires = int(time.time()) + 60
    url = signed_url("https://stt.example/", NAME, KEY, expires)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"https://stt.example/v2/redacted-audio/{NAME}"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["expires"] == str(expires)
    assert signature_valid(NAME, query["expires"], query["signature"], KEY)
    assert not signature_valid(NAME, str(expires + 1), query["signature"], KEY)
    assert not signature_valid(NAME.replace(".mp3", ".wav"), query["expires"], query["signature"], KEY)
    assert not signature_valid(NAME, query["expires"], query["signature"], b"x" * 32)
    assert not signature_valid(NAME, "-1", query["signature"], KEY)
    assert not signature_valid(NAME, "", "", KEY)
    assert ready_json(url) == {"status": READY, "redacted_audio_url": url}
