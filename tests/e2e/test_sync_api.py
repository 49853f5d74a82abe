"""The Sync API through the official Python SDK's ``SyncTranscriber`` against a live server: a file,
live chunks, an open live session, raw PCM, word times on request, warm-up, and the errors the SDK
raises (too long, bad config, unknown model, no key)."""

from __future__ import annotations

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
