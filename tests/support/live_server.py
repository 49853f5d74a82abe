"""Start the real server (``python -m stenograph.cli serve``) on a free port for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    data_dir: Path
    api_key: str
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve_args(self) -> list[str]:
        """Options of `stenograph serve` beyond the port (subclasses add TLS)."""
        return []

    def verify(self) -> bool | str:
        """What httpx checks the server's certificate against (no TLS: nothing to check)."""
        return True

    def start(self, timeout: float = 60.0) -> LiveServer:
        env = {
            **os.environ,
            "STENOGRAPH_DATA_DIR": str(self.data_dir),
            "STENOGRAPH_API_KEY": self.api_key,
            "STENOGRAPH_MODEL_CACHE_DIR": str(self.data_dir.parent / "model-cache"),
            **self.env,
        }
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / f"server-{self.port}.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "stenograph.cli", "serve", "--port", str(self.port), *self.serve_args()],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                health = httpx.get(f"{self.base_url}/health", timeout=1, verify=self.verify())
                if health.status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start in {timeout}s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL: the process dies mid-whatever, as a crashed worker would."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self, tail: int | None = 5000) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path else ""
        return text[-tail:] if tail else text


def create_key(server: LiveServer) -> str:
    """A key of a new project, made with the real `stenograph keys create` command."""
    output = subprocess.run(
        [sys.executable, "-m", "stenograph.cli", "keys", "create", "--name", "test"],
        cwd=REPO_ROOT,
        env={**os.environ, "STENOGRAPH_DATA_DIR": str(server.data_dir)},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return output.split()[0]


def finished(server: LiveServer, transcript_id: str, timeout: float = 120.0) -> dict:
    """The transcript once it has ended (``completed`` or ``error``), polled over raw HTTP."""
    headers = {"Authorization": server.api_key}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = httpx.get(f"{server.base_url}/v2/transcript/{transcript_id}", headers=headers).json()
        if body["status"] in ("completed", "error"):
            return body
        time.sleep(0.3)
    raise AssertionError(f"transcript {transcript_id} did not finish in {timeout} s")


def transcribed(server: LiveServer, audio: Path) -> str:
    """The id of a completed transcript of ``audio``, uploaded and transcribed over raw HTTP."""
    headers = {"Authorization": server.api_key}
    upload = httpx.post(f"{server.base_url}/v2/upload", content=audio.read_bytes(), headers=headers).json()
    created = httpx.post(
        f"{server.base_url}/v2/transcript", json={"audio_url": upload["upload_url"]}, headers=headers
    ).json()
    body = finished(server, created["id"])
    assert body["status"] == "completed", body
    return str(body["id"])
