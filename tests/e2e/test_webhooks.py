"""Webhooks end to end: a real server POSTs to a real local receiver (stdlib HTTP server)."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.live_server import LiveServer

SECRET = "s3cret-" + secrets.token_hex(8)
HEADER = "X-Webhook-Secret"
RETRY_BASE = 0.2
# Huey's scheduler moves due retries to the queue once a second: long enough to be sure that
# a retry which should not happen has not happened.
QUIET_SECONDS = 2.5


@dataclass(frozen=True)
class Answer:
    status: int = 200
    delay: float = 0.0  # seconds to wait before answering


@dataclass(frozen=True)
class Hit:
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; answers from ``answers`` in turn, then 200."""

    answers: list[Answer] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    httpd: ThreadingHTTPServer | None = None

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = receiver.record(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender gave up waiting
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    @property
    def url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def record(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
        with self.lock:
            self.hits.append(Hit(path, headers, body, time.monotonic()))
            return self.answers.pop(0) if self.answers else Answer()

    def wait_for(self, count: int, timeout: float = 60.0) -> list[Hit]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.hits) >= count:
                    return list(self.hits)
            time.sleep(0.05)
        raise AssertionError(f"receiver got {len(self.hits)} request(s), expected {count}")


@pytest.fixture()
def make_receiver() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def make(*answers: Answer) -> Receiver:
        receiver = Receiver(list(answers)).start()
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.stop()


@pytest.fixture(scope="module")
def hook_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("webhooks") / "data",
        api_key=secrets.token_hex(16),
        env={
            "STENOGRAPH_ALLOW_PRIVATE_URLS": "1",
            "STENOGRAPH_WEBHOOK_RETRY_BASE_SECONDS": str(RETRY_BASE),
            "STENOGRAPH_WEBHOOK_TIMEOUT_SECONDS": "1",
        },
    ).start()
    yield live
    live.stop()


@pytest.fixture()
def aai(hook_server: LiveServer) -> Iterator[Any]:
    import assemblyai

    previous = (
        assemblyai.settings.base_url,
        assemblyai.settings.api_key,
        assemblyai.settings.polling_interval,
    )
    assemblyai.settings.base_url = hook_server.base_url
    assemblyai.settings.api_key = hook_server.api_key
    assemblyai.settings.polling_interval = 0.2
    yield assemblyai
    (assemblyai.settings.base_url, assemblyai.settings.api_key, assemblyai.settings.polling_interval) = (
        previous
    )


def raw_transcript(server: LiveServer, transcript_id: str) -> httpx.Response:
    return httpx.get(
        f"{server.base_url}/v2/transcript/{transcript_id}", headers={"Authorization": server.api_key}
    )


def wait_until(
    server: LiveServer, transcript_id: str, done: Callable[[dict], bool], timeout: float = 90
) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        body = raw_transcript(server, transcript_id).json()
        if done(body):
            return body
        time.sleep(0.1)
    raise AssertionError(f"{transcript_id}: condition never met; last: {body}\n{server.log()}")


def webhook_answered(body: dict) -> bool:
    return body["webhook_status_code"] is not None


def test_completed_webhook_through_the_sdk(
    aai: Any, hook_server: LiveServer, make_receiver, shared_audio: Path
) -> None:
    receiver = make_receiver()
    config = aai.TranscriptionConfig(
        webhook_url=receiver.url, webhook_auth_header_name=HEADER, webhook_auth_header_value=SECRET
    )
    transcript = aai.Transcriber(config=config).transcribe(str(shared_audio / "jfk" / "jfk.wav"))
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error

    [hit] = receiver.wait_for(1)
    assert hit.path == "/hook"
    assert hit.json() == {"transcript_id": transcript.id, "status": "completed"}
    assert hit.headers[HEADER.lower()] == SECRET
    assert hit.headers["content-type"] == "application/json"

    body = wait_until(hook_server, transcript.id, webhook_answered)
    assert body["webhook_status_code"] == 200
    assert body["webhook_auth"] is True
    assert body["webhook_url"] == receiver.url
    assert body["webhook_auth_header_name"] == HEADER
    assert "webhook_auth_header_value" not in body
    assert SECRET not in raw_transcript(hook_server, transcript.id).text
    listing = httpx.get(
        f"{hook_server.base_url}/v2/transcript", headers={"Authorization": hook_server.api_key}
    )
    assert SECRET not in listing.text

    again = aai.Transcript.get_by_id(transcript.id)
    assert again.json_response["webhook_status_code"] == 200
    assert again.json_response["webhook_auth"] is True
    time.sleep(QUIET_SECONDS)
    assert len(receiver.hits) == 1


def test_5xx_is_retried_with_backoff(
    aai: Any, hook_server: LiveServer, make_receiver, shared_audio: Path
) -> None:
    receiver = make_receiver(Answer(500), Answer(503))
    config = aai.TranscriptionConfig().set_webhook(receiver.url)
    transcript = aai.Transcriber().submit(
        str(shared_audio / "compressed" / "azure_whatstheweatherlike.mp3"), config
    )

    hits = receiver.wait_for(3)
    assert [hit.json() for hit in hits] == [{"transcript_id": transcript.id, "status": "completed"}] * 3
    assert hits[1].at - hits[0].at >= RETRY_BASE
    assert hits[2].at - hits[1].at >= 2 * RETRY_BASE
    body = wait_until(hook_server, transcript.id, lambda b: b["webhook_status_code"] == 200)
    assert body["webhook_auth"] is False
    time.sleep(QUIET_SECONDS)
    assert len(receiver.hits) == 3


def test_timeout_is_retried(aai: Any, hook_server: LiveServer, make_receiver, shared_audio: Path) -> None:
    receiver = make_receiver(Answer(200, delay=2.0))  # the server waits 1 s per attempt
    config = aai.TranscriptionConfig().set_webhook(receiver.url)
    transcript = aai.Transcriber().submit(
        str(shared_audio / "compressed" / "azure_whatstheweatherlike.mp3"), config
    )

    receiver.wait_for(2)
    body = wait_until(hook_server, transcript.id, webhook_answered)
    assert body["webhook_status_code"] == 200
    assert "webhook attempt 1 failed" in hook_server.log(tail=None)


def test_4xx_is_not_retried(aai: Any, hook_server: LiveServer, make_receiver, shared_audio: Path) -> None:
    receiver = make_receiver(Answer(404))
    config = aai.TranscriptionConfig().set_webhook(receiver.url)
    transcript = aai.Transcriber().submit(
        str(shared_audio / "compressed" / "azure_whatstheweatherlike.mp3"), config
    )

    receiver.wait_for(1)
    body = wait_until(hook_server, transcript.id, webhook_answered)
    assert body["webhook_status_code"] == 404
    time.sleep(QUIET_SECONDS)
    assert len(receiver.hits) == 1
    assert raw_transcript(hook_server, transcript.id).json()["webhook_status_code"] == 404


def test_error_status_gets_a_webhook(aai: Any, hook_server: LiveServer, make_receiver) -> None:
    receiver = make_receiver()
    config = aai.TranscriptionConfig(
        webhook_url=receiver.url, webhook_auth_header_name=HEADER, webhook_auth_header_value=SECRET
    )
    transcript = aai.Transcriber().submit(b"this is not audio at all\n" * 200, config)

    [hit] = receiver.wait_for(1)
    assert hit.json() == {"transcript_id": transcript.id, "status": "error"}
    assert hit.headers[HEADER.lower()] == SECRET
    body = wait_until(hook_server, transcript.id, webhook_answered)
    assert body["status"] == "error" and body["error"]
    assert body["webhook_status_code"] == 200


def test_deleted_transcript_gets_no_more_attempts(
    aai: Any, hook_server: LiveServer, make_receiver, shared_audio: Path
) -> None:
    receiver = make_receiver(Answer(500, delay=0.5))  # delete while the first attempt is answered
    config = aai.TranscriptionConfig().set_webhook(receiver.url)
    transcript = aai.Transcriber().submit(
        str(shared_audio / "compressed" / "azure_whatstheweatherlike.mp3"), config
    )

    receiver.wait_for(1)
    deleted = httpx.delete(
        f"{hook_server.base_url}/v2/transcript/{transcript.id}",
        headers={"Authorization": hook_server.api_key},
    )
    assert deleted.status_code == 200
    time.sleep(QUIET_SECONDS + 0.5)
    assert len(receiver.hits) == 1


@pytest.mark.parametrize(
    ("options", "field_name"),
    [
        ({"webhook_url": "ftp://example.com/hook"}, "webhook_url"),
        ({"webhook_url": "not a url"}, "webhook_url"),
        (
            {"webhook_url": "https://example.com/h", "webhook_auth_header_name": "Bad Name"},
            "webhook_auth_header_name",
        ),
        (
            {"webhook_url": "https://example.com/h", "webhook_auth_header_value": "x"},
            "webhook_auth_header_name",
        ),
        (
            {
                "webhook_url": "https://example.com/h",
                "webhook_auth_header_name": "X-A",
                "webhook_auth_header_value": "a\nb",
            },
            "webhook_auth_header_value",
        ),
    ],
)
def test_webhook_options_are_validated(hook_server: LiveServer, options: dict, field_name: str) -> None:
    response = httpx.post(
        f"{hook_server.base_url}/v2/transcript",
        json={"audio_url": "https://example.com/a.wav", **options},
        headers={"Authorization": hook_server.api_key},
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"{field_name}:")


def test_private_webhook_refused_by_default(tmp_path: Path, make_receiver, shared_audio: Path) -> None:
    receiver = make_receiver()
    server = LiveServer(data_dir=tmp_path / "data", api_key=secrets.token_hex(16)).start()
    try:
        headers = {"Authorization": server.api_key}
        audio = (shared_audio / "compressed" / "azure_whatstheweatherlike.mp3").read_bytes()
        upload = httpx.post(f"{server.base_url}/v2/upload", content=audio, headers=headers).json()
        created = httpx.post(
            f"{server.base_url}/v2/transcript",
            json={"audio_url": upload["upload_url"], "webhook_url": receiver.url},
            headers=headers,
        )
        assert created.status_code == 200, created.text
        transcript_id = created.json()["id"]
        body = wait_until(server, transcript_id, lambda b: b["status"] in ("completed", "error"))
        assert body["status"] == "completed", body["error"]

        deadline = time.monotonic() + 30
        while "Webhook to" not in server.log(tail=None) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert f"Webhook to {receiver.url} refused" in server.log(tail=None)
        time.sleep(QUIET_SECONDS)
        assert receiver.hits == []
        assert raw_transcript(server, transcript_id).json()["webhook_status_code"] is None
    finally:
        server.stop()


@pytest.mark.slow
def test_a_worker_killed_mid_job_and_mid_webhook_completes_once_and_delivers(
    tmp_path: Path, make_receiver, shared_audio: Path
) -> None:
    """kill -9 while the job runs, restart; kill -9 while its webhook POST is in flight, restart:
    the job completes once (its second attempt) and the receiver gets the webhook."""
    env = {
        "STENOGRAPH_ALLOW_PRIVATE_URLS": "1",
        "STENOGRAPH_JOB_LEASE_SECONDS": "2",
        "STENOGRAPH_REAPER_INTERVAL_SECONDS": "0.5",
        "STENOGRAPH_WEBHOOK_TIMEOUT_SECONDS": "1",
    }
    server = LiveServer(data_dir=tmp_path / "data", api_key=secrets.token_hex(16), env=env).start()
    receiver = make_receiver(Answer(200, delay=30.0))  # the first POST hangs until its sender dies
    headers = {"Authorization": server.api_key}
    try:
        audio = (shared_audio / "librispeech" / "1089-134686-0000.flac").read_bytes()
        upload = httpx.post(f"{server.base_url}/v2/upload", content=audio, headers=headers).json()
        created = httpx.post(
            f"{server.base_url}/v2/transcript",
            json={"audio_url": upload["upload_url"], "webhook_url": receiver.url, "speaker_labels": True},
            headers=headers,
        ).json()
        wait_until(server, created["id"], lambda b: b["status"] == "processing")
        server.kill()  # mid-job
        server.start()

        receiver.wait_for(1, timeout=120)
        server.kill()  # mid-webhook: the POST is in flight
        server.start()

        hits = receiver.wait_for(2, timeout=60)
        assert {json.dumps(hit.json(), sort_keys=True) for hit in hits} == {
            json.dumps({"transcript_id": created["id"], "status": "completed"}, sort_keys=True)
        }
        body = wait_until(server, created["id"], webhook_answered)
        assert body["status"] == "completed" and body["webhook_status_code"] == 200
        assert "turnips and carrots" in body["text"].lower()
        log = server.log(tail=None)
        assert log.count(f"transcript {created['id']}: attempt ") == 2  # run twice, completed once
        time.sleep(QUIET_SECONDS)
        assert len(receiver.hits) == 2
    finally:
        server.stop()
