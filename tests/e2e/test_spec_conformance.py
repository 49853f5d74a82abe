"""Every operation of AssemblyAI's published spec against a live server, with requests that
schemathesis generates from the spec: no answer is a 5xx, and every answer matches the schema the
spec documents for it, but for the exceptions listed in ``spec_as_served``.

Transcript ids in paths are drawn both at random and from two real transcripts (one completed with
speaker labels, one failed), so the documented shapes of real results are checked, not only 404s.
"""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.support.live_server import LiveServer
from tests.support.spec import load_spec

OPERATIONS = [
    "POST /v2/upload",
    "POST /v2/transcript",
    "GET /v2/transcript",
    "GET /v2/transcript/{transcript_id}",
    "DELETE /v2/transcript/{transcript_id}",
    "GET /v2/transcript/{transcript_id}/{subtitle_format}",
    "GET /v2/transcript/{transcript_id}/sentences",
    "GET /v2/transcript/{transcript_id}/paragraphs",
    "GET /v2/transcript/{transcript_id}/word-search",
    "GET /v2/transcript/{transcript_id}/redacted-audio",
]
EXAMPLES_PER_OPERATION = 50

# Request options the spec no longer lists but the Python SDK 1.8 still parses from a transcript
# (into ``transcript.config``); Stenograph echoes them like every other option it accepts.
LEGACY_ECHOED_OPTIONS = {
    "word_boost": {"type": ["array", "null"], "items": {"type": "string"}},
    "boost_param": {"type": ["string", "null"]},
    "dual_channel": {"type": ["boolean", "null"]},
    "speaker_options": {"type": ["object", "null"]},
    "content_safety_confidence": {"type": ["integer", "null"]},
}


def spec_as_served(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with the exceptions Stenograph makes, each decided from what the SDKs do:

    1. ``TranscriptParams`` is published as an ``allOf`` of two objects that each forbid additional
       properties, which no request satisfies (``audio_url`` is extra to the second); it is merged
       into the one object the SDKs send.
    2. ``Transcript`` also lists ``LEGACY_ECHOED_OPTIONS``.
    """
    served = copy.deepcopy(spec)
    components = served["components"]["schemas"]
    params = components["TranscriptParams"]
    parts = [components[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in params.pop("allOf")]
    params["properties"] = {name: s for part in parts for name, s in part.get("properties", {}).items()}
    params["required"] = [name for part in parts for name in part.get("required", [])]
    components["Transcript"]["properties"].update(LEGACY_ECHOED_OPTIONS)
    return served


def wait_finished(client: httpx.Client, transcript_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v2/transcript/{transcript_id}").json()
        if body["status"] in ("completed", "error"):
            return dict(body)
        time.sleep(0.3)
    raise TimeoutError(transcript_id)


@pytest.fixture(scope="module")
def spec_schema() -> Any:
    return schemathesis.openapi.from_dict(spec_as_served(load_spec()))


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own (private addresses refused): fuzzed jobs never reach the shared one."""
    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("spec") / "data", api_key=secrets.token_hex(16)
    ).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def real_transcripts(fuzzed_server: LiveServer, shared_audio: Path) -> dict[str, str]:
    client = httpx.Client(
        base_url=fuzzed_server.base_url, headers={"Authorization": fuzzed_server.api_key}, timeout=60
    )
    upload = client.post("/v2/upload", content=(shared_audio / "jfk" / "jfk.wav").read_bytes())
    completed = client.post(
        "/v2/transcript", json={"audio_url": upload.json()["upload_url"], "speaker_labels": True}
    ).json()["id"]
    failed = client.post("/v2/transcript", json={"audio_url": "http://127.0.0.1:9/refused.wav"}).json()["id"]
    assert wait_finished(client, completed)["status"] == "completed"
    assert wait_finished(client, failed)["status"] == "error"
    return {"completed": completed, "error": failed}


@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_answers_as_documented(
    label: str, spec_schema: Any, fuzzed_server: LiveServer, real_transcripts: dict[str, str]
) -> None:
    operation = spec_schema.find_operation_by_label(label)
    cases = operation.as_strategy()
    if "{transcript_id}" in operation.path and operation.method != "delete":
        cases = st.one_of(cases, *(cases.map(_with_transcript(tid)) for tid in real_transcripts.values()))
    headers = {"Authorization": fuzzed_server.api_key}
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,  # the same requests on every run: a failure in CI reproduces here
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def answers_as_documented(case: Any) -> None:
        response = case.call(base_url=fuzzed_server.base_url, headers=headers, timeout=60)
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        except BaseException as failure:  # schemathesis raises a group of every failed check
            failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {failure}")

    answers_as_documented()
    assert failures == [], "\n\n".join(failures[:3])
    assert httpx.get(f"{fuzzed_server.base_url}/health").status_code == 200


def _with_transcript(transcript_id: str) -> Any:
    def with_id(case: Any) -> Any:
        case.path_parameters = {**(case.path_parameters or {}), "transcript_id": transcript_id}
        return case

    return with_id
