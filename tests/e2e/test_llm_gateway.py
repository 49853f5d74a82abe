"""The LLM Gateway through the official SDK (``aai.LLMGateway``, 1.8) and raw HTTP, against a live
server running a real model (SmolLM2-135M: real llama.cpp generations, quick; the packaged Qwen's
end-to-end test is test_llm_qwen.py, slow)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveServer, create_key, finished, transcribed

SCHEMA = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
    "additionalProperties": False,
}


@pytest.fixture()
def gateway(llm_server: LiveServer) -> Iterator[Any]:
    import assemblyai as aai

    previous = (aai.settings.api_key, aai.settings.llm_gateway_base_url, aai.settings.base_url)
    aai.settings.api_key = llm_server.api_key
    aai.settings.llm_gateway_base_url = llm_server.base_url
    aai.settings.base_url = llm_server.base_url
    try:
        yield aai
    finally:
        aai.settings.api_key, aai.settings.llm_gateway_base_url, aai.settings.base_url = previous


@pytest.fixture(scope="module")
def jfk_transcript_id(llm_server: LiveServer, shared_audio: Path) -> str:
    return transcribed(llm_server, shared_audio / "jfk" / "jfk.wav")


def _post(server: LiveServer, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/v1/chat/completions",
        json=body,
        headers={"Authorization": key or server.api_key},
        timeout=120,
    )


def _ask(**extra: Any) -> dict[str, Any]:
    return {
        "model": "claude-sonnet-4-5-20250929",
        "messages": [{"role": "user", "content": "Say hi."}],
        **extra,
    }


def test_sdk_lists_the_model(gateway: Any) -> None:
    models = gateway.LLMGateway().models.list().data
    assert [m.id for m in models] == ["smollm2-135m-instruct"]
    assert models[0].context_length == 2048 and models[0].top_provider.max_completion_tokens >= 1000


def test_sdk_chat_completion(gateway: Any) -> None:
    completion = gateway.LLMGateway().chat.completions.create(
        model="claude-sonnet-4-5-20250929",
        messages=[{"role": "user", "content": "Name a colour."}],
        max_tokens=16,
    )
    assert completion.request_id and completion.choices[0].message.content
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].finish_reason in ("stop", "length")
    usage = completion.usage
    assert usage.prompt_tokens > 5 and 0 < usage.completion_tokens <= 16
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    assert (usage.input_tokens, usage.output_tokens) == (usage.prompt_tokens, usage.completion_tokens)
    assert completion.model == "smollm2-135m-instruct"  # the model that ran, whatever was asked


def test_sdk_streaming(gateway: Any) -> None:
    chunks = list(
        gateway.LLMGateway().chat.completions.create(
            model="gpt-5.5",
            messages=[{"role": "user", "content": "Count to five."}],
            max_tokens=20,
            stream=True,
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.strip()
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_prompt_instead_of_messages(llm_server: LiveServer) -> None:
    response = _post(
        llm_server, {"model": "gemini-2.5-flash-lite", "prompt": "Write one word.", "max_tokens": 5}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["choices"][0]["message"]["content"] and body["usage"]["completion_tokens"] <= 5


def test_json_schema_output_is_valid(gateway: Any) -> None:
    import jsonschema_rs

    validator = jsonschema_rs.validator_for(SCHEMA)
    for person in ("Ann, aged 31", "Bob, aged 40", "Chen, aged 25"):
        completion = gateway.LLMGateway().chat.completions.create(
            model="gemini-2.5-flash-lite",
            messages=[{"role": "user", "content": f"Describe {person} as JSON."}],
            max_tokens=80,
            response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": SCHEMA}},
        )
        validator.validate(json.loads(completion.choices[0].message.content))


def test_transcript_id_puts_the_transcript_into_the_context(
    llm_server: LiveServer, jfk_transcript_id: str
) -> None:
    bare = _post(llm_server, _ask(max_tokens=1)).json()["usage"]["prompt_tokens"]
    with_transcript = _post(llm_server, _ask(max_tokens=1, transcript_id=jfk_transcript_id))
    assert with_transcript.status_code == 200, with_transcript.text
    # the JFK line ("... ask not what your country can do for you ...") is about 25 tokens
    assert with_transcript.json()["usage"]["prompt_tokens"] > bare + 25


def test_another_projects_or_unknown_transcript_is_404(
    llm_server: LiveServer, jfk_transcript_id: str, gateway: Any
) -> None:
    other = create_key(llm_server)
    response = _post(llm_server, _ask(transcript_id=jfk_transcript_id), key=other)
    assert response.status_code == 404 and "not found" in response.json()["message"]
    with pytest.raises(gateway.types.LLMGatewayError) as error:
        gateway.LLMGateway().chat.completions.create(
            model="x",
            messages=[{"role": "user", "content": "hi"}],
            transcript_id="00000000-0000-0000-0000-000000000000",
        )
    assert error.value.status_code == 404


def test_a_transcript_not_completed_is_400(llm_server: LiveServer) -> None:
    headers = {"Authorization": llm_server.api_key}
    created = httpx.post(
        f"{llm_server.base_url}/v2/transcript",
        json={"audio_url": f"{llm_server.base_url}/health"},  # not audio: the job ends in error
        headers=headers,
    ).json()
    assert finished(llm_server, created["id"])["status"] == "error"
    response = _post(llm_server, _ask(transcript_id=created["id"]))
    assert response.status_code == 400 and "not completed" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"model": "m", "prompt": ""}, "empty"),
        ({"model": "m", "messages": [{"role": "user", "content": "   "}]}, "empty"),
        ({"model": "m"}, "messages or prompt"),
        (_ask(max_tokens=0), "max_tokens"),
        (_ask(max_tokens=10**6), "max_tokens"),
        (_ask(temperature=3), "temperature"),
        (
            _ask(
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": {"type": "nope"}},
                }
            ),
            "JSON Schema",
        ),
        ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
        ({"model": "m", "prompt": "word " * 5000}, "context"),
    ],
)
def test_bad_input_is_a_400_in_the_gateway_envelope(
    llm_server: LiveServer, body: dict[str, Any], words: str
) -> None:
    response = _post(llm_server, body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert words in error["message"] and error["code"] == 400
    assert error["error"]["message"] == error["message"] and error["metadata"]["errors"]
    assert _post(llm_server, _ask(max_tokens=2)).status_code == 200  # and the server keeps serving


def test_missing_key_is_401_the_sdk_reads(llm_server: LiveServer, gateway: Any) -> None:
    response = httpx.post(f"{llm_server.base_url}/v1/chat/completions", json=_ask())
    assert response.status_code == 401 and "API token" in response.json()["message"]
    gateway.settings.api_key = "wrong"
    with pytest.raises(gateway.types.LLMGatewayError) as error:
        gateway.LLMGateway().chat.completions.create(model="x", messages=[{"role": "user", "content": "hi"}])
    assert error.value.status_code == 401 and "API token" in str(error.value)


def test_a_full_queue_is_429_with_retry_after(llm_server: LiveServer) -> None:
    # a schema that forces a long answer: 1000 numbers, about 2000 tokens
    long_answer = {"type": "array", "items": {"type": "integer"}, "minItems": 1000}
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": "Count."}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "n", "schema": long_answer}},
    }
    with httpx.Client(timeout=120) as client:
        with client.stream(
            "POST",
            f"{llm_server.base_url}/v1/chat/completions",
            json={**body, "max_tokens": 3000, "stream": True},
            headers={"Authorization": llm_server.api_key},
        ) as running:
            assert running.status_code == 200
            # The role chunk goes out before the engine starts; the first token means it holds the
            # process's one generation (and no one may wait: max waiting 0).
            # Kept in a name: an iterator dropped here would be closed, and the response with it.
            lines = running.iter_lines()
            next(line for line in lines if '"content": "' in line and '"content": ""' not in line)
            refused = _post(llm_server, _ask())
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert "busy" in refused.json()["message"]
    deadline = time.monotonic() + 60
    while _post(llm_server, _ask(max_tokens=2)).status_code == 429:  # the dropped stream stops
        assert time.monotonic() < deadline
        time.sleep(0.2)
