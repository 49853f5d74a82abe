"""Streaming over TLS: `stenograph serve --ssl-certfile/--ssl-keyfile` with a test certificate, the
JavaScript SDK's streaming clients (they accept only wss://) and the Python SDK on its default wss://."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jiwer
import pytest

from tests.support.audio_refs import librispeech, normalise
from tests.support.live_server import REPO_ROOT, LiveServer
from tests.support.streaming_helpers import chunks, conversation, paced, pcm16, silence

UTTERANCE = "1688-142285-0004"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (openssl CLI)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-addext", "basicConstraints=critical,CA:TRUE",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


@dataclass
class TlsServer(LiveServer):
    cert: Path | None = None
    key: Path | None = None

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def serve_args(self) -> list[str]:
        return ["--ssl-certfile", str(self.cert), "--ssl-keyfile", str(self.key)]

    def verify(self) -> bool | str:
        return str(self.cert)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = make_certificate(folder)
    live = TlsServer(data_dir=folder / "data", api_key=secrets.token_hex(16), cert=cert, key=key).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def utterance(shared_audio: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A raw PCM file (in a temporary folder, not the repository) and its reference."""
    for path, reference in librispeech(shared_audio):
        if path.stem == UTTERANCE:
            raw = tmp_path_factory.mktemp("pcm") / f"{UTTERANCE}.pcm"
            raw.write_bytes(silence(0.3) + pcm16(path) + silence(1.2))
            return raw, reference
    pytest.skip(f"{UTTERANCE} is not in the shared audio")


def run_js(
    js_sdk: Path, server: TlsServer, protocol: str, path: str, pcm: Path, auth: str, *mode: str
) -> dict:
    done = subprocess.run(
        [
            "node", "streaming.mjs", protocol, server.base_url, f"wss://{server.host}{path}",
            server.api_key, str(pcm), auth, *mode,
        ],
        cwd=js_sdk,
        env={**os.environ, "NODE_EXTRA_CA_CERTS": str(server.cert)},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("auth", ["key", "token"])
def test_js_sdk_streaming_transcriber_over_wss(
    js_sdk: Path, tls_server: TlsServer, utterance, auth: str
) -> None:
    pcm, reference = utterance
    seen = run_js(js_sdk, tls_server, "v3", "/v3/ws", pcm, auth)
    assert not seen["errors"], seen
    assert seen["begin"]["type"] == "Begin" and seen["begin"]["id"]
    assert seen["partials"] > 0
    unformatted = [t for t in seen["turns"] if not t["turn_is_formatted"]]
    formatted = [t for t in seen["turns"] if t["turn_is_formatted"]]
    assert unformatted and len(formatted) == len(unformatted)
    # forceEndpoint 2 s into the speech ended a turn there (keepAlive and updateConfiguration
    # were sent before it, without error).
    assert len(unformatted) >= 2 and unformatted[0]["words"][-1]["end"] <= 2100, [
        (t["transcript"], t["words"][-1]["end"]) for t in unformatted
    ]
    text = " ".join(t["transcript"] for t in unformatted)
    assert jiwer.wer(normalise(reference), normalise(text)) <= 0.25, text
    assert all(w["word_is_final"] for t in unformatted for w in t["words"])


def test_js_sdk_streaming_speaker_labels(
    js_sdk: Path, tls_server: TlsServer, shared_audio: Path, tmp_path: Path
) -> None:
    """speakerLabels: turns carry speaker_label and words[].speaker, two readers get two labels, and
    the SDK delivers the end-of-stream speakerRevision event before Termination."""
    pcm, _ = conversation(shared_audio)
    raw = tmp_path / "conversation.pcm"
    raw.write_bytes(pcm)
    seen = run_js(js_sdk, tls_server, "v3", "/v3/ws", raw, "key", "speakers")
    assert not seen["errors"], seen
    unformatted = [t for t in seen["turns"] if not t["turn_is_formatted"]]
    assert len(unformatted) >= 4, [t["transcript"] for t in unformatted]
    for turn in seen["turns"]:
        assert turn["speaker_label"] in {w["speaker"] for w in turn["words"]}
    assert len({t["speaker_label"] for t in unformatted} - {"UNKNOWN"}) >= 2
    events = seen["events"]
    assert events.count("speakerRevision") == 1 and len(seen["revisions"]) == 1
    assert events.index("speakerRevision") > max(i for i, e in enumerate(events) if e == "turn")
    assert events.index("speakerRevision") < events.index("terminated")  # close() waits for Termination
    assert seen["revisions"][0]["type"] == "SpeakerRevision" and isinstance(
        seen["revisions"][0]["revisions"], list
    )


def test_python_sdk_on_its_default_wss_and_token_endpoint(
    tls_server: TlsServer, utterance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ws:// override: api_host is a bare host, as for AssemblyAI, so the SDK uses wss:// and
    fetches its temporary token from https://<api_host>/v3/token."""
    from assemblyai.streaming.v3 import (
        RealTimeEvents,
        RealTimeParameters,
        RealTimeTranscriber,
        RealTimeTranscriberOptions,
    )

    monkeypatch.setenv("SSL_CERT_FILE", str(tls_server.cert))
    pcm, reference = utterance
    keyed = RealTimeTranscriber(
        RealTimeTranscriberOptions(api_host=tls_server.host, api_key=tls_server.api_key)
    )
    token = keyed.create_temporary_token(expires_in_seconds=60, max_session_duration_seconds=600)
    # The SDK keeps its HTTPS connection open; an idle TLS peer would hold up the server's shutdown.
    keyed._client._http_client.close()

    client = RealTimeTranscriber(RealTimeTranscriberOptions(api_host=tls_server.host, token=token))
    turns, errors, begins = [], [], []
    client.on(RealTimeEvents.Begin, lambda _c, e: begins.append(e))
    client.on(RealTimeEvents.Turn, lambda _c, e: turns.append(e))
    client.on(RealTimeEvents.Error, lambda _c, e: errors.append(e))
    client.connect(RealTimeParameters(sample_rate=16000))
    client.stream(paced(chunks(pcm.read_bytes())))
    client.disconnect(terminate=True)
    assert not errors and begins
    text = " ".join(t.transcript for t in turns if t.end_of_turn)
    assert jiwer.wer(normalise(reference), normalise(text)) <= 0.25, text


def test_serve_needs_both_tls_files(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stenograph.cli", "serve", "--ssl-certfile", str(tmp_path / "cert.pem")],
        cwd=REPO_ROOT,
        env={**os.environ, "STENOGRAPH_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "--ssl-keyfile" in done.stderr + done.stdout


@pytest.mark.parametrize("auth", ["key", "token"])
def test_js_sdk_legacy_realtime_transcriber_over_wss(
    js_sdk: Path, tls_server: TlsServer, utterance, auth: str
) -> None:
    pcm, reference = utterance
    seen = run_js(js_sdk, tls_server, "v2", "/v2/realtime/ws", pcm, auth)
    assert not seen["errors"], seen
    assert seen["begin"]["sessionId"] and seen["begin"]["expiresAt"]
    assert seen["partials"] > 0
    finals = seen["turns"]
    assert finals and all(t["message_type"] == "FinalTranscript" and t["punctuated"] for t in finals)
    text = " ".join(t["text"] for t in finals)
    assert jiwer.wer(normalise(reference), normalise(text)) <= 0.25, text
    assert text[0].isupper() and text.rstrip().endswith((".", "?", "!"))
    assert seen["session_information"]["audio_duration_seconds"] == pytest.approx(
        pcm.stat().st_size / 32000, abs=0.2
    )
