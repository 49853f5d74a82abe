"""Polling capacity: many clients polling GET /v2/transcript/{id} of a completed 10-minute transcript
while a job runs, against GET /health on the same server in the same run. One command:

    .venv/bin/python benchmarks/polling.py [--pollers 200] [--rate 300] [--seconds 15] [--json PATH]

The server is the embedded default (SQLite, in-process worker, tiny.en), started as a subprocess
(``tests.support.live_server.LiveServer``). The transcript is 10 minutes of real speech (the
longform development file, repeated to 600 s), transcribed by the server first. Then, with another
transcription of the same file running, two loads are put on each endpoint:

- closed loop: ``--pollers`` connections, each sending its next request when the last answered
  (what a crowd of SDK clients polling in a tight loop does): requests/s, p50, p99;
- paced: the same connections sending ``--rate`` requests/s in all, on a fixed schedule (latency is
  measured from when a request was due, so a slow server cannot hide its queue): p50, p99.

The client is a minimal HTTP/1.1 keep-alive client on asyncio, in a process of its own, so that its
own cost stays small next to the server's. The baseline is GET /health, the cheapest authenticated-
free route: the ratio says what the transcript costs over the HTTP stack itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import secrets
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any

import httpx
import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
AUDIO_DIR = REPO_ROOT.parent / "shared" / "audio"
LONGFORM = AUDIO_DIR / "longform" / "dev_concat.flac"
TRANSCRIPT_SECONDS = 600
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # `tests` (LiveServer) lives beside the package


def ten_minutes_of_speech(dest: Path) -> Path:
    from stenograph.pipeline.audio import SAMPLE_RATE, decode_audio

    speech = decode_audio(LONGFORM)
    repeats = -(-TRANSCRIPT_SECONDS * SAMPLE_RATE // len(speech))
    samples = np.tile(speech, repeats)[: TRANSCRIPT_SECONDS * SAMPLE_RATE]
    with wave.open(str(dest), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return dest


def submit(client: httpx.Client, upload_url: str) -> str:
    response = client.post("/v2/transcript", json={"audio_url": upload_url})
    response.raise_for_status()
    return str(response.json()["id"])


def wait_completed(client: httpx.Client, transcript_id: str, timeout: float = 900) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/v2/transcript/{transcript_id}").json()
        if body["status"] in ("completed", "error"):
            if body["status"] == "error":
                raise RuntimeError(body["error"])
            return body
        time.sleep(1)
    raise TimeoutError(transcript_id)


# --------------------------------------------------------------------------- the load (its own process)


async def _connection(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(host, port)


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw_request: bytes
) -> tuple[int, int]:
    """Send one request on a keep-alive connection; (status, body bytes)."""
    writer.write(raw_request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await reader.readexactly(length)
    return status, len(body)


async def _load(
    host: str, port: int, path: str, key: str, pollers: int, rate: float, seconds: float
) -> dict[str, Any]:
    raw = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {key}\r\n\r\n".encode()
    connections = [await _connection(host, port) for _ in range(pollers)]
    latencies: list[float] = []
    failures = 0
    body_bytes = 0
    start = time.perf_counter() + 0.5
    end = start + seconds

    async def poller(index: int) -> None:
        nonlocal failures, body_bytes
        reader, writer = connections[index]
        due = start + (index / rate if rate else 0.0)
        while True:
            if rate:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            else:
                wait = start - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                due = time.perf_counter()
            if due >= end:
                return
            status, size = await _request(reader, writer, raw)
            if status != 200:
                failures += 1
            body_bytes = size
            latencies.append(time.perf_counter() - due)
            if rate:
                due += pollers / rate

    await asyncio.gather(*(poller(i) for i in range(pollers)))
    elapsed = time.perf_counter() - start
    for _, writer in connections:
        writer.close()
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "failures": failures,
        "requests_per_s": len(ordered) / elapsed,
        "p50_ms": 1000 * ordered[len(ordered) // 2],
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "body_bytes": body_bytes,
    }


def _load_process(args: tuple[str, int, str, str, int, float, float], out: Any) -> None:
    out.put(asyncio.run(_load(*args)))


def run_load(
    host: str, port: int, path: str, key: str, pollers: int, rate: float, seconds: float
) -> dict[str, Any]:
    queue: Any = multiprocessing.get_context("spawn").Queue()
    process = multiprocessing.get_context("spawn").Process(
        target=_load_process, args=((host, port, path, key, pollers, rate, seconds), queue)
    )
    process.start()
    result = queue.get(timeout=seconds + 120)
    process.join()
    return dict(result)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pollers", type=int, default=200)
    parser.add_argument("--rate", type=float, default=300.0, help="requests/s in all, paced load")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each load")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    from tests.support.live_server import LiveServer

    figures: dict[str, Any] = {"pollers": args.pollers, "rate": args.rate}
    with tempfile.TemporaryDirectory() as tmp:
        audio = ten_minutes_of_speech(Path(tmp) / "ten_minutes.wav")
        server = LiveServer(data_dir=Path(tmp) / "data", api_key=secrets.token_hex(16)).start()
        try:
            client = httpx.Client(
                base_url=server.base_url, headers={"Authorization": server.api_key}, timeout=60
            )
            upload_url = client.post("/v2/upload", content=audio.read_bytes()).json()["upload_url"]
            started = time.monotonic()
            done = wait_completed(client, submit(client, upload_url))
            figures["words"] = len(done["words"])
            figures["transcription_s"] = round(time.monotonic() - started, 1)
            print(
                f"10-min transcript: {figures['words']} words, transcribed in {figures['transcription_s']}s"
            )

            running = [submit(client, upload_url) for _ in range(3)]  # jobs run while the pollers poll
            transcript_path = f"/v2/transcript/{done['id']}"
            for name, path in (("health", "/health"), ("transcript", transcript_path)):
                for load, rate in (("closed", 0.0), ("paced", args.rate)):
                    result = run_load(
                        "127.0.0.1", server.port, path, server.api_key, args.pollers, rate, args.seconds
                    )
                    figures[f"{name}_{load}"] = result
                    print(
                        f"{name:>10} {load:>6}: {result['requests_per_s']:7.1f} req/s  "
                        f"p50 {result['p50_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
                        f"({result['requests']} requests, {result['failures']} failed, "
                        f"{result['body_bytes']} bytes each)"
                    )
            statuses = [client.get(f"/v2/transcript/{job}").json()["status"] for job in running]
            figures["jobs_after"] = statuses
            print(f"jobs queued at the start of the loads, now: {', '.join(statuses)} (one ran at any time)")
        finally:
            server.stop()

    for load in ("closed", "paced"):
        health, transcript = figures[f"health_{load}"], figures[f"transcript_{load}"]
        throughput = transcript["requests_per_s"] / health["requests_per_s"]
        print(
            f"transcript / health, {load}: req/s {throughput:.2f}  "
            f"p50 {transcript['p50_ms'] / max(health['p50_ms'], 1e-9):.2f}  "
            f"p99 {transcript['p99_ms'] / max(health['p99_ms'], 1e-9):.2f}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
