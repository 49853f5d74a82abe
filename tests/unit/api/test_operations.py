"""/health, /ready and /metrics on the real application (in-process, SQLite in a temporary
directory), and the request log line: route templates as labels, no query string in the log."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from stenograph.api.app import create_app
from stenograph.assemblyai.models import use_aliases
from stenograph.config import Settings
from stenograph.pipeline.models import use_models
from stenograph.store import keys, transcripts
from stenograph.store.db import Database
from tests.support.brought_models import tiny_copy
from tests.support.prometheus import value

KEY = secrets.token_hex(16)


@pytest.fixture(autouse=True)
def no_models_brought() -> Iterator[None]:
    yield
    use_aliases({})
    use_models({})


def client_for(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), raise_server_exceptions=False)


def test_health_and_ready_need_no_key(tmp_path: Path) -> None:
    with client_for(Settings(data_dir=tmp_path, api_key=KEY, embedded_worker=False)) as client:
        assert client.get("/health").json() == {"status": "ok"}
        ready = client.get("/ready")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ready",
            "checks": {"database": "ok", "queue": "ok", "models": "ok"},
        }


def test_ready_is_503_with_the_reason_when_the_default_model_is_gone(tmp_path: Path) -> None:
    mini = tiny_copy(tmp_path / "mini")
    settings = Settings(
        data_dir=tmp_path / "data",
        api_key=KEY,
        embedded_worker=False,
        models=f'{{"models": {{"mini": "{mini}"}}}}',
        default_model="mini",
    )
    with client_for(settings) as client:
        assert client.get("/ready").status_code == 200
        (mini / "model.bin").unlink()
        ready = client.get("/ready")
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "not ready" and body["checks"]["database"] == "ok"
        assert "models: model 'mini'" in body["error"] and "missing model.bin" in body["error"]


def _insert(db: Database, project_id: str, status: str, age_seconds: float) -> str:
    with db.session() as session:
        row = transcripts.create(
            session,
            project_id=project_id,
            audio_url="https://example.com/a.wav",
            upload_id=None,
            request={},
            model="tiny.en",
        )
        row.status = status
        row.created_at = transcripts.utcnow() - dt.timedelta(seconds=age_seconds)
        return row.id


def test_metrics_read_jobs_and_the_queue_from_the_rows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path, api_key=KEY, embedded_worker=False, metrics_require_key=True)
    with client_for(settings) as client:
        db = Database(settings.resolved_database_url)
        with db.session() as session:
            project_id = keys.project_for_key(session, KEY)
        assert project_id is not None
        _insert(db, project_id, transcripts.QUEUED, 120)
        _insert(db, project_id, transcripts.QUEUED, 5)
        done = _insert(db, project_id, transcripts.COMPLETED, 300)

        assert client.get("/metrics").status_code == 401  # STENOGRAPH_METRICS_REQUIRE_KEY
        with caplog.at_level(logging.INFO, logger="stenograph.requests"):
            client.get(f"/v2/transcript/{done}?token=do-not-log", headers={"Authorization": KEY})
            client.get("/no/such/path?signature=do-not-log")
        text = client.get("/metrics", headers={"Authorization": KEY}).text
        db.dispose()

    assert value(text, "stenograph_queue_depth") == 2
    assert 119 <= (value(text, "stenograph_queue_oldest_age_seconds") or 0) < 180
    assert value(text, "stenograph_jobs", status="queued") == 2
    assert value(text, "stenograph_jobs", status="completed") == 1
    assert value(text, "stenograph_jobs", status="processing") == 0
    assert value(text, "stenograph_streaming_sessions_open") == 0
    route = "/v2/transcript/{transcript_id}"
    assert (value(text, "stenograph_http_requests_total", method="GET", route=route, status="200") or 0) >= 1
    assert (
        value(text, "stenograph_http_requests_total", method="GET", route="unmatched", status="404") or 0
    ) >= 1
    assert (
        value(text, "stenograph_http_requests_total", method="GET", route="/metrics", status="401") or 0
    ) >= 1
    assert not any(done in line for line in text.splitlines() if "http_requests" in line)  # no raw paths

    lines = [r for r in caplog.records if r.name == "stenograph.requests"]
    assert [r.getMessage().split(" ")[:3] for r in lines] == [
        ["GET", f"/v2/transcript/{done}", "200"],
        ["GET", "/no/such/path", "404"],
    ]
    assert getattr(lines[0], "transcript_id", None) == done and getattr(lines[0], "route", None) == route
    assert "do-not-log" not in caplog.text and KEY not in caplog.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_metrics_on_a_port_of_their_own(tmp_path: Path) -> None:
    port = _free_port()
    settings = Settings(data_dir=tmp_path, api_key=KEY, embedded_worker=False, metrics_port=port)
    with client_for(settings) as client:
        assert client.get("/metrics").status_code == 404  # not on the API's port
        answer = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
        assert answer.status_code == 200 and value(answer.text, "stenograph_queue_depth") == 0
    with pytest.raises(httpx.ConnectError):  # closed with the runtime
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)


def test_ready_is_503_when_the_queue_is_unreachable(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, api_key=KEY, embedded_worker=False, queue_url="redis://:hunter2@127.0.0.1:1/0"
    )
    with client_for(settings) as client:
        ready = client.get("/ready")
        metrics = client.get("/metrics")
    assert ready.status_code == 503
    body = ready.json()
    assert body["checks"]["database"] == "ok" and body["checks"]["models"] == "ok"
    assert body["checks"]["queue"].startswith("unreachable: ") and "queue: unreachable" in body["error"]
    assert "hunter2" not in ready.text and "127.0.0.1" not in ready.text  # nothing about the deployment
    # the rows still answer; the queue's own message count is left out rather than failing the scrape
    assert metrics.status_code == 200 and value(metrics.text, "stenograph_queue_depth") == 0
    assert value(metrics.text, "stenograph_queue_messages") is None


def test_a_client_gone_mid_request_is_counted_499_not_500() -> None:
    """The observer alone, around an app whose client disconnects mid-body (as Starlette raises it)."""
    import asyncio

    from starlette.requests import ClientDisconnect

    from stenograph import metrics
    from stenograph.api.observe import UNMATCHED, RequestObserver

    async def app(scope: object, receive: object, send: object) -> None:
        raise ClientDisconnect()

    async def nothing() -> dict[str, str]:
        return {"type": "http.disconnect"}

    async def send(message: object) -> None:
        return None

    counted = metrics.HTTP_REQUESTS.labels(method="POST", route=UNMATCHED, status="499")
    before = counted._value.get()
    with pytest.raises(ClientDisconnect):
        asyncio.run(RequestObserver(app)({"type": "http", "method": "POST", "path": "/x"}, nothing, send))
    assert counted._value.get() == before + 1
