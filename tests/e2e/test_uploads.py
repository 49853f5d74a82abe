"""POST /v2/upload limits, against the live server."""

from __future__ import annotations

import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.support.live_server import LiveServer


def test_a_declared_length_over_the_limit_is_refused_before_the_body(server: LiveServer) -> None:
    address = urlsplit(server.base_url)
    declared = 3_000_000_000  # over the 2.2 GB default; not one byte of it is sent
    request = (
        f"POST /v2/upload HTTP/1.1\r\nHost: {address.netloc}\r\nAuthorization: {server.api_key}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {declared}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection((address.hostname, address.port), timeout=10) as conn:
        conn.sendall(request + b"RIFF" + b"\x00" * 4096)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b'"error":"Upload exceeds the maximum size of' in body
    assert time.monotonic() - started < 5


def test_an_upload_stays_while_another_transcript_uses_it(server: LiveServer, shared_audio: Path) -> None:
    client = httpx.Client(base_url=server.base_url, headers={"Authorization": server.api_key}, timeout=60)
    upload_url = client.post("/v2/upload", content=(shared_audio / "jfk" / "jfk.wav").read_bytes()).json()[
        "upload_url"
    ]
    stored = server.data_dir / "uploads" / upload_url.rsplit("/", 1)[1]
    first, second = (
        client.post("/v2/transcript", json={"audio_url": upload_url}).json()["id"] for _ in range(2)
    )

    assert client.delete(f"/v2/transcript/{first}").status_code == 200
    assert stored.exists()  # the second transcript still needs it
    deadline = time.monotonic() + 120
    while (body := client.get(f"/v2/transcript/{second}").json())["status"] not in ("completed", "error"):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert body["status"] == "completed", body.get("error")
    assert "ask not what your country" in body["text"].lower()

    assert client.delete(f"/v2/transcript/{second}").status_code == 200
    assert not stored.exists()  # the last transcript using it is gone, and so is the audio
