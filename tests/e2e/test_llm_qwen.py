"""The packaged model end to end (slow): a live server on its defaults (Qwen2.5-Coder-1.5B-Instruct,
joined from its packages into a cache kept between runs), a real call transcribed, and questions
about it through the official SDK's LLM Gateway."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live_server import LiveServer
from tests.support.llm_models import model_cache_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def qwen_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("qwen-server") / "data",
        api_key=secrets.token_hex(16),
        env={"STENOGRAPH_MODEL_CACHE_DIR": str(model_cache_dir())},
    ).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def aai(qwen_server: LiveServer) -> Iterator[Any]:
    import assemblyai

    previous = (
        assemblyai.settings.api_key,
        assemblyai.settings.llm_gateway_base_url,
        assemblyai.settings.base_url,
    )
    assemblyai.settings.api_key = qwen_server.api_key
    assemblyai.settings.llm_gateway_base_url = qwen_server.base_url
    assemblyai.settings.base_url = qwen_server.base_url
    yield assemblyai
    assemblyai.settings.api_key, assemblyai.settings.llm_gateway_base_url, assemblyai.settings.base_url = (
        previous
    )


@pytest.fixture(scope="module")
def call_id(aai: Any, shared_audio: Path) -> str:
    transcript = aai.Transcriber().transcribe(str(shared_audio / "diarization" / "pyannote_sample.wav"))
    assert transcript.status == aai.TranscriptStatus.completed
    assert "jersey" in transcript.text.lower()
    return str(transcript.id)


def test_questions_over_a_real_call(aai: Any, call_id: str) -> None:
    gateway = aai.LLMGateway()
    for question, answer in (
        ("In which US state does Diane live now?", "new jersey"),
        ("Which city is Sheila originally from?", "chicago"),
    ):
        completion = gateway.chat.completions.create(
            model="claude-sonnet-4-5-20250929",
            messages=[{"role": "user", "content": f"{question} Answer in a few words."}],
            max_tokens=30,
            transcript_id=call_id,
        )
        assert answer in completion.choices[0].message.content.lower(), completion.choices[0].message.content
        assert completion.model == "qwen2.5-coder-1.5b-instruct-q4_k_m"


def test_structured_output_and_first_token(aai: Any, call_id: str) -> None:
    schema = {
        "type": "object",
        "properties": {"speakers": {"type": "array", "items": {"type": "string"}, "maxItems": 5}},
        "required": ["speakers"],
        "additionalProperties": False,
    }
    completion = aai.LLMGateway().chat.completions.create(
        model="gpt-5.5",
        messages=[{"role": "user", "content": "List the first names of the people on this call."}],
        max_tokens=60,
        transcript_id=call_id,
        response_format={"type": "json_schema", "json_schema": {"name": "speakers", "schema": schema}},
    )
    names = {n.lower() for n in json.loads(completion.choices[0].message.content)["speakers"]}
    assert {"diane", "sheila"} <= names
    started = time.monotonic()
    stream = aai.LLMGateway().chat.completions.create(
        model="gpt-5.5", messages=[{"role": "user", "content": "Say hello."}], max_tokens=10, stream=True
    )
    first = next(c for c in stream if c.choices and c.choices[0].delta.content)
    assert first.choices[0].delta.content and time.monotonic() - started < 10
    list(stream)


def test_summary_and_speaker_names_on_a_real_call(aai: Any, shared_audio: Path) -> None:
    """The transcript options on the packaged model: a paragraph summary that is about the call, and
    the speakers named from what they say ("This is Diane in New Jersey", "I'm Sheila in Texas")."""
    config = aai.TranscriptionConfig(
        speaker_labels=True,
        speakers_expected=2,
        summarization=True,
        summary_type=aai.SummarizationType.paragraph,
        speech_understanding=aai.SpeechUnderstandingRequest(
            request=aai.SpeechUnderstandingFeatureRequests(
                speaker_identification=aai.SpeakerIdentificationRequest(
                    speaker_type=aai.SpeakerType.name, known_values=["Diane", "Sheila"]
                )
            )
        ),
    )
    transcript = aai.Transcriber().transcribe(
        str(shared_audio / "diarization" / "pyannote_sample.wav"), config
    )
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    summary = transcript.summary.lower()
    assert any(word in summary for word in ("diane", "sheila", "jersey", "texas", "chicago")), summary
    said = {u.text.lower(): u.speaker for u in transcript.utterances}
    diane = next(speaker for text, speaker in said.items() if "diane in new jersey" in text)
    sheila = next(
        speaker for text, speaker in said.items() if "sheila" in text
    )  # tiny.en: "Sheila and Texas"
    assert (diane, sheila) == ("Diane", "Sheila"), transcript.speech_understanding.response
