"""stenograph.jobs.outbound against a real local HTTP server."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stenograph.jobs import outbound
from stenograph.jobs.outbound import OutboundError, check_url_allowed, download_to_file, post_json

PAYLOAD = bytes(range(256)) * 400  # 102,400 bytes
BIG = b"x" * 5000


@dataclass
class Server:
    base: str
    port: int
    requests: list[str] = field(default_factory=list)
    posts: list[bytes] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        state: Server = self.server.state  # type: ignore[attr-defined]
        state.requests.append(self.path)
        path = self.path
        if path == "/audio.bin":
            self._send(200, PAYLOAD, {"Content-Type": "application/octet-stream"})
        elif path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            target = "/audio.bin" if left == 0 else f"{left - 1}"  # relative Location
            self._send(302, headers={"Location": target})
        elif path == "/absolute-redirect":
            self._send(301, headers={"Location": f"{state.base}/audio.bin"})
        elif path == "/loop":
            self._send(302, headers={"Location": "/loop"})
        elif path == "/to-file":
            self._send(302, headers={"Location": "file:///etc/passwd"})
        elif path == "/to-ftp":
            self._send(307, headers={"Location": "ftp://example.com/a.mp3"})
        elif path == "/big":
            self._send(200, BIG)
        elif path == "/big-chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(5):
                chunk = b"y" * 1000
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/slow":  # each read arrives well within a read timeout, the whole does not
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"1\r\nz\r\n")
                self.wfile.flush()
                time.sleep(0.1)
            self.wfile.write(b"0\r\n\r\n")
        else:
            self._send(404, b"not here")

    def do_POST(self) -> None:
        state: Server = self.server.state  # type: ignore[attr-defined]
        state.requests.append(self.path)
        state.posts.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self._send(204 if self.path == "/hook" else 302, headers={"Location": "/elsewhere"})


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up on purpose (size/time limits) are expected here


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    port = httpd.server_address[1]
    state = Server(base=f"http://127.0.0.1:{port}", port=port)
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _get(url: str, dest: Path, *, allow_private: bool = True, max_bytes: int = 10**6) -> int:
    return download_to_file(url, dest, max_bytes=max_bytes, timeout_seconds=5, allow_private=allow_private)


def test_download_success(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "a.bin"
    assert _get(f"{server.base}/audio.bin", dest) == len(PAYLOAD)
    assert dest.read_bytes() == PAYLOAD
    assert server.requests == ["/audio.bin"]


@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "127.0.0.1"),
        ("10.0.0.1", "10.0.0.1"),
        ("169.254.169.254", "169.254.169.254"),
        ("[::1]", "::1"),
    ],
)
def test_private_addresses_refused_before_any_request(
    server: Server, tmp_path: Path, host: str, shown: str
) -> None:
    url = f"http://{host}:{server.port}/audio.bin"
    dest = tmp_path / "a.bin"
    with pytest.raises(OutboundError) as info:
        _get(url, dest, allow_private=False)
    message = str(info.value)
    assert url in message
    assert "private, loopback or link-local" in message
    assert shown in message
    assert server.requests == []
    assert not dest.exists()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a00:1::",  # 6to4 of 10.0.0.1
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::808:808",  # local-use NAT64 prefix
        "::7f00:1",  # IPv4-compatible form of 127.0.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    ],
)
def test_check_url_allowed_refuses_non_public(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(OutboundError, match="private, loopback or link-local"):
        check_url_allowed(f"http://{host}/x", allow_private=False)
    check_url_allowed(f"http://{host}/x", allow_private=True)


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::", "64:ff9b::808:808"],
)
def test_check_url_allowed_accepts_public(address: str) -> None:
    host = f"[{address}]" if ":" in address else address
    check_url_allowed(f"https://{host}/x", allow_private=False)


def test_any_private_answer_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1%eth0", port, 0, 2)),
        ]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(OutboundError, match=r"fe80::1\)"):
        check_url_allowed("https://rebind.example/a.mp3", allow_private=False)


def _rebinding_resolver(port: int) -> object:
    """Answers ``rebind.test`` with a public address the first time and loopback after that, as a
    DNS-rebinding attacker's server would; numeric hosts resolve as usual."""
    real = socket.getaddrinfo
    answers = iter(["8.8.8.8"])

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list[tuple]:
        if host != "rebind.test":
            return real(host, *args, **kwargs)  # type: ignore[arg-type]
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    return getaddrinfo


def test_the_request_goes_to_the_address_that_was_checked(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", _rebinding_resolver(server.port))
    url = f"http://rebind.test:{server.port}/audio.bin"
    with pytest.raises(OutboundError):  # 8.8.8.8 is unreachable here, or answers no such file
        download_to_file(url, tmp_path / "a", max_bytes=10**6, timeout_seconds=2, allow_private=False)
    with pytest.raises(OutboundError):
        post_json(f"http://rebind.test:{server.port}/hook", {}, timeout_seconds=2, allow_private=False)
    assert server.requests == []  # the second answer (loopback) was never used


def test_a_pinned_request_keeps_the_host_header(server: Server) -> None:
    target = outbound._pinned(
        "https://user@audio.example:8443/a.mp3?x=1", outbound.ipaddress.ip_address("::1")
    )
    assert target.url == "https://[::1]:8443/a.mp3?x=1"
    assert target.headers == {"Host": "audio.example:8443"}
    assert target.extensions == {"sni_hostname": "audio.example"}


def test_unresolvable_host(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(*args: object, **kwargs: object) -> list[tuple]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(outbound.socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(OutboundError, match=r"could not resolve host nowhere\.invalid"):
        check_url_allowed("https://nowhere.invalid/a.mp3", allow_private=False)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/a.mp3", "gopher://x/", "data:,hi", "/relative"]
)
def test_non_http_scheme_refused(url: str, tmp_path: Path) -> None:
    dest = tmp_path / "a.bin"
    with pytest.raises(OutboundError, match="only http and https") as info:
        _get(url, dest, allow_private=True)
    assert url in str(info.value)
    assert not dest.exists()


def test_missing_host_refused() -> None:
    with pytest.raises(OutboundError, match="no host"):
        check_url_allowed("http:///a.mp3", allow_private=True)


def test_redirect_chain_followed(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "a.bin"
    assert _get(f"{server.base}/redirect/4", dest) == len(PAYLOAD)  # 5 redirects: the limit
    assert dest.read_bytes() == PAYLOAD
    assert server.requests == [f"/redirect/{n}" for n in (4, 3, 2, 1, 0)] + ["/audio.bin"]


def test_absolute_redirect_followed(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "a.bin"
    assert _get(f"{server.base}/absolute-redirect", dest) == len(PAYLOAD)
    assert dest.read_bytes() == PAYLOAD


def test_too_many_redirects(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "a.bin"
    with pytest.raises(OutboundError, match="more than 5 redirects"):
        _get(f"{server.base}/redirect/5", dest)
    assert len(server.requests) == 6
    with pytest.raises(OutboundError, match="redirects"):
        _get(f"{server.base}/loop", dest)
    assert not dest.exists()


@pytest.mark.parametrize(("path", "target"), [("/to-file", "file:///etc/passwd"), ("/to-ftp", "ftp://")])
def test_redirect_to_other_scheme_refused(server: Server, tmp_path: Path, path: str, target: str) -> None:
    dest = tmp_path / "a.bin"
    with pytest.raises(OutboundError, match="only http and https") as info:
        _get(f"{server.base}{path}", dest)
    assert target in str(info.value)
    assert server.requests == [path]
    assert not dest.exists()


def test_404_message(server: Server, tmp_path: Path) -> None:
    url = f"{server.base}/nope.mp3"
    dest = tmp_path / "a.bin"
    with pytest.raises(OutboundError) as info:
        _get(url, dest)
    message = str(info.value)
    assert url in message
    assert "404" in message and "Not Found" in message
    assert not dest.exists()


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_oversized_body_rejected(server: Server, tmp_path: Path, path: str) -> None:
    dest = tmp_path / "a.bin"
    with pytest.raises(OutboundError, match="larger than the limit of 4000 bytes"):
        _get(f"{server.base}{path}", dest, max_bytes=4000)
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []
    # Exactly at the limit is fine.
    assert _get(f"{server.base}{path}", dest, max_bytes=5000) == 5000


def test_connection_refused_is_outbound_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dest = tmp_path / "a.bin"
    with pytest.raises(OutboundError, match="unable to download"):
        _get(f"http://127.0.0.1:{port}/a.mp3", dest)
    assert not dest.exists()


def test_timeout(tmp_path: Path) -> None:
    # A server that accepts but never answers.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        dest = tmp_path / "a.bin"
        with pytest.raises(OutboundError, match="timed out"):
            download_to_file(
                f"http://127.0.0.1:{port}/a.mp3", dest, max_bytes=100, timeout_seconds=0.5, allow_private=True
            )
    assert not dest.exists()


def test_total_time_capped_while_streaming(server: Server, tmp_path: Path) -> None:
    dest = tmp_path / "a.bin"
    started = time.monotonic()
    with pytest.raises(OutboundError, match="timed out"):
        download_to_file(f"{server.base}/slow", dest, max_bytes=100, timeout_seconds=0.8, allow_private=True)
    assert time.monotonic() - started < 2
    assert not dest.exists()


def test_post_json(server: Server) -> None:
    status = post_json(
        f"{server.base}/hook",
        {"transcript_id": "t1", "status": "completed"},
        {"X-Auth": "s"},
        timeout_seconds=5,
        allow_private=True,
    )
    assert status == 204
    assert json.loads(server.posts[0]) == {"transcript_id": "t1", "status": "completed"}
    # Redirects are not followed: the 302 comes back as is.
    assert post_json(f"{server.base}/moved", {}, timeout_seconds=5, allow_private=True) == 302
    assert server.requests == ["/hook", "/moved"]


def test_post_json_refuses_private(server: Server) -> None:
    with pytest.raises(OutboundError, match=r"Request to .* refused"):
        post_json(f"{server.base}/hook", {}, timeout_seconds=5, allow_private=False)
    assert server.requests == []
