"""``usage`` of the LLM Gateway and LeMUR counts every generation a request ran: a transcript longer
than the model's context is condensed chunk by chunk first, and those generations count too. The
application runs in-process on a fake backend (plumbing only; the real models: tests/e2e)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from stenograph.llm import LLMEngine
from tests.support.fake_llm import FakeBackend
from tests.support.inprocess_app import inprocess_app

REPLY = "a short note"
# 200 sentences: far more than the fake model's 1024-token context holds.
LONG_TEXT = " ".join(
    f"In part {i} the committee agreed to review budget line {i} next week." for i in range(200)
)


@dataclass
class Served:
    client: TestClient
    backend: FakeBackend
    transcript_id: str

    def expected_usage(self) -> tuple[int, int]:
        """Prompt and completion tokens of every request the backend saw, as the fake counts them."""
        prompt = sum(sum(len(m.content.split()) for m in r.messages) for r in self.backend.requests)
        completion = sum(min(len(REPLY.split()), r.max_tokens) for r in self.backend.requests)
        return prompt, completion


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with inprocess_app(tmp_path_factory.mktemp("llm-usage")) as app:
        backend = FakeBackend(REPLY, context_tokens=1024)
        app.use_engine(LLMEngine(backend))
        transcript_id = app.completed_transcript({"text": LONG_TEXT, "words": [], "utterances": None})
        yield Served(app.client, backend, transcript_id)


def _chat(served: Served, **extra: Any) -> Any:
    served.backend.requests.clear()
    response = served.client.post(
        "/v1/chat/completions",
        json={
            "model": "any",
            "messages": [{"role": "user", "content": "What was agreed?"}],
            "max_tokens": 100,
            "transcript_id": served.transcript_id,
            **extra,
        },
    )
    assert response.status_code == 200, response.text
    return response


def test_chat_completion_usage_counts_the_condensing_generations(served: Served) -> None:
    usage = _chat(served).json()["usage"]
    assert len(served.backend.requests) > 2  # condensed in parts, then answered
    prompt, completion = served.expected_usage()
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == (prompt, completion)
    assert (usage["input_tokens"], usage["output_tokens"]) == (prompt, completion)
    assert usage["total_tokens"] == prompt + completion


def test_streamed_usage_counts_them_too(served: Served) -> None:
    lines = [line for line in _chat(served, stream=True).text.splitlines() if line.startswith("data: {")]
    [usage] = [json.loads(line[6:])["usage"] for line in lines if '"usage"' in line]
    assert len(served.backend.requests) > 2
    assert (usage["prompt_tokens"], usage["completion_tokens"]) == served.expected_usage()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("task", {"prompt": "What was agreed?"}),
        ("question-answer", {"questions": [{"question": "What?"}, {"question": "When?"}]}),
    ],
)
def test_lemur_usage_counts_the_condensing_generations(
    served: Served, path: str, body: dict[str, Any]
) -> None:
    served.backend.requests.clear()
    response = served.client.post(
        f"/lemur/v3/generate/{path}",
        json={"transcript_ids": [served.transcript_id], "max_output_size": 100, **body},
    )
    assert response.status_code == 200, response.text
    assert len(served.backend.requests) > 2
    prompt, completion = served.expected_usage()
    assert response.json()["usage"] == {"input_tokens": prompt, "output_tokens": completion}
