"""The Sync API through the official Python SDK's ``SyncTranscriber`` against a live server: a file,
live chunks, an open live session, raw PCM, word times on request, warm-up, and the errors the SDK
raises (too long, bad config, unknown model, no key)."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from stenograph.pipeline.audio import decode_audio
from tests.support.audio_refs import wer
from tests.support.live_server import LiveServer

JFK_TEXT = (
    "And so, my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


@pytest.fixture()
def sync_settings(server: LiveServer) -> Iterator[Any]:
    import assemblyai as aai

    previous = (aai.settings.sync_base_url, aai.settings.api_key)
    aai.settings.sync_base_url = server.base_url
    aai.settings.api_key = server.api_key
    try:
        yield aai
    finally:
        aai.settings.sync_base_url, aai.settings.api_key = previous


def jfk(shared_audio: Path) -> Path:
    return shared_audio / "jfk" / "jfk.wav"


def test_transcribe_a_file_with_and_without_word_times(sync_settings: Any, shared_audio: Path) -> None:
    aai = sync_settings
    plain = aai.SyncTranscriber(config=aai.SyncTranscriptionConfig(model="universal-2")).transcribe(
        str(jfk(shared_audio))
    )
    assert wer([JFK_TEXT], [plain.text]) < 0.1, plain.text
    assert plain.words and all(w.start is None and w.end is None for w in plain.words)
    assert 0 < plain.confidence <= 1 and plain.session_id
    assert plain.audio_duration_ms == pytest.approx(11_000, abs=50)
    assert plain.request_time_ms and plain.request_time_ms > 0

    timed = aai.SyncTranscriber(
        config=aai.SyncTranscriptionConfig(model="universal-2", timestamps=True)
    ).transcribe(str(jfk(shared_audio)))
    starts = [w.start for w in timed.words]
    assert all(s is not None for s in starts) and starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= 11_000 for w in timed.words)
    assert timed.session_id != plain.session_id


def test_live_chunks_and_an_open_live_session(sync_settings: Any, shared_audio: Path) -> None:
    aai = sync_settings
    data = jfk(shared_audio).read_bytes()
    pieces = [data[i : i + 32_000] for i in range(0, len(data), 32_000)]
    transcriber = aai.SyncTranscriber(config=aai.SyncTranscriptionConfig(model="universal-2"))
    chunked = transcriber.transcribe_live(iter(pieces))
    assert wer([JFK_TEXT], [chunked.text]) < 0.1, chunked.text

    session = transcriber.open_live()
    for piece in pieces:
        session.write(piece)
    session.close()
    assert wer([JFK_TEXT], [session.result().text]) < 0.1


def test_raw_pcm_needs_its_rate_and_channels(sync_settings: Any, shared_audio: Path, tmp_path: Path) -> None:
    aai = sync_settings
    samples = decode_audio(jfk(shared_audio), 16000)
    pcm = tmp_path / "jfk.pcm"
    pcm.write_bytes((samples * 32767).astype("<i2").tobytes())
    config = aai.SyncTranscriptionConfig(model="universal-2", sample_rate=16000, channels=1)
    result = aai.SyncTranscriber(config=config).transcribe(str(pcm))
    assert wer([JFK_TEXT], [result.text]) < 0.1, result.text

    # Without them the server cannot read it (the SDK lets it through when the suffix is not .pcm).
    response = httpx.post(
        f"{aai.settings.sync_base_url}/v1/transcribe/live",
        headers={"Authorization": aai.settings.api_key},
        files={"config": (None, "{}"), "audio": ("a", pcm.read_bytes(), "audio/pcm")},
    )
    assert response.status_code == 400
    assert "sample_rate and channels are required" in response.json()["detail"]


def test_language_codes_and_the_default_model(sync_settings: Any, shared_audio: Path) -> None:
    aai = sync_settings
    german = shared_audio / "multilingual" / "pv_leopard_test_de.wav"
    result = aai.SyncTranscriber(config=aai.SyncTranscriptionConfig(language_codes=["de"])).transcribe(
        str(german)
    )  # the SDK's default model, universal-3-5-pro: the multilingual model
    text = result.text.lower()
    assert all(word in text for word in ("der hinter diesem", "raum", "genutzt")), result.text


def test_errors_the_sdk_raises(sync_settings: Any, shared_audio: Path, tmp_path: Path) -> None:
    aai = sync_settings
    long_audio = tmp_path / "long.wav"
    with wave.open(str(long_audio), "wb") as out:  # 121 s of silence
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 8000 * 121)
    transcriber = aai.SyncTranscriber(config=aai.SyncTranscriptionConfig(model="universal-2"))
    with pytest.raises(aai.types.SyncTranscriptError) as raised:
        transcriber.transcribe(str(long_audio))
    assert raised.value.status_code == 400 and raised.value.error_code == "audio_too_long"
    assert "120 s" in str(raised.value)

    with pytest.raises(aai.types.SyncTranscriptError) as raised:
        aai.SyncTranscriber(config=aai.SyncTranscriptionConfig(model="whisper-9")).transcribe(
            str(jfk(shared_audio))
        )
    assert raised.value.status_code == 400 and "X-AAI-Model" in str(raised.value)

    with pytest.raises(aai.types.SyncTranscriptError) as raised:
        aai.SyncTranscriber(
            config=aai.SyncTranscriptionConfig(model="universal-2", language_codes=["xx"])
        ).transcribe(str(jfk(shared_audio)))
    assert "language_codes" in str(raised.value) and "'xx'" in str(raised.value)

    url = f"{aai.settings.sync_base_url}/v1/transcribe/live"
    wav = jfk(shared_audio).read_bytes()
    bad_config = httpx.post(
        url,
        headers={"Authorization": aai.settings.api_key},
        files={"config": (None, '{"prompt": 5}'), "audio": ("a.wav", wav, "audio/wav")},
    )
    assert bad_config.status_code == 400
    assert bad_config.headers["content-type"].startswith("application/problem+json")
    assert bad_config.json()["title"] == "Bad Request" and "prompt" in bad_config.json()["detail"]

    no_key = httpx.post(url, files={"config": (None, "{}"), "audio": ("a.wav", wav, "audio/wav")})
    assert no_key.status_code == 401 and no_key.json()["status"] == 401


def test_warm_loads_the_model(sync_settings: Any, server: LiveServer) -> None:
    aai = sync_settings
    assert aai.SyncTranscriber(config=aai.SyncTranscriptionConfig(model="universal-2")).warm() is True
    response = httpx.get(
        f"{server.base_url}/v1/warm", headers={"Authorization": server.api_key, "X-AAI-Model": "universal-2"}
    )
    assert response.status_code == 200 and response.json() == {"status": "warm", "model": "tiny.en"}
    assert httpx.get(f"{server.base_url}/v1/warm").status_code == 401


# --------------------------------------------------------------------------- limits

IDLE_SECONDS = 2


@pytest.fixture(scope="module")
def tight_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One transcription thread, two Sync requests in flight at most, a 2 s upload idle timeout."""
    import secrets

    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("sync-limits") / "data",
        api_key=secrets.token_hex(16),
        env={
            "STENOGRAPH_SYNC_TRANSCRIPTION_THREADS": "1",
            "STENOGRAPH_SYNC_MAX_IN_FLIGHT": "2",
            "STENOGRAPH_SYNC_UPLOAD_IDLE_SECONDS": str(IDLE_SECONDS),
        },
    ).start()
    yield live
    live.stop()


@pytest.fixture()
def sync_settings_tight(tight_server: LiveServer) -> Iterator[Any]:
    import assemblyai as aai

    previous = (aai.settings.sync_base_url, aai.settings.api_key)
    aai.settings.sync_base_url, aai.settings.api_key = tight_server.base_url, tight_server.api_key
    try:
        yield aai
    finally:
        aai.settings.sync_base_url, aai.settings.api_key = previous


def _long_wav(shared_audio: Path, repeats: int) -> bytes:
    """The JFK clip ``repeats`` times over, as one WAV."""
    import io

    with wave.open(str(jfk(shared_audio)), "rb") as clip:
        params, frames = clip.getparams(), clip.readframes(clip.getnframes())
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setparams(params)
        writer.writeframes(frames * repeats)
    return out.getvalue()


def _post(server: LiveServer, wav: bytes) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/v1/transcribe/live",
        headers={"Authorization": server.api_key, "X-AAI-Model": "universal-2"},
        files={"config": (None, "{}"), "audio": ("a.wav", wav, "audio/wav")},
        timeout=120,
    )


class StalledUpload:
    """A Sync request whose upload stops after its config part (a raw socket, left open)."""

    def __init__(self, server: LiveServer) -> None:
        import socket

        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        head = (
            "POST /v1/transcribe/live HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {server.api_key}\r\nContent-Type: multipart/form-data; boundary=xyz\r\n"
            "Content-Length: 100000\r\n\r\n"
            '--xyz\r\nContent-Disposition: form-data; name="config"\r\n\r\n{}\r\n'
            '--xyz\r\nContent-Disposition: form-data; name="audio"; filename="a.wav"\r\n'
            "Content-Type: audio/wav\r\n\r\nRIFF"
        )
        self.sock.sendall(head.encode())

    def response(self) -> tuple[int, dict[str, str], str]:
        data = b""
        while b"\r\n\r\n" not in data or len(data.partition(b"\r\n\r\n")[2]) < self._length(data):
            more = self.sock.recv(65536)
            if not more:
                break
            data += more
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        return int(lines[0].split()[1]), headers, body.decode()

    @staticmethod
    def _length(data: bytes) -> int:
        for line in data.partition(b"\r\n\r\n")[0].split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                return int(line.split(b":")[1])
        return 0

    def close(self) -> None:
        self.sock.close()


def test_warm_does_not_wait_behind_transcriptions(tight_server: LiveServer, shared_audio: Path) -> None:
    """With the one transcription thread busy on 99 s of audio, GET /v1/warm still answers at once
    (it used to take a place on the transcription pool, behind the transcription)."""
    import threading
    import time

    warm_url = f"{tight_server.base_url}/v1/warm"
    headers = {"Authorization": tight_server.api_key, "X-AAI-Model": "universal-2"}
    assert httpx.get(warm_url, headers=headers, timeout=60).status_code == 200  # loads the model
    answers: list[httpx.Response] = []
    busy = threading.Thread(target=lambda: answers.append(_post(tight_server, _long_wav(shared_audio, 9))))
    busy.start()
    time.sleep(0.8)  # the upload is read, the transcription runs
    started = time.monotonic()
    warm = httpx.get(warm_url, headers=headers, timeout=60)
    took = time.monotonic() - started
    still_busy = busy.is_alive()
    busy.join(120)
    assert warm.status_code == 200 and warm.json()["model"] == "tiny.en"
    assert still_busy and took < 0.5, took
    assert answers and answers[0].status_code == 200 and "ask not" in answers[0].json()["text"].lower()


def test_a_full_server_answers_503_and_a_silent_upload_408(
    tight_server: LiveServer, sync_settings_tight: Any, shared_audio: Path
) -> None:
    """Two stalled uploads fill the server: a third request is refused at once, 503 with Retry-After
    (the SDK's capacity_exceeded); the stalled ones are answered 408 after the idle timeout, and the
    server takes requests again."""
    import time

    aai = sync_settings_tight
    stalled = [StalledUpload(tight_server), StalledUpload(tight_server)]
    time.sleep(0.5)
    try:
        full = httpx.post(
            f"{tight_server.base_url}/v1/transcribe/live",
            headers={"Authorization": tight_server.api_key},
            files={"config": (None, "{}"), "audio": ("a.wav", b"RIFF", "audio/wav")},
        )
        assert full.status_code == 503 and full.headers["retry-after"] == "1"
        assert full.headers["content-type"].startswith("application/problem+json")
        body = full.json()
        assert (
            body["status"] == 503
            and body["title"] == "Capacity Exceeded"
            and "maximum of 2" in body["detail"]
        )
        with pytest.raises(aai.types.SyncTranscriptError) as raised:
            aai.SyncTranscriber(config=aai.SyncTranscriptionConfig(model="universal-2")).transcribe(b"RIFF")
        assert raised.value.status_code == 503 and raised.value.error_code == "capacity_exceeded"
        assert raised.value.retry_after == 1

        started = time.monotonic()
        for upload in stalled:
            status, headers, text = upload.response()
            assert status == 408, text
            assert headers["content-type"].startswith("application/problem+json")
            problem = json.loads(text)
            assert problem["status"] == 408 and problem["title"] == "Request Timeout"
            assert f"{IDLE_SECONDS} s" in problem["detail"]
        assert time.monotonic() - started < IDLE_SECONDS + 5
    finally:
        for upload in stalled:
            upload.close()
    again = _post(tight_server, jfk(shared_audio).read_bytes())
    assert again.status_code == 200, again.text


def test_an_aborted_upload_is_logged_as_info(
    tight_server: LiveServer, sync_settings_tight: Any, shared_audio: Path
) -> None:
    """The SDK's ``abort()`` drops the connection mid-upload: one INFO line, no traceback."""
    import time

    aai = sync_settings_tight
    before = len(tight_server.log(tail=None))
    transcriber = aai.SyncTranscriber(config=aai.SyncTranscriptionConfig(model="universal-2"))
    session = transcriber.open_live()
    wav = jfk(shared_audio).read_bytes()
    session.write(wav[:64_000])
    time.sleep(0.5)
    session.abort()
    deadline = time.monotonic() + 10
    while "disconnected before its request was read" not in tight_server.log(tail=None)[before:]:
        assert time.monotonic() < deadline, tight_server.log(tail=None)[before:]
        time.sleep(0.1)
    time.sleep(0.3)
    log = tight_server.log(tail=None)[before:]
    assert "INFO stenograph.api.errors: POST /v1/transcribe/live: the client disconnected" in log
    assert "Traceback" not in log and "ERROR" not in log, log
