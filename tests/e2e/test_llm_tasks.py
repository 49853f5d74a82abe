"""Transcript options run by a language model, end to end through the official Python SDK on real
audio, on a live server whose model is SmolLM2-135M (real llama.cpp generations; too small to be
good, so these check the wire and the plumbing: the packaged Qwen's quality is in
test_llm_qwen.py and benchmarks/llm.py): summary, chapters, speaker identification, translation
and the sectioned summary; a language model that fails fails the job with a message saying so."""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveServer, free_port


@pytest.fixture()
def aai(llm_server: LiveServer) -> Iterator[Any]:
    import assemblyai

    previous = (assemblyai.settings.api_key, assemblyai.settings.base_url)
    assemblyai.settings.api_key = llm_server.api_key
    assemblyai.settings.base_url = llm_server.base_url
    yield assemblyai
    assemblyai.settings.api_key, assemblyai.settings.base_url = previous


def _upload(server: LiveServer, path: Path) -> str:
    headers = {"Authorization": server.api_key}
    response = httpx.post(f"{server.base_url}/v2/upload", content=path.read_bytes(), headers=headers)
    return str(response.json()["upload_url"])


def test_summary_speakers_and_translation_through_the_sdk(
    aai: Any, llm_server: LiveServer, shared_audio: Path
) -> None:
    """A two-party phone call: a paragraph summary; its speakers mapped to the roles given (the
    mapping applied to every utterance and word); a Spanish translation per utterance."""
    url = _upload(llm_server, shared_audio / "diarization" / "pyannote_sample.wav")
    roles = ["Caller", "Receiver"]
    config = aai.TranscriptionConfig(
        speaker_labels=True,
        speakers_expected=2,
        summarization=True,
        summary_model=aai.SummarizationModel.informative,
        summary_type=aai.SummarizationType.paragraph,
        speech_understanding=aai.SpeechUnderstandingRequest(
            request=aai.SpeechUnderstandingFeatureRequests(
                speaker_identification=aai.SpeakerIdentificationRequest(
                    speaker_type=aai.SpeakerType.role, known_values=roles
                ),
                translation=aai.TranslationRequest(target_languages=["es"], match_original_utterance=True),
            )
        ),
    )
    transcript = aai.Transcriber().transcribe(url, config)
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    assert isinstance(transcript.summary, str) and transcript.summary.strip()
    response = transcript.speech_understanding.response
    mapping = response.speaker_identification.mapping
    assert response.speaker_identification.status == "success"
    assert set(mapping) == {"A", "B"} and set(mapping.values()) <= set(roles)
    assert {u.speaker for u in transcript.utterances} <= set(roles)
    assert {w.speaker for w in transcript.words} <= set(roles)
    assert response.translation.status == "success"
    assert transcript.translated_texts["es"].strip()
    assert all(u.translated_texts and "es" in u.translated_texts for u in transcript.utterances)
    assert transcript.speech_understanding.request.translation.target_languages == ["es"]


def test_chapters_and_sectioned_summary_through_the_sdk(
    aai: Any, llm_server: LiveServer, shared_audio: Path
) -> None:
    """auto_chapters on a 2.5-minute conversation: chapters in order, within the audio, each with a
    headline, gist and summary; speech_understanding.request.summarization: sections and a
    block summary (bullets)."""
    url = _upload(llm_server, shared_audio / "diarization" / "ls_conv_2spk.wav")
    transcript = aai.Transcriber().transcribe(url, aai.TranscriptionConfig(auto_chapters=True))
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    chapters = transcript.chapters
    assert 1 <= len(chapters) <= 2  # at most one chapter a minute and a half
    assert chapters[0].start == transcript.words[0].start and chapters[-1].end == transcript.words[-1].end
    for before, after in itertools.pairwise(chapters):
        assert before.end <= after.start
    assert all(c.headline.strip() and c.summary.strip() and c.gist.strip() for c in chapters)

    config = aai.TranscriptionConfig(
        audio_end_at=60_000,
        speech_understanding=aai.SpeechUnderstandingRequest(
            request=aai.SpeechUnderstandingFeatureRequests(
                summarization=aai.SummarizationRequest(summary_type="bullets", headline_length=6)
            )
        ),
    )
    transcript = aai.Transcriber().transcribe(url, config)
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    summarized = transcript.speech_understanding.response.summarization
    assert summarized.status == "success" and summarized.summary_type == "bullets"
    assert summarized.summary and all(s.bullets and s.headline for s in summarized.summary)
    assert summarized.block_summary.strip()


def test_a_language_model_that_fails_fails_the_job(tmp_path: Path, shared_audio: Path) -> None:
    """The endpoint configured is down: the transcript ends in error, saying what failed and where
    to look; the server keeps serving."""
    server = LiveServer(
        data_dir=tmp_path / "data",
        api_key=secrets.token_hex(16),
        env={
            "STENOGRAPH_ALLOW_PRIVATE_URLS": "1",
            "STENOGRAPH_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
            "STENOGRAPH_LLM_MODEL": "nothing-listens",
        },
    ).start()
    try:
        headers = {"Authorization": server.api_key}
        url = _upload(server, shared_audio / "jfk" / "jfk.wav")
        created = httpx.post(
            f"{server.base_url}/v2/transcript",
            json={"audio_url": url, "summarization": True},
            headers=headers,
        ).json()
        body = _finished(server, created["id"])
        assert body["status"] == "error"
        assert body["error"].startswith("summarization: the language model failed")
        assert "STENOGRAPH_LLM_" in body["error"]
        assert httpx.get(f"{server.base_url}/health").status_code == 200
    finally:
        server.stop()


def _finished(server: LiveServer, transcript_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = httpx.get(
            f"{server.base_url}/v2/transcript/{transcript_id}", headers={"Authorization": server.api_key}
        ).json()
        if body["status"] in ("completed", "error"):
            return dict(body)
        assert body["status"] in ("queued", "processing")
        time.sleep(0.3)
    raise AssertionError("the transcript did not finish")


@pytest.fixture(scope="module")
def conversation_id(llm_server: LiveServer, shared_audio: Path) -> str:
    url = _upload(llm_server, shared_audio / "diarization" / "ls_conv_2spk.wav")
    created = httpx.post(
        f"{llm_server.base_url}/v2/transcript",
        json={"audio_url": url, "speaker_labels": True},
        headers={"Authorization": llm_server.api_key},
    ).json()
    body = _finished(llm_server, created["id"])
    assert body["status"] == "completed", body
    return str(created["id"])


@pytest.mark.slow  # about 2 minutes on 2 cores: a 2.5-minute transcription and 1200-token answers
def test_a_transcript_longer_than_the_context_is_condensed_not_refused(
    llm_server: LiveServer, conversation_id: str
) -> None:
    """The server's context is 2048 tokens; the 2.5-minute conversation with 1200 tokens of answer
    asked for does not fit beside it (before: a 400), so it is condensed chunk by chunk into notes
    and the question answered from them. ``usage`` counts every generation: the notes read the
    whole transcript and the answer the notes, more prompt than the one generation that fits."""
    headers = {"Authorization": llm_server.api_key}

    def ask(max_tokens: int) -> httpx.Response:
        return httpx.post(
            f"{llm_server.base_url}/v1/chat/completions",
            json={
                "model": "claude-sonnet-4-5-20250929",
                "messages": [{"role": "user", "content": "Who speaks about what?"}],
                "transcript_id": conversation_id,
                "max_tokens": max_tokens,
            },
            headers=headers,
            timeout=300,
        )

    whole = ask(1).json()["usage"]["prompt_tokens"]  # fits with one token of answer: sent whole
    condensed = ask(1200)
    assert condensed.status_code == 200, condensed.text
    assert condensed.json()["usage"]["prompt_tokens"] > whole

    def summary(max_output_size: int) -> httpx.Response:
        return httpx.post(
            f"{llm_server.base_url}/lemur/v3/generate/summary",
            json={"transcript_ids": [conversation_id], "max_output_size": max_output_size},
            headers=headers,
            timeout=300,
        )

    lemur_whole = summary(1).json()["usage"]["input_tokens"]
    lemur = summary(1200)
    assert lemur.status_code == 200, lemur.text
    assert lemur.json()["usage"]["input_tokens"] > lemur_whole


def test_understanding_on_an_existing_transcript_through_the_gateway_sdk(
    llm_server: LiveServer, conversation_id: str
) -> None:
    """POST /v1/understanding through aai.LLMGateway: speaker identification by name (with the
    speakers described) and a translation, on a transcript made earlier; the stored transcript is
    unchanged. /v1/understanding/validate answers 200 for a good request and the SDK's error, with
    its errors listed, for a bad one."""
    import assemblyai as aai

    previous = (aai.settings.api_key, aai.settings.llm_gateway_base_url)
    aai.settings.api_key = llm_server.api_key
    aai.settings.llm_gateway_base_url = llm_server.base_url
    try:
        gateway = aai.LLMGateway()
        asked = {
            "speaker_identification": {
                "speaker_type": "name",
                "speakers": [
                    {"name": "Ann", "description": "speaks first"},
                    {"name": "Bob", "description": "answers"},
                ],
            },
            "translation": {"target_languages": ["fr"], "match_original_utterance": True},
        }
        gateway.understanding.validate(request=asked, transcript_id=conversation_id)
        answer = gateway.understanding.create(transcript_id=conversation_id, request=asked)
        response = answer.speech_understanding["response"]
        mapping = response["speaker_identification"]["mapping"]
        assert set(mapping) == {"A", "B"} and set(mapping.values()) <= {"Ann", "Bob"}
        assert {u["speaker"] for u in answer.utterances} <= {"Ann", "Bob"}
        assert answer.translated_texts["fr"].strip()
        assert all("fr" in u["translated_texts"] for u in answer.utterances)
        stored = httpx.get(
            f"{llm_server.base_url}/v2/transcript/{conversation_id}",
            headers={"Authorization": llm_server.api_key},
        ).json()
        assert {u["speaker"] for u in stored["utterances"]} == {"A", "B"}
        with pytest.raises(aai.LLMGatewayError) as raised:
            gateway.understanding.validate(request={"translation": {"target_languages": []}})
        assert "target_languages" in str(raised.value)
    finally:
        aai.settings.api_key, aai.settings.llm_gateway_base_url = previous


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (
            {
                "transcript_id": "nope",
                "speech_understanding": {"request": {"translation": {"target_languages": ["de"]}}},
            },
            404,
            "not found",
        ),
        (
            {"speech_understanding": {"request": {"translation": {"target_languages": ["de"]}}}},
            400,
            "transcript_id",
        ),
        ({"transcript_id": "x", "speech_understanding": {"request": {}}}, 400, "at least one task"),
        (
            {
                "transcript_id": "x",
                "speech_understanding": {
                    "request": {"translation": {"target_languages": ["de"], "effort": "medium"}}
                },
            },
            400,
            "speech_understanding.request.translation.effort",
        ),
        ({"transcript_id": "x"}, 400, "speech_understanding"),
    ],
)
def test_understanding_bad_input_in_the_gateway_envelope(
    llm_server: LiveServer, body: dict[str, Any], status: int, words: str
) -> None:
    response = httpx.post(
        f"{llm_server.base_url}/v1/understanding", json=body, headers={"Authorization": llm_server.api_key}
    )
    assert response.status_code == status, response.text
    assert words in response.json()["message"] and response.json()["error"]["code"] == status
