"""Operations and models you bring, on a real server (`stenograph serve` in a subprocess): the
official SDK transcribes real audio on models brought under other names (copies of the packaged
ones) and AssemblyAI names mapped onto them; /ready, /metrics and the JSON log then tell what
happened; `stenograph doctor` checks the same set-up; a model directory that cannot be used stops
the server at start with the reason."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from stenograph.pipeline.models import BASE_MODEL_SHA256, file_sha256, model_directory
from tests.conftest import sdk_pointed_at
from tests.support.audio_refs import normalise
from tests.support.brought_models import base_copy, tiny_copy
from tests.support.live_server import REPO_ROOT, LiveServer
from tests.support.prometheus import value
from tests.support.streaming_helpers import chunks, pcm16, silence

WEBHOOK_SECRET = secrets.token_hex(12)
JFK_WORDS = "ask not what your country can do for you"


@pytest.fixture(scope="module")
def brought(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two models brought under names of their own: mini (tiny.en's files, English-only) and
    polyglot (base's, multilingual); AssemblyAI's "best" mapped onto mini, "universal-3-5-pro" onto
    polyglot."""
    root = tmp_path_factory.mktemp("brought")
    catalogue = {
        "models": {
            "mini": str(tiny_copy(root / "mini")),
            "polyglot": str(base_copy(root / "polyglot", root / "cache")),
        },
        "aliases": {"best": "mini", "universal-3-5-pro": "polyglot"},
    }
    return {"STENOGRAPH_MODELS": json.dumps(catalogue), "root": root}


@pytest.fixture(scope="module")
def ops_server(tmp_path_factory: pytest.TempPathFactory, brought: dict[str, Any]) -> Iterator[LiveServer]:
    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("ops") / "data",
        api_key=secrets.token_hex(16),
        env={
            "STENOGRAPH_MODELS": brought["STENOGRAPH_MODELS"],
            "STENOGRAPH_LOG_FORMAT": "json",
            "STENOGRAPH_METRICS_REQUIRE_KEY": "1",
            "STENOGRAPH_ALLOW_PRIVATE_URLS": "1",
        },
    ).start()
    yield live
    live.stop()


class _Hooks:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.done = threading.Event()
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                hooks.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                hooks.done.set()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"


@pytest.fixture(scope="module")
def jobs(ops_server: LiveServer, shared_audio: Path) -> dict[str, dict[str, Any]]:
    """Two real transcriptions through the official SDK: "best" (-> mini) with a webhook, and
    "universal-3-5-pro" (-> polyglot) with language detection."""
    hooks = _Hooks()
    clip = str(shared_audio / "jfk" / "jfk.wav")
    try:
        with sdk_pointed_at(ops_server) as aai_module:
            aai: Any = aai_module
            english = aai.Transcriber(
                config=aai.TranscriptionConfig(
                    speech_models=["best"],
                    webhook_url=hooks.url,
                    webhook_auth_header_name="X-Hook-Secret",
                    webhook_auth_header_value=WEBHOOK_SECRET,
                )
            ).transcribe(clip)
            detected = aai.Transcriber(
                config=aai.TranscriptionConfig(speech_models=["universal-3-5-pro"], language_detection=True)
            ).transcribe(clip)
        assert hooks.done.wait(30), "the webhook never came"
    finally:
        hooks.httpd.shutdown()
        hooks.httpd.server_close()
    return {"english": english.json_response, "detected": detected.json_response}


def test_assemblyai_names_run_the_models_brought(jobs: dict[str, dict[str, Any]]) -> None:
    english, detected = jobs["english"], jobs["detected"]
    assert english["status"] == "completed", english.get("error")
    assert english["speech_model_used"] == "mini"
    assert JFK_WORDS in normalise(english["text"])
    assert detected["status"] == "completed", detected.get("error")
    assert detected["speech_model_used"] == "polyglot"  # multilingual: detects the language itself
    assert detected["language_code"] == "en" and JFK_WORDS in normalise(detected["text"])


def test_a_brought_model_by_its_own_name_and_the_english_rule(
    ops_server: LiveServer, shared_audio: Path
) -> None:
    """mini is English-only: asked for another language it gives way to the packaged multilingual
    model, as tiny.en does. A name no model has is refused, the brought ones listed as accepted."""
    with sdk_pointed_at(ops_server) as aai_module:
        aai: Any = aai_module
        german = aai.Transcriber(
            config=aai.TranscriptionConfig(speech_models=["mini"], language_code="de")
        ).transcribe(str(shared_audio / "jfk" / "jfk.wav"))
    assert german.status == aai.TranscriptStatus.completed, german.error
    assert german.json_response["speech_model_used"] == "base"
    unknown = httpx.post(
        f"{ops_server.base_url}/v2/transcript",
        headers={"Authorization": ops_server.api_key},
        json={"audio_url": "https://example.com/x.wav", "speech_model": "huge"},
        timeout=30,
    )
    assert unknown.status_code == 400 and "mini" in unknown.json()["error"]


def test_health_and_ready_without_a_key(ops_server: LiveServer) -> None:
    assert httpx.get(f"{ops_server.base_url}/health", timeout=10).json() == {"status": "ok"}
    ready = httpx.get(f"{ops_server.base_url}/ready", timeout=10)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_metrics_tell_what_happened(ops_server: LiveServer, jobs: dict[str, dict[str, Any]]) -> None:
    url = f"{ops_server.base_url}/metrics"
    assert httpx.get(url, timeout=10).status_code == 401  # STENOGRAPH_METRICS_REQUIRE_KEY
    answer = httpx.get(url, headers={"Authorization": ops_server.api_key}, timeout=10)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    for model in ("mini", "polyglot"):
        assert value(text, "stenograph_jobs_finished_total", model=model, status="completed") == 1
        assert value(text, "stenograph_job_duration_seconds_count", model=model, status="completed") == 1
        assert 10.5 < (value(text, "stenograph_audio_seconds_processed_total", model=model) or 0) < 11.5
    assert value(text, "stenograph_webhook_deliveries_total", kind="transcript", outcome="delivered") == 1
    assert (value(text, "stenograph_jobs", status="completed") or 0) >= 2
    assert value(text, "stenograph_queue_depth") == 0
    assert value(text, "stenograph_queue_oldest_age_seconds") == 0
    posted = value(
        text, "stenograph_http_requests_total", method="POST", route="/v2/transcript", status="200"
    )
    assert (posted or 0) >= 2
    polled = value(
        text,
        "stenograph_http_requests_total",
        method="GET",
        route="/v2/transcript/{transcript_id}",
        status="200",
    )
    assert (polled or 0) >= 2
    assert jobs["english"]["id"] not in text  # labels are route templates, never raw paths


def test_the_json_log_follows_each_job(ops_server: LiveServer, jobs: dict[str, dict[str, Any]]) -> None:
    log = ops_server.log(tail=None)
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert len(entries) > 10
    others = [line for line in log.splitlines() if line.strip() and not line.startswith("{")]
    assert all(line.startswith("Stenograph on ") for line in others), others  # the command's banner
    for job in jobs.values():
        states = [e["status"] for e in entries if e.get("transcript_id") == job["id"] and "status" in e]
        assert states == ["queued", "processing", "completed"], states
        requests = [e for e in entries if e.get("transcript_id") == job["id"] and e.get("route")]
        assert requests and all(e["route"].startswith("/v2/transcript/") for e in requests)
    assert ops_server.api_key not in log and WEBHOOK_SECRET not in log


def test_metrics_of_a_live_session(ops_server: LiveServer, shared_audio: Path) -> None:
    """A stream through the official SDK: its decodes are timed, its WebSocket counted by route once
    it ends, and it is no longer open."""
    from assemblyai.streaming.v3 import (
        RealTimeEvents,
        RealTimeParameters,
        RealTimeTranscriber,
        RealTimeTranscriberOptions,
    )

    def metrics() -> str:
        answer = httpx.get(
            f"{ops_server.base_url}/metrics", headers={"Authorization": ops_server.api_key}, timeout=10
        )
        return answer.text

    decodes_before = value(metrics(), "stenograph_streaming_decode_seconds_count") or 0
    turns: list[str] = []
    client = RealTimeTranscriber(
        RealTimeTranscriberOptions(api_host=f"ws://127.0.0.1:{ops_server.port}", api_key=ops_server.api_key)
    )
    client.on(RealTimeEvents.Turn, lambda _c, e: turns.append(e.transcript) if e.end_of_turn else None)
    client.connect(RealTimeParameters(sample_rate=16000))
    client.stream(chunks(pcm16(shared_audio / "jfk" / "jfk.wav") + silence(1.5)))
    client.disconnect(terminate=True)
    assert turns  # at least one turn ended (sent faster than real time and closed at once)

    deadline = time.monotonic() + 10
    while True:  # the session is counted when its handler returns, just after the close
        text = metrics()
        ws = value(text, "stenograph_http_requests_total", method="WS", route="/v3/ws", status="101")
        if ws or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert ws == 1
    assert (value(text, "stenograph_streaming_decode_seconds_count") or 0) > decodes_before
    assert value(text, "stenograph_streaming_sessions_open") == 0


def _doctor(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stenograph.cli", "doctor"],
        cwd=REPO_ROOT,
        env={**os.environ, "COLUMNS": "300", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_doctor_checks_the_models_brought(ops_server: LiveServer, brought: dict[str, Any]) -> None:
    env = {
        "STENOGRAPH_DATA_DIR": str(ops_server.data_dir),
        "STENOGRAPH_MODEL_CACHE_DIR": str(ops_server.data_dir.parent / "model-cache"),
        "STENOGRAPH_MODELS": brought["STENOGRAPH_MODELS"],
    }
    ok = _doctor(env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    tiny_sha = file_sha256(model_directory("tiny.en") / "model.bin")
    assert f"mini: {brought['root'] / 'mini'} sha256 {tiny_sha}" in ok.stdout
    assert f"polyglot: {brought['root'] / 'polyglot'} sha256 {BASE_MODEL_SHA256}" in ok.stdout
    assert f"sha256 {BASE_MODEL_SHA256} (verified)" in ok.stdout  # the packaged ones, checked
    assert f"sha256 {tiny_sha} (verified)" in ok.stdout
    assert "database: ok" in ok.stdout and "queue: ok" in ok.stdout and "GiB free" in ok.stdout

    missing = json.dumps({"models": {"gone": str(brought["root"] / "gone")}})
    bad = _doctor({**env, "STENOGRAPH_MODELS": missing})
    assert bad.returncode == 1
    assert "model 'gone'" in bad.stderr and "the directory does not exist" in bad.stderr


def test_a_directory_that_is_not_a_whisper_model_stops_the_server(tmp_path: Path) -> None:
    not_a_model = tmp_path / "not-a-model"
    not_a_model.mkdir()
    (not_a_model / "model.bin").write_bytes(b"\x00" * 64)
    started = subprocess.run(
        [sys.executable, "-m", "stenograph.cli", "serve", "--port", "1"],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "STENOGRAPH_DATA_DIR": str(tmp_path / "data"),
            "STENOGRAPH_MODELS": json.dumps({"models": {"large-v3": str(not_a_model)}}),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 2
    assert "STENOGRAPH_MODELS: model 'large-v3'" in started.stderr
    assert "not a CTranslate2 Whisper model, missing config.json, tokenizer.json" in started.stderr
