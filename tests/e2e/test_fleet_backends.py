"""The server on the fleet's backends (PostgreSQL and Redis) instead of the embedded ones: a job
runs, is polled (the cached GET path, whose small reads go to the thread pool on PostgreSQL),
listed and deleted. Skipped when either service is not reachable here (CI has both)."""

from __future__ import annotations

import secrets
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import LiveServer
from tests.support.postgres import throwaway_database

REDIS = ("127.0.0.1", 6379)
REDIS_DB = 7  # a database of its own: nothing else in the suite queues there


@pytest.fixture(scope="module")
def fleet_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    try:
        socket.create_connection(REDIS, timeout=2).close()
    except OSError as exc:
        pytest.skip(f"Redis not reachable at {REDIS[0]}:{REDIS[1]}: {exc}")
    with throwaway_database() as (_user, url):
        live = LiveServer(
            data_dir=tmp_path_factory.mktemp("fleet") / "data",
            api_key=secrets.token_hex(16),
            env={
                "STENOGRAPH_DATABASE_URL": url,
                "STENOGRAPH_QUEUE_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{REDIS_DB}",
            },
        ).start()
        yield live
        live.stop()


def test_a_job_on_postgresql_and_redis_is_transcribed_polled_listed_and_deleted(
    fleet_server: LiveServer, shared_audio: Path
) -> None:
    client = httpx.Client(
        base_url=fleet_server.base_url, headers={"Authorization": fleet_server.api_key}, timeout=60
    )
    upload_url = client.post("/v2/upload", content=(shared_audio / "jfk" / "jfk.wav").read_bytes()).json()[
        "upload_url"
    ]
    transcript_id = client.post("/v2/transcript", json={"audio_url": upload_url}).json()["id"]
    deadline = time.monotonic() + 120
    while (body := client.get(f"/v2/transcript/{transcript_id}").json())["status"] not in (
        "completed",
        "error",
    ):
        assert time.monotonic() < deadline, fleet_server.log()
        time.sleep(0.3)
    assert body["status"] == "completed", body.get("error")
    assert "ask not what your country can do for you" in body["text"].lower()

    again = client.get(f"/v2/transcript/{transcript_id}")  # the cached body, after a version read
    assert again.status_code == 200 and again.json() == body
    assert client.get(f"/v2/transcript/{uuid.uuid4()}").status_code == 404
    assert (
        httpx.get(
            f"{fleet_server.base_url}/v2/transcript/{transcript_id}", headers={"Authorization": "wrong"}
        ).status_code
        == 401
    )
    listed = client.get("/v2/transcript", params={"status": "completed"}).json()["transcripts"]
    assert [item["id"] for item in listed] == [transcript_id]

    assert client.delete(f"/v2/transcript/{transcript_id}").status_code == 200
    assert client.get(f"/v2/transcript/{transcript_id}").json()["text"] == "Deleted by user."
