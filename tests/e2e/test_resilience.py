"""Jobs survive a worker killed mid-run and a restart; rate limits; the outbound address policy."""

from __future__ import annotations

import secrets
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tests.support.audio_refs import normalise
from tests.support.live_server import LiveServer


def wait_for_status(server: LiveServer, transcript_id: str, wanted: set[str], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = httpx.get(
            f"{server.base_url}/v2/transcript/{transcript_id}", headers={"Authorization": server.api_key}
        ).json()
        if body["status"] in wanted:
            return body
        time.sleep(0.1)
    raise AssertionError(f"{transcript_id} never reached {wanted}; last: {body['status']}\n{server.log()}")


@pytest.mark.slow
def test_job_of_a_killed_worker_completes_after_restart(tmp_path: Path, shared_audio: Path) -> None:
    env = {"STENOGRAPH_JOB_LEASE_SECONDS": "3", "STENOGRAPH_REAPER_INTERVAL_SECONDS": "0.5"}
    server = LiveServer(data_dir=tmp_path / "data", api_key=secrets.token_hex(16), env=env).start()
    headers = {"Authorization": server.api_key}
    try:
        long_audio = (shared_audio / "longform" / "dev_concat.flac").read_bytes()
        upload = httpx.post(f"{server.base_url}/v2/upload", content=long_audio, headers=headers).json()
        short_audio = (shared_audio / "jfk" / "jfk.wav").read_bytes()
        short_upload = httpx.post(f"{server.base_url}/v2/upload", content=short_audio, headers=headers).json()
        running = httpx.post(
            f"{server.base_url}/v2/transcript", json={"audio_url": upload["upload_url"]}, headers=headers
        ).json()
        waiting = httpx.post(
            f"{server.base_url}/v2/transcript",
            json={"audio_url": short_upload["upload_url"]},
            headers=headers,
        ).json()
        wait_for_status(server, running["id"], {"processing"}, timeout=60)
        time.sleep(1.0)  # well into decoding
        server.kill()

        server.start()  # same data directory, same port: the queue and the rows are on disk
        done = wait_for_status(server, running["id"], {"completed", "error"}, timeout=240)
        assert done["status"] == "completed", done["error"]
        assert len(done["words"]) > 800
        assert f"transcript {running['id']}: attempt 2" in server.log(
            tail=None
        )  # re-run after the lease lapsed
        assert "iron they say in all our blood" in normalise(done["text"])
        queued = wait_for_status(server, waiting["id"], {"completed", "error"}, timeout=60)
        assert queued["status"] == "completed"
        assert "ask not what your country can do for you" in normalise(queued["text"])
    finally:
        server.stop()


def test_rate_limit_answers_429_with_headers(tmp_path: Path) -> None:
    server = LiveServer(
        data_dir=tmp_path / "data",
        api_key=secrets.token_hex(16),
        env={"STENOGRAPH_RATE_LIMIT_PER_MINUTE": "3"},
    ).start()
    try:
        headers = {"Authorization": server.api_key}
        responses = [httpx.get(f"{server.base_url}/v2/transcript", headers=headers) for _ in range(4)]
        assert [r.status_code for r in responses] == [200, 200, 200, 429]
        assert [r.headers["X-RateLimit-Remaining"] for r in responses] == ["2", "1", "0", "0"]
        limited = responses[-1]
        assert limited.json()["error"]
        assert limited.headers["X-RateLimit-Limit"] == "3"
        assert 0 < int(limited.headers["Retry-After"]) <= 60
        assert 0 < int(limited.headers["X-RateLimit-Reset"]) <= 60
    finally:
        server.stop()


@pytest.fixture()
def local_audio_url(shared_audio: Path):
    handler = partial(SimpleHTTPRequestHandler, directory=str(shared_audio))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/jfk/jfk.wav"
    httpd.shutdown()


def test_private_audio_url_refused_by_default(tmp_path: Path, local_audio_url: str) -> None:
    server = LiveServer(data_dir=tmp_path / "data", api_key=secrets.token_hex(16)).start()
    try:
        headers = {"Authorization": server.api_key}
        created = httpx.post(
            f"{server.base_url}/v2/transcript", json={"audio_url": local_audio_url}, headers=headers
        ).json()
        done = wait_for_status(server, created["id"], {"completed", "error"}, timeout=60)
        assert done["status"] == "error"
        assert "refused" in done["error"] and "127.0.0.1" in done["error"]
    finally:
        server.stop()


@pytest.mark.slow
def test_a_job_that_keeps_killing_its_worker_ends_in_error_after_the_attempt_cap(
    tmp_path: Path, shared_audio: Path
) -> None:
    """Kills of the real server stand in for an input that crashes its worker: the reaper's
    re-queue after each lapsed lease must end the job at STENOGRAPH_MAX_JOB_ATTEMPTS."""
    env = {
        "STENOGRAPH_JOB_LEASE_SECONDS": "2",
        "STENOGRAPH_REAPER_INTERVAL_SECONDS": "0.5",
        "STENOGRAPH_MAX_JOB_ATTEMPTS": "2",
    }
    server = LiveServer(data_dir=tmp_path / "data", api_key=secrets.token_hex(16), env=env).start()
    headers = {"Authorization": server.api_key}
    try:
        audio = (shared_audio / "longform" / "dev_concat.flac").read_bytes()
        upload = httpx.post(f"{server.base_url}/v2/upload", content=audio, headers=headers).json()
        created = httpx.post(
            f"{server.base_url}/v2/transcript", json={"audio_url": upload["upload_url"]}, headers=headers
        ).json()
        attempt = f"transcript {created['id']}: attempt"
        for n in (1, 2):  # each attempt "crashes" its worker
            deadline = time.monotonic() + 60
            while f"{attempt} {n}" not in server.log(tail=None):
                assert time.monotonic() < deadline, server.log()
                time.sleep(0.1)
            server.kill()
            server.start()
        done = wait_for_status(server, created["id"], {"completed", "error"}, timeout=60)
        assert done["status"] == "error", "a third attempt ran"
        assert done["error"].startswith("Transcription failed repeatedly"), done["error"]
        assert "2 attempts" in done["error"]
        time.sleep(2)  # a few more reaper passes: nothing runs it again
        assert f"{attempt} 3" not in server.log(tail=None)
        assert wait_for_status(server, created["id"], {"error"}, timeout=5)["error"] == done["error"]
    finally:
        server.stop()
