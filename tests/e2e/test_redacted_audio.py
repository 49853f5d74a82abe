"""Redacted audio (redact_pii_audio) against a live server: through the official Python SDK
(``get_redacted_audio_url``, ``save_redacted_audio``), raw HTTP for the errors and the capability
URL, the webhook, deletion, and a second transcription of the redacted audio with the same model."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import av
import httpx
import numpy as np
import pytest

from stenograph.pipeline.redacted_audio import PAD_MS
from tests.support.audio_refs import normalise
from tests.support.live_server import LiveServer, create_key

# In jfk.wav, "Americans" is a nationality, and "country" (said twice) is pinned as a static entity.
PII = {
    "redact_pii": True,
    "redact_pii_policies": ["nationality"],
    "redact_static_entities": {"place": ["country"]},
}


def api(server: LiveServer, key: str | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=server.base_url, headers={"Authorization": key or server.api_key}, timeout=60
    )


def transcribe(client: httpx.Client, audio: Path, **options: Any) -> dict[str, Any]:
    upload_url = client.post("/v2/upload", content=audio.read_bytes()).json()["upload_url"]
    created = client.post("/v2/transcript", json={"audio_url": upload_url, **options})
    assert created.status_code == 200, created.text
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        body = client.get(f"/v2/transcript/{created.json()['id']}").json()
        if body["status"] in ("completed", "error"):
            return dict(body)
        time.sleep(0.2)
    raise TimeoutError(created.json()["id"])


def read_native(path: Path) -> tuple[np.ndarray, int]:
    """(channels, n) float32 samples at the file's own rate, and the rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="fltp", layout=stream.layout.name, rate=rate)
        chunks = [out.to_ndarray() for f in container.decode(stream) for out in resampler.resample(f)]
    return np.concatenate(chunks, axis=1), rate


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def hidden_words(words: list[Any]) -> list[tuple[int, int]]:
    """(start, end) of the words redaction replaced (hash substitution: '#' characters)."""
    return [
        (w["start"], w["end"]) if isinstance(w, dict) else (w.start, w.end) for w in words if "#" in _text(w)
    ]


def _text(word: Any) -> str:
    return str(word["text"] if isinstance(word, dict) else word.text)


def signing_key(server: LiveServer) -> bytes:
    """The key the server signs with: the one migration made in its database."""
    with sqlite3.connect(server.data_dir / "stenograph.db") as db:
        (value,) = db.execute(
            "SELECT value FROM server_secrets WHERE name = 'redacted_audio_url_signing'"
        ).fetchone()
    return str(value).encode()


def sign(key: bytes, name: str, expires: int) -> str:
    digest = hmac.new(key, f"redacted-audio\n{name}\n{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def redacted_files(server: LiveServer) -> list[str]:
    folder = server.data_dir / "uploads" / "redacted"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


# --------------------------------------------------------------------------- the Python SDK


def test_python_sdk_redacted_audio_beeps_the_pii_and_a_second_pass_does_not_hear_it(
    aai_client: Any, server: LiveServer, shared_audio: Path, tmp_path: Path
) -> None:
    aai = aai_client
    source = shared_audio / "jfk" / "jfk.wav"
    config = aai.TranscriptionConfig(
        redact_pii=True,
        redact_pii_policies=[aai.PIIRedactionPolicy.nationality],
        redact_pii_audio=True,
        redact_pii_audio_quality=aai.PIIRedactedAudioQuality.wav,
    )
    transcript = aai.Transcriber().transcribe(str(source), config)
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    assert "americans" not in normalise(transcript.text)
    spans = hidden_words(transcript.words)
    assert len(spans) == 1, transcript.text

    url = transcript.get_redacted_audio_url()
    assert url.startswith(f"{server.base_url}/v2/redacted-audio/") and url.split("?")[0].endswith(".wav")
    saved = tmp_path / "redacted.wav"
    transcript.save_redacted_audio(str(saved))

    original, rate = read_native(source)
    redacted, redacted_rate = read_native(saved)
    assert redacted_rate == rate and redacted.shape == original.shape
    start, end = spans[0]
    inside = redacted[0, (start + 20) * rate // 1000 : (end - 20) * rate // 1000]
    assert peak_hz(inside, rate) == pytest.approx(1000, abs=10)
    # The hidden stretch starts at the end of the word before, PAD_MS earlier: before it, the source.
    index = next(i for i, w in enumerate(transcript.words) if "#" in w.text)
    stretch_start = min(start, transcript.words[index - 1].end) - PAD_MS
    before = slice(0, max(0, stretch_start - 20) * rate // 1000)
    assert np.array_equal(redacted[:, before], original[:, before])

    # The same model on the redacted audio: the rest is heard, the redacted word is not.
    again = aai.Transcriber().transcribe(str(saved))
    assert again.status == aai.TranscriptStatus.completed
    heard = normalise(again.text)
    assert "americans" not in heard and "american" not in heard
    assert heard.startswith("and so my fellow") and "not what your country can do for you" in heard


def test_mp3_by_default_and_silence_with_static_entities(server: LiveServer, shared_audio: Path) -> None:
    with api(server) as client:
        body = transcribe(
            client,
            shared_audio / "jfk" / "jfk.wav",
            **PII,
            redact_pii_audio=True,
            redact_pii_audio_options={"override_audio_redaction_method": "silence"},
        )
        assert body["status"] == "completed", body.get("error")
        assert body["redact_pii_audio_options"] == {"override_audio_redaction_method": "silence"}
        spans = hidden_words(body["words"])
        assert len(spans) == 3, body["text"]  # Americans, country, country
        answer = client.get(f"/v2/transcript/{body['id']}/redacted-audio")
        assert answer.status_code == 200
        assert set(answer.json()) == {"status", "redacted_audio_url"}
        assert answer.json()["status"] == "redacted_audio_ready"
        url = answer.json()["redacted_audio_url"]
    audio = httpx.get(url)  # no API key: the URL is the permission
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    head = httpx.head(url)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(audio.content)
    part = httpx.get(url, headers={"Range": "bytes=0-99"})  # players and resumed downloads
    assert part.status_code == 206 and part.content == audio.content[:100]
    path = server.data_dir / "fetched.mp3"
    path.write_bytes(audio.content)
    redacted, rate = read_native(path)
    assert rate == 16000 and redacted.shape[0] == 1
    assert abs(redacted.shape[1] - 176000) <= 1152
    for start, end in spans:
        assert (
            float(np.abs(redacted[0, (start + 40) * rate // 1000 : (end - 40) * rate // 1000]).max()) < 0.01
        )
    assert float(np.abs(redacted).max()) > 0.1  # the speech around them is kept


# --------------------------------------------------------------------------- errors and the URL


def test_not_asked_other_projects_forged_and_expired_urls(server: LiveServer, shared_audio: Path) -> None:
    with api(server) as client:
        plain = transcribe(client, shared_audio / "jfk" / "jfk.wav")
        answer = client.get(f"/v2/transcript/{plain['id']}/redacted-audio")
        assert answer.status_code == 400 and "redact_pii_audio" in answer.json()["error"]
        assert (
            client.get("/v2/transcript/00000000-0000-0000-0000-000000000000/redacted-audio").status_code
            == 404
        )
        body = transcribe(client, shared_audio / "jfk" / "jfk.wav", **PII, redact_pii_audio=True)
        url = client.get(f"/v2/transcript/{body['id']}/redacted-audio").json()["redacted_audio_url"]
    with api(server, create_key(server)) as theirs:  # another project's key sees no such transcript
        answer = theirs.get(f"/v2/transcript/{body['id']}/redacted-audio")
        assert answer.status_code == 404 and answer.json() == {"error": "Transcript not found"}
    assert httpx.get(f"{server.base_url}/v2/transcript/{body['id']}/redacted-audio").status_code == 401

    parts = urlsplit(url)
    name = parts.path.rsplit("/", 1)[1]
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    base = f"{server.base_url}{parts.path}"
    assert httpx.get(url).status_code == 200
    forged = httpx.get(base, params={**query, "signature": query["signature"][:-2] + "AA"})
    assert forged.status_code == 403 and "error" in forged.json()
    longer = httpx.get(base, params={**query, "expires": str(int(query["expires"]) + 3600)})
    assert longer.status_code == 403
    assert httpx.get(base).status_code == 403
    other = name.replace(".mp3", ".wav")
    assert httpx.get(f"{server.base_url}/v2/redacted-audio/{other}", params=query).status_code == 403
    # Expired, though signed with the server's own key.
    key, past = signing_key(server), int(time.time()) - 5
    expired = httpx.get(base, params={"expires": past, "signature": sign(key, name, past)})
    assert expired.status_code == 403 and "expired" in expired.json()["error"]
    # Signed for a file that is not there: 404.
    missing = name.split(".")[0][:-4] + "ffff.1.mp3"
    future = int(time.time()) + 600
    answer = httpx.get(
        f"{server.base_url}/v2/redacted-audio/{missing}",
        params={"expires": future, "signature": sign(key, missing, future)},
    )
    assert answer.status_code == 404


def test_deleting_the_transcript_deletes_its_redacted_audio(server: LiveServer, shared_audio: Path) -> None:
    with api(server) as client:
        body = transcribe(client, shared_audio / "jfk" / "jfk.wav", **PII, redact_pii_audio=True)
        url = client.get(f"/v2/transcript/{body['id']}/redacted-audio").json()["redacted_audio_url"]
        mine = [name for name in redacted_files(server) if name.startswith(body["id"])]
        assert len(mine) == 1 and mine[0].endswith(".mp3")
        assert client.delete(f"/v2/transcript/{body['id']}").status_code == 200
        assert not [name for name in redacted_files(server) if name.startswith(body["id"])]
        assert httpx.get(url).status_code == 404
        answer = client.get(f"/v2/transcript/{body['id']}/redacted-audio")
        assert answer.status_code == 400 and "deleted" in answer.json()["error"]


def test_no_speech_gets_no_redacted_audio_unless_asked(server: LiveServer, tmp_path: Path) -> None:
    silent = tmp_path / "silence.wav"
    with av.open(str(silent), "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=16000, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 48000), np.int16), format="s16", layout="mono")
        frame.sample_rate, frame.pts = 16000, 0
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    with api(server) as client:
        body = transcribe(client, silent, **PII, redact_pii_audio=True)
        assert body["status"] == "completed" and not body["words"]
        answer = client.get(f"/v2/transcript/{body['id']}/redacted-audio")
        assert answer.status_code == 400 and "return_redacted_no_speech_audio" in answer.json()["error"]
        body = transcribe(
            client,
            silent,
            **PII,
            redact_pii_audio=True,
            redact_pii_audio_quality="wav",
            redact_pii_audio_options={"return_redacted_no_speech_audio": True},
        )
        answer = client.get(f"/v2/transcript/{body['id']}/redacted-audio")
        assert answer.status_code == 200
    audio = httpx.get(answer.json()["redacted_audio_url"])
    assert audio.headers["content-type"] == "audio/wav"
    path = tmp_path / "got.wav"
    path.write_bytes(audio.content)
    samples, rate = read_native(path)
    assert rate == 16000 and samples.shape == (1, 48000) and not samples.any()


def test_202_while_the_job_runs(server: LiveServer, shared_audio: Path) -> None:
    with api(server) as client:
        upload_url = client.post(
            "/v2/upload", content=(shared_audio / "jfk" / "jfk.wav").read_bytes()
        ).json()["upload_url"]
        created = client.post(
            "/v2/transcript", json={"audio_url": upload_url, **PII, "redact_pii_audio": True}
        )
        answer = client.get(f"/v2/transcript/{created.json()['id']}/redacted-audio")
        assert answer.status_code in (200, 202)  # 200 only if the job already finished
        if answer.status_code == 202:
            assert answer.json() == {"status": "redacted_audio_processing"}
        deadline = time.monotonic() + 120
        while answer.status_code == 202 and time.monotonic() < deadline:
            time.sleep(0.2)
            answer = client.get(f"/v2/transcript/{created.json()['id']}/redacted-audio")
        assert answer.status_code == 200


# --------------------------------------------------------------------------- the webhook


@pytest.fixture()
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"body": body, "auth": self.headers.get("X-Hook-Auth")})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/hook", received
    httpd.shutdown()
    httpd.server_close()


def test_webhook_gets_the_redacted_audio_notification(
    server: LiveServer, shared_audio: Path, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    hook, received = receiver
    with api(server) as client:
        body = transcribe(
            client,
            shared_audio / "jfk" / "jfk.wav",
            **PII,
            redact_pii_audio=True,
            webhook_url=hook,
            webhook_auth_header_name="X-Hook-Auth",
            webhook_auth_header_value="s3cret",
        )
    deadline = time.monotonic() + 30
    while len(received) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # nothing more comes
    bodies = sorted((r["body"] for r in received), key=lambda b: "transcript_id" in b)
    assert len(received) == 2 and all(r["auth"] == "s3cret" for r in received)
    notification, ready = bodies
    assert ready == {"transcript_id": body["id"], "status": "completed"}
    assert set(notification) == {"status", "redacted_audio_url"}  # RedactedAudioNotification
    assert notification["status"] == "redacted_audio_ready"
    assert notification["redacted_audio_url"].startswith(f"{server.base_url}/v2/redacted-audio/{body['id']}.")
    assert httpx.get(notification["redacted_audio_url"]).status_code == 200


def test_multichannel_hides_the_speaking_channel_only(
    server: LiveServer, shared_audio: Path, tmp_path: Path
) -> None:
    speech, rate = read_native(shared_audio / "jfk" / "jfk.wav")
    hum = 0.05 * np.sin(2 * np.pi * 200 * np.arange(speech.shape[1]) / rate)  # channel 2: no speech
    stereo = tmp_path / "stereo.wav"
    with av.open(str(stereo), "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=rate, layout="stereo")
        packed = np.round(np.stack([speech[0], hum]).T * 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(packed, format="s16", layout="stereo")
        frame.sample_rate, frame.pts = rate, 0
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    with api(server) as client:
        body = transcribe(
            client, stereo, **PII, multichannel=True, redact_pii_audio=True, redact_pii_audio_quality="wav"
        )
        assert body["status"] == "completed", body.get("error")
        spans = [(w["start"], w["end"]) for w in body["words"] if "#" in w["text"]]
        assert spans and all(w["channel"] == "1" for w in body["words"] if "#" in w["text"])
        url = client.get(f"/v2/transcript/{body['id']}/redacted-audio").json()["redacted_audio_url"]
    got = tmp_path / "got.wav"
    got.write_bytes(httpx.get(url).content)
    redacted, out_rate = read_native(got)
    original, _ = read_native(stereo)
    assert out_rate == rate and redacted.shape == original.shape == (2, speech.shape[1])
    assert np.array_equal(redacted[1], original[1])  # the silent channel is untouched
    start, end = spans[0]
    inside = redacted[0, (start + 20) * rate // 1000 : (end - 20) * rate // 1000]
    assert peak_hz(inside, rate) == pytest.approx(1000, abs=10)
