"""POST /v2/upload limits, against the live server."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

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
