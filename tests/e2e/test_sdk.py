"""The official AssemblyAI Python SDK against a live Stenograph server, on real audio."""

from __future__ import annotations

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path

import httpx
import pytest

from stenograph.assemblyai.transcripts import ABSENT_WHEN_NULL
from tests.support.audio_refs import compressed_with_reference, librispeech, normalise, wer

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "openapi.json"


def wait_all(transcripts: list) -> list:
    return [t.wait_for_completion() for t in transcripts]


def test_transcribe_local_file_returns_words_and_echoes_options(
    aai_client, server, shared_audio: Path
) -> None:
    aai = aai_client
    transcript = aai.Transcriber().transcribe(str(shared_audio / "jfk" / "jfk.wav"))

    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    assert "ask not what your country can do for you" in normalise(transcript.text)
    assert transcript.audio_duration == 11
    assert transcript.json_response["language_code"] == "en"
    assert transcript.json_response["speech_model_used"] == "tiny.en"
    assert 0.5 < transcript.confidence <= 1
    words = transcript.words
    assert len(words) >= 20
    for earlier, later in pairwise(words):
        assert 0 <= earlier.start <= earlier.end <= later.start + 50
    assert all(w.speaker is None and 0 <= w.confidence <= 1 for w in words)
    assert words[-1].end <= 11_100

    # Every request option of the spec is echoed; unset ones are null, or absent where the spec
    # does not let them be null (raw JSON: the SDK's model drops fields it does not know).
    body = httpx.get(
        f"{server.base_url}/v2/transcript/{transcript.id}", headers={"Authorization": server.api_key}
    ).json()
    options = json.loads(SPEC.read_text())["components"]["schemas"]["TranscriptOptionalParams"]["properties"]
    missing = [name for name in options if name not in body and name != "webhook_auth_header_value"]
    assert missing and set(missing) <= set(ABSENT_WHEN_NULL)
    assert "webhook_auth_header_value" not in body  # a secret, never echoed
    assert body["speaker_labels"] is None and body["webhook_url"] is None


def test_options_are_echoed_when_set(aai_client, shared_audio: Path) -> None:
    aai = aai_client
    config = aai.TranscriptionConfig(language_code="en_us", punctuate=True, speech_models=["nano"])
    transcript = aai.Transcriber(config=config).transcribe(str(shared_audio / "jfk" / "jfk_16k.mp3"))
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    body = transcript.json_response
    assert body["language_code"] == "en_us"
    assert body["punctuate"] is True
    assert body["speech_models"] == ["nano"]
    assert body["speech_model_used"] == "tiny.en"


def test_every_compressed_encoding_with_a_reference(aai_client, shared_audio: Path) -> None:
    aai = aai_client
    pairs = compressed_with_reference(shared_audio)
    assert len(pairs) >= 12  # one file per encoding in the folder
    transcriber = aai.Transcriber()
    done = wait_all([transcriber.submit(str(path)) for path, _ in pairs])
    failures = []
    for (path, reference), transcript in zip(pairs, done, strict=True):
        if transcript.status != aai.TranscriptStatus.completed:
            failures.append(f"{path.name}: {transcript.error}")
            continue
        score = wer([reference], [transcript.text])
        if score > 0.35:
            failures.append(f"{path.name}: WER {score:.2f}: {transcript.text!r}")
    assert not failures, "\n".join(failures)
    overall = wer([r for _, r in pairs], [t.text for t in done])
    assert overall < 0.12, overall


def test_librispeech_wer_bound(aai_client, shared_audio: Path) -> None:
    aai = aai_client
    pairs = librispeech(shared_audio)[:20]
    transcriber = aai.Transcriber()
    done = wait_all([transcriber.submit(str(path)) for path, _ in pairs])
    assert all(t.status == aai.TranscriptStatus.completed for t in done)
    # tiny.en scores ~15% on LibriSpeech test-other (design.md); allow some margin.
    assert wer([r for _, r in pairs], [t.text for t in done]) < 0.22


@pytest.fixture()
def audio_http_server(shared_audio: Path):
    handler = partial(SimpleHTTPRequestHandler, directory=str(shared_audio))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_audio_url_is_downloaded(aai_client, audio_http_server: str) -> None:
    aai = aai_client
    url = f"{audio_http_server}/jfk/jfk_441khz.m4a"
    transcript = aai.Transcriber().transcribe(url)
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    assert transcript.audio_url == url
    assert "what your country can do for you" in normalise(transcript.text)


def test_audio_url_that_fails_ends_in_error(aai_client, audio_http_server: str) -> None:
    aai = aai_client
    url = f"{audio_http_server}/no/such/file.mp3"
    transcript = aai.Transcriber().transcribe(url)
    assert transcript.status == aai.TranscriptStatus.error
    assert "404" in transcript.error and url in transcript.error


def test_non_audio_upload_ends_in_error(aai_client, tmp_path: Path) -> None:
    aai = aai_client
    not_audio = tmp_path / "notes.txt"
    not_audio.write_text("these are meeting notes, not a recording\n" * 50)
    transcript = aai.Transcriber().transcribe(str(not_audio))
    assert transcript.status == aai.TranscriptStatus.error
    assert "does not appear to contain audio" in transcript.error


def test_too_short_audio_ends_in_error(aai_client, tmp_path: Path) -> None:
    import wave

    aai = aai_client
    short = tmp_path / "short.wav"
    with wave.open(str(short), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * 1600)  # 100 ms
    transcript = aai.Transcriber().transcribe(str(short))
    assert transcript.status == aai.TranscriptStatus.error
    assert "160 ms" in transcript.error or "too short" in transcript.error.lower()


def test_a_header_claiming_one_hertz_ends_in_error_without_decoding(aai_client, tmp_path: Path) -> None:
    import wave

    aai = aai_client
    bomb = tmp_path / "one_hertz.wav"  # 64 KB claiming 32,000 s: 2 GB once resampled to 16 kHz
    with wave.open(str(bomb), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(1)
        out.writeframes(b"\x10\x00" * 32000)
    transcript = aai.Transcriber().transcribe(str(bomb))
    assert transcript.status == aai.TranscriptStatus.error
    assert "sample rate of 1 Hz is outside the supported range" in transcript.error


def test_unknown_speech_model_is_rejected(aai_client, shared_audio: Path) -> None:
    aai = aai_client
    config = aai.TranscriptionConfig(speech_models=["no-such-model"])
    with pytest.raises(aai.types.TranscriptError) as raised:
        aai.Transcriber(config=config).submit(str(shared_audio / "jfk" / "jfk.wav"))
    assert "speech_models" in str(raised.value) and "nano" in str(raised.value)


def test_get_by_id_and_delete(aai_client, server, shared_audio: Path) -> None:
    aai = aai_client
    transcript = aai.Transcriber().transcribe(str(shared_audio / "compressed" / "jfk__vorbis.ogg"))
    assert transcript.status == aai.TranscriptStatus.completed
    fetched = aai.Transcript.get_by_id(transcript.id)
    assert fetched.text == transcript.text

    upload_id = transcript.audio_url.rsplit("/", 1)[-1]
    stored = server.data_dir / "uploads" / upload_id
    assert stored.exists()

    deleted = aai.Transcript.delete_by_id(transcript.id)
    assert deleted.audio_url == "http://deleted_by_user"
    assert deleted.text == "Deleted by user."
    assert not stored.exists()
    again = aai.Transcript.get_by_id(transcript.id)
    assert again.text == "Deleted by user." and again.words is None


def test_upload_chunked_without_content_type(server) -> None:
    def body():
        yield b"RIFF"
        yield b"\x00" * 1000

    response = httpx.post(
        f"{server.base_url}/v2/upload", content=body(), headers={"Authorization": server.api_key}
    )
    assert response.status_code == 200
    assert response.json()["upload_url"].startswith(f"{server.base_url}/v2/upload/")
    assert "transfer-encoding" in {k.lower() for k in response.request.headers}


def test_invalid_parameters_name_the_field(server) -> None:
    headers = {"Authorization": server.api_key}
    cases = [
        ({"audio_url": "http://example.com/a.mp3", "speech_threshold": "loud"}, "speech_threshold"),
        ({"punctuate": True}, "audio_url"),
        ({"audio_url": "http://example.com/a.mp3", "language_code": "xx_yy"}, "language_code"),
        ({"audio_url": "http://example.com/a.mp3", "redact_pii": True}, "redact_pii"),
    ]
    for payload, field in cases:
        response = httpx.post(f"{server.base_url}/v2/transcript", json=payload, headers=headers)
        assert response.status_code == 400, payload
        assert field in response.json()["error"]
    response = httpx.post(f"{server.base_url}/v2/transcript", content=b"{not json", headers=headers)
    assert response.status_code == 400 and "JSON" in response.json()["error"]


def test_unknown_fields_are_ignored(server, shared_audio: Path) -> None:
    headers = {"Authorization": server.api_key}
    upload = httpx.post(
        f"{server.base_url}/v2/upload",
        content=(shared_audio / "jfk" / "jfk.wav").read_bytes(),
        headers=headers,
    ).json()
    response = httpx.post(
        f"{server.base_url}/v2/transcript",
        json={"audio_url": upload["upload_url"], "some_future_option": {"x": 1}},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    assert "some_future_option" not in response.json()
