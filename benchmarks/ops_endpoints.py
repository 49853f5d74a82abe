"""What the operator's endpoints cost on a real server: /health, /ready and /metrics (which reads
jobs by status and the queue from the rows on every scrape) with N transcript rows in the database,
and the request-observer's share of a plain request (/health).

    .venv/bin/python benchmarks/ops_endpoints.py [--rows 100000] [--requests 200]

The rows are inserted straight into a fresh SQLite database (a tenth of them queued), then
`stenograph serve` runs on it (no embedded worker, so none is taken); each endpoint is asked
``--requests`` times one after another over one connection, and the median and 95th percentile
latencies are printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stenograph.store import keys
from stenograph.store.db import Database
from stenograph.store.models import Transcript
from tests.support.live_server import LiveServer


def fill(data_dir: Path, api_key: str, rows: int) -> None:
    db = Database(f"sqlite:///{data_dir / 'stenograph.db'}")
    db.migrate()
    with db.session() as session:
        project_id = keys.add_key(session, api_key, name="bench").project_id
    now = dt.datetime.now(dt.UTC)
    batch = 10_000
    for start in range(0, rows, batch):
        with db.session() as session:
            session.add_all(
                Transcript(
                    id=str(uuid.uuid4()),
                    project_id=project_id,
                    status="queued" if i % 10 == 0 else "completed",
                    audio_url="https://example.com/a.wav",
                    request={},
                    model="tiny.en",
                    created_at=now - dt.timedelta(seconds=rows - i),
                )
                for i in range(start, min(rows, start + batch))
            )
    db.dispose()


def timed(client: httpx.Client, path: str, n: int, headers: dict[str, str] | None = None) -> list[float]:
    client.get(path, headers=headers)  # warm
    took = []
    for _ in range(n):
        t0 = time.perf_counter()
        answer = client.get(path, headers=headers)
        took.append((time.perf_counter() - t0) * 1000)
        assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        api_key = secrets.token_hex(16)
        t0 = time.perf_counter()
        fill(data_dir, api_key, args.rows)
        print(f"{args.rows} rows inserted in {time.perf_counter() - t0:.1f} s")
        server = LiveServer(data_dir=data_dir, api_key=api_key, env={"STENOGRAPH_EMBEDDED_WORKER": "false"})
        server.start()
        try:
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                for path in ("/health", "/ready", "/metrics"):
                    took = sorted(timed(client, path, args.requests))
                    p95 = took[int(0.95 * (len(took) - 1))]
                    print(f"{path:10s} median {statistics.median(took):6.2f} ms  p95 {p95:6.2f} ms")
                depth = [
                    line
                    for line in client.get("/metrics").text.splitlines()
                    if line.startswith("stenograph_queue_depth ")
                ]
                print(depth[0])
        finally:
            server.stop()


if __name__ == "__main__":
    main()
