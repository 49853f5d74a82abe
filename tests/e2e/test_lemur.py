"""LeMUR v3 through the last Python SDK that has it (``assemblyai`` 0.65, in its own folder), the
last JavaScript SDK that has it (``assemblyai`` 4.36, tests/js/lemur.mjs) and raw HTTP, against a
live server running a real model (SmolLM2-135M: quick; its answers are not judged here, their
shapes and the plumbing are; the packaged Qwen's quality is benchmarks/llm.py's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.js_sdk import run_script
from tests.support.lemur_sdk import run_old_sdk
from tests.support.live_server import LiveServer, create_key, transcribed


@pytest.fixture(scope="module")
def transcript_id(llm_server: LiveServer, shared_audio: Path) -> str:
    return transcribed(llm_server, shared_audio / "jfk" / "jfk.wav")


def _post(server: LiveServer, path: str, body: dict[str, Any], key: str | None = None) -> httpx.Response:
    return httpx.post(
        f"{server.base_url}/lemur/v3/{path}",
        json=body,
        headers={"Authorization": key or server.api_key},
        timeout=120,
    )


SDK_SCRIPT = """
lemur = aai.Lemur(sources=[aai.LemurSource(aai.Transcript.get_by_id(transcript_id))])
model = aai.LemurModel.claude3_5_sonnet
task = lemur.task("Who is speaking? One sentence.", final_model=model, max_output_size=40)
summary = lemur.summarize(context="A speech", answer_format="one sentence", max_output_size=60)
items = lemur.action_items(max_output_size=60)
qa = lemur.question(
    [
        aai.LemurQuestion(question="Is this a speech?", answer_options=["yes", "no"]),
        aai.LemurQuestion(question="What country is mentioned?", answer_format="one word"),
    ],
    max_output_size=30,
)
text = aai.Lemur().task("Who is speaking? One sentence.", input_text="hi", max_output_size=10)
fetched = aai.Lemur().get_response_data(task.request_id)
purged = aai.Lemur.purge_request_data(task.request_id)
try:
    aai.Lemur().get_response_data(task.request_id)
    after = None
except aai.types.LemurError as error:
    after = str(error)
result = {
    "task": task.dict(), "summary": summary.dict(), "items": items.dict(), "qa": qa.dict(),
    "text": text.dict(), "fetched": type(fetched).__name__, "fetched_response": fetched.response,
    "fetched_request": fetched.request.dict() if fetched.request else None,
    "purged": purged.dict(), "after": after,
}
"""


def test_the_lemur_sdk_runs_every_endpoint(llm_server: LiveServer, transcript_id: str) -> None:
    out = run_old_sdk(llm_server, SDK_SCRIPT, transcript_id=transcript_id)
    for name in ("task", "summary", "items", "text"):
        assert out[name]["response"].strip(), name
        usage = out[name]["usage"]
        assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    # the transcript was in the context: the JFK line is about 25 tokens more than "hi"
    assert out["task"]["usage"]["input_tokens"] > out["text"]["usage"]["input_tokens"] + 20
    answers = out["qa"]["response"]
    assert [a["question"] for a in answers] == ["Is this a speech?", "What country is mentioned?"]
    assert answers[0]["answer"] in ("yes", "no")  # constrained to the options
    assert answers[1]["answer"]
    assert out["fetched"] == "LemurStringResponse" and out["fetched_response"] == out["task"]["response"]
    assert out["fetched_request"]["final_model"] == "anthropic/claude-3-5-sonnet"
    assert out["fetched_request"]["transcript_ids"] == [transcript_id]
    assert out["purged"] == {
        "request_id": out["purged"]["request_id"],
        "request_id_to_purge": out["task"]["request_id"],
        "deleted": True,
    }
    assert out["after"] and "not found" in out["after"].lower()


def test_the_last_js_sdk_with_lemur_runs_every_endpoint(
    js_sdk: Path, llm_server: LiveServer, transcript_id: str
) -> None:
    out = run_script(js_sdk, "lemur.mjs", llm_server, transcript_id, timeout=300)
    for name in ("task", "summary", "items", "text"):
        assert out[name]["response"].strip(), name
        assert out[name]["usage"]["input_tokens"] > 0 and out[name]["usage"]["output_tokens"] > 0
    assert out["task"]["usage"]["input_tokens"] > out["text"]["usage"]["input_tokens"] + 20
    answers = out["qa"]["response"]
    assert [a["question"] for a in answers] == ["Is this a speech?", "What country is mentioned?"]
    assert answers[0]["answer"] in ("yes", "no")
    assert out["fetched"]["response"] == out["task"]["response"]
    assert out["fetched"]["request_id"] == out["task"]["request_id"]
    assert out["purged"]["deleted"] is True
    assert out["purged"]["request_id_to_purge"] == out["task"]["request_id"]
    assert out["after"] and "not found" in out["after"].lower()


def test_raw_http_shapes_and_owner_scoping(llm_server: LiveServer, transcript_id: str) -> None:
    response = _post(
        llm_server,
        "generate/question-answer",
        {
            "transcript_ids": [transcript_id],
            "questions": [{"question": "Yes or no?", "answer_options": ["Yes", "No"]}],
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"request_id", "response", "usage"}
    assert body["response"][0]["answer"] in ("Yes", "No")
    request_id = body["request_id"]
    other = create_key(llm_server)
    theirs = {"Authorization": other}
    assert (
        _post(
            llm_server, "generate/task", {"transcript_ids": [transcript_id], "prompt": "x"}, key=other
        ).status_code
        == 404
    )
    assert httpx.get(f"{llm_server.base_url}/lemur/v3/{request_id}", headers=theirs).status_code == 404
    assert httpx.delete(f"{llm_server.base_url}/lemur/v3/{request_id}", headers=theirs).status_code == 404
    mine = {"Authorization": llm_server.api_key}
    fetched = httpx.get(f"{llm_server.base_url}/lemur/v3/{request_id}", headers=mine).json()
    assert fetched["response"] == body["response"] and fetched["request"]["request_endpoint"].endswith(
        "question-answer"
    )
    assert (
        httpx.delete(f"{llm_server.base_url}/lemur/v3/{request_id}", headers=mine).json()["deleted"] is True
    )
    assert httpx.get(f"{llm_server.base_url}/lemur/v3/{request_id}", headers=mine).status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("generate/task", {"prompt": "x"}, 400, "transcript_ids or input_text"),
        ("generate/task", {"prompt": "   ", "input_text": "a"}, 400, "prompt is empty"),
        ("generate/task", {"input_text": "a"}, 400, "prompt"),
        ("generate/task", {"prompt": "x", "input_text": "a", "transcript_ids": ["b"]}, 400, "not both"),
        (
            "generate/task",
            {"prompt": "x", "transcript_ids": ["00000000-0000-0000-0000-000000000000"]},
            404,
            "not found",
        ),
        ("generate/summary", {"input_text": "a", "max_output_size": 0}, 400, "max_output_size"),
        ("generate/summary", {"input_text": "a", "temperature": 1.5}, 400, "temperature"),
        ("generate/question-answer", {"input_text": "a", "questions": []}, 400, "at least one"),
        (
            "generate/question-answer",
            {
                "input_text": "a",
                "questions": [{"question": "q", "answer_format": "f", "answer_options": ["a"]}],
            },
            400,
            "together",
        ),
        ("generate/action-items", {"input_text": "word " * 5000}, 400, "context"),
    ],
)
def test_bad_input(llm_server: LiveServer, path: str, body: dict[str, Any], status: int, words: str) -> None:
    response = _post(llm_server, path, body)
    assert response.status_code == status, response.text
    assert words in response.json()["error"]
    assert (
        _post(
            llm_server, "generate/task", {"prompt": "Say hi.", "input_text": "hi", "max_output_size": 3}
        ).status_code
        == 200
    )


def test_unknown_request_id_is_404(llm_server: LiveServer) -> None:
    headers = {"Authorization": llm_server.api_key}
    for request_id in ("00000000-0000-0000-0000-000000000000", "nonsense"):
        assert httpx.get(f"{llm_server.base_url}/lemur/v3/{request_id}", headers=headers).status_code == 404
        assert (
            httpx.delete(f"{llm_server.base_url}/lemur/v3/{request_id}", headers=headers).status_code == 404
        )
