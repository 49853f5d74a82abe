"""The real backends on a real (small) model: llama.cpp in-process, and the OpenAI-compatible client
against a real OpenAI-compatible server (llama.cpp's own HTTP server on loopback). The packaged
Qwen is in test_qwen.py (slow)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator

import pytest

from stenograph.llm import ChatMessage, ContextTooLong, GenerationRequest, InvalidGenerationRequest, LLMEngine
from stenograph.llm.local import LocalBackend
from stenograph.llm.remote import OpenAICompatibleBackend
from tests.support.llm_models import smollm2_path

SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


@pytest.fixture(scope="module")
def local() -> Iterator[LocalBackend]:
    backend = LocalBackend(smollm2_path(), model_name="smollm2", context_tokens=1024, threads=2)
    backend.load()
    yield backend
    backend.close()


def _ask(text: str, **kwargs: object) -> GenerationRequest:
    return GenerationRequest(messages=(ChatMessage("user", text),), **kwargs)  # type: ignore[arg-type]


def test_local_generates_and_streams(local: LocalBackend) -> None:
    pieces: list[str] = []
    result = local.generate(
        _ask("Say hello.", max_tokens=12), deadline=time.monotonic() + 60, on_token=pieces.append
    )
    assert result.text and "".join(pieces) == result.text
    assert result.prompt_tokens > 3 and 0 < result.completion_tokens <= 12
    assert result.finish_reason in ("stop", "length")
    assert result.model == "smollm2"


def test_local_json_schema_constrains_the_output(local: LocalBackend) -> None:
    for person in ("Ann, 31", "Bob, 40", "Carla, 25"):
        result = local.generate(
            _ask(f"Give this person as JSON: {person}", max_tokens=80, json_schema=SCHEMA),
            deadline=time.monotonic() + 60,
        )
        value = json.loads(result.text)
        assert set(value) == {"name", "age"} and isinstance(value["age"], int)


def test_local_refuses_an_unusable_schema(local: LocalBackend) -> None:
    with pytest.raises(InvalidGenerationRequest):
        local.generate(
            _ask("x", max_tokens=5, json_schema={"type": "nonsense"}), deadline=time.monotonic() + 60
        )


def test_local_context_overflow_is_a_clear_error(local: LocalBackend) -> None:
    with pytest.raises(ContextTooLong) as error:
        local.generate(_ask("word " * 3000, max_tokens=5), deadline=time.monotonic() + 60)
    assert error.value.context_tokens == 1024 and (error.value.prompt_tokens or 0) > 1024
    # and the model still serves
    assert local.generate(_ask("Hi", max_tokens=3), deadline=time.monotonic() + 60).completion_tokens > 0


def test_local_time_limit(local: LocalBackend) -> None:
    # A deadline already past: the first token ends the generation (a short one could end on its own first).
    result = local.generate(_ask("Count from 1 to 500.", max_tokens=500), deadline=time.monotonic())
    assert result.finish_reason == "time_limit"
    assert result.completion_tokens < 500


def test_openai_compatible_backend_against_a_real_server() -> None:
    import xllamacpp

    key = secrets.token_hex(8)
    params = xllamacpp.CommonParams()
    params.model.path = str(smollm2_path())
    params.n_ctx = 1024
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    params.api_keys = [key]
    params.verbosity = -1
    server = xllamacpp.Server(params)
    backend = OpenAICompatibleBackend(server.listening_address + "/v1", model="smollm2", api_key=key)
    engine = LLMEngine(backend)
    pieces: list[str] = []
    result = engine.generate(_ask("Say hello.", max_tokens=10), on_token=pieces.append)
    assert result.text and "".join(pieces) == result.text
    assert result.prompt_tokens > 3 and 0 < result.completion_tokens <= 10
    structured = engine.generate(_ask("Ann is 31. As JSON:", max_tokens=60, json_schema=SCHEMA))
    assert set(json.loads(structured.text)) == {"name", "age"}
    wrong_key = OpenAICompatibleBackend(server.listening_address + "/v1", model="smollm2", api_key="nope")
    with pytest.raises(Exception, match="401"):
        wrong_key.generate(_ask("x", max_tokens=2), deadline=time.monotonic() + 30)
    backend.close()
    wrong_key.close()
