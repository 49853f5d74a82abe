"""Real-time streaming end to end: the official Python SDK's v3 streaming client, temporary tokens,
and every close code, against a live server streaming real utterances at real-time pace."""

from __future__ import annotations

import contextlib
import itertools
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jiwer
import pytest

from tests.support.audio_refs import librispeech, normalise
from tests.support.live_server import LiveServer
from tests.support.streaming_helpers import (
    RawSession,
    chunks,
    encode_compressed,
    paced,
    pcm16,
    silence,
    split_unevenly,
)

MAX_SESSIONS = 3


@pytest.fixture(scope="module")
def stream_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("streaming") / "data",
        api_key=secrets.token_hex(16),
        env={"STENOGRAPH_STREAMING_MAX_SESSIONS": str(MAX_SESSIONS)},
    ).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def utterances(shared_audio: Path) -> dict[str, tuple[bytes, str]]:
    """Short LibriSpeech utterances by id: (16 kHz PCM, reference text)."""
    wanted = {"1688-142285-0004", "1688-142285-0009", "1688-142285-0002", "1688-142285-0008"}
    return {path.stem: (pcm16(path), ref) for path, ref in librispeech(shared_audio) if path.stem in wanted}


def ws_url(server: LiveServer, query: str = "sample_rate=16000") -> str:
    return f"ws://127.0.0.1:{server.port}/v3/ws?{query}"


def auth(server: LiveServer) -> dict[str, str]:
    return {"Authorization": server.api_key}


def word_error(reference: str, hypothesis: str) -> float:
    return jiwer.wer(normalise(reference), normalise(hypothesis))


class SdkRecorder:
    """Runs the official SDK's RealTimeTranscriber and records what it delivers, with times."""

    def __init__(self, options: Any) -> None:
        from assemblyai.streaming.v3 import RealTimeEvents, RealTimeTranscriber

        self.client = RealTimeTranscriber(options)
        self.begins: list[Any] = []
        self.turns: list[tuple[float, Any]] = []
        self.terminations: list[Any] = []
        self.errors: list[Any] = []
        self.t0 = time.monotonic()
        self.client.on(RealTimeEvents.Begin, lambda _c, e: self.begins.append(e))
        self.client.on(RealTimeEvents.Turn, lambda _c, e: self.turns.append((time.monotonic() - self.t0, e)))
        self.client.on(RealTimeEvents.Termination, lambda _c, e: self.terminations.append(e))
        self.client.on(RealTimeEvents.Error, lambda _c, e: self.errors.append(e))

    def final_turns(self, formatted: bool) -> list[Any]:
        return [t for _, t in self.turns if t.end_of_turn and t.turn_is_formatted == formatted]


def test_python_sdk_streams_utterances_in_real_time(stream_server: LiveServer, utterances) -> None:
    from assemblyai.streaming.v3 import RealTimeParameters, RealTimeTranscriberOptions

    (first, first_ref), (second, second_ref) = utterances["1688-142285-0004"], utterances["1688-142285-0009"]
    stream = silence(0.5) + first + silence(1.5) + second + silence(1.2)
    first_ends_at = (len(silence(0.5)) + len(first)) / 32000

    recorder = SdkRecorder(
        RealTimeTranscriberOptions(
            api_host=f"ws://127.0.0.1:{stream_server.port}", api_key=stream_server.api_key
        )
    )
    recorder.client.connect(RealTimeParameters(sample_rate=16000, format_turns=True))
    recorder.t0 = time.monotonic()
    recorder.client.stream(paced(chunks(stream)))
    recorder.client.disconnect(terminate=True)

    assert not recorder.errors, recorder.errors
    assert len(recorder.begins) == 1 and recorder.begins[0].id
    assert recorder.begins[0].expires_at.timestamp() > time.time()
    finals = recorder.final_turns(formatted=False)
    formatted = recorder.final_turns(formatted=True)
    assert [t.turn_order for t in finals] == [0, 1], [(t.turn_order, t.transcript) for t in finals]
    assert [t.turn_order for t in formatted] == [0, 1]
    for turn, reference in zip(finals, (first_ref, second_ref), strict=True):
        assert word_error(reference, turn.transcript) <= 0.25, (reference, turn.transcript)
        assert turn.transcript == turn.transcript.lower()  # unformatted: no casing, no punctuation
        assert all(w.word_is_final for w in turn.words)
        starts = [w.start for w in turn.words]
        assert starts == sorted(starts) and all(w.end >= w.start for w in turn.words)
    assert formatted[0].transcript[0].isupper() and formatted[0].transcript.endswith((".", "?", "!"))
    assert finals[1].words[0].start > first_ends_at * 1000  # times count from the stream's start

    # Incremental: partial words, and words made final before the first utterance had been sent.
    first_turn = [(t, e) for t, e in recorder.turns if e.turn_order == 0 and not e.end_of_turn]
    assert any(not w.word_is_final for _, e in first_turn for w in e.words)
    early_final = [t for t, e in first_turn if any(w.word_is_final for w in e.words)]
    assert early_final and min(early_final) < first_ends_at, first_turn
    # The same turn_order through a turn, end_of_turn on its last message.
    orders = [e.turn_order for _, e in recorder.turns]
    assert orders == sorted(orders)

    assert len(recorder.terminations) == 1
    assert abs(recorder.terminations[0].audio_duration_seconds - len(stream) / 32000) <= 1


def test_temporary_token_opens_exactly_one_session(stream_server: LiveServer, utterances) -> None:
    from assemblyai.streaming.v3 import RealTimeParameters, RealTimeTranscriberOptions

    answer = httpx.get(
        f"{stream_server.base_url}/v3/token",
        params={"expires_in_seconds": 60, "max_session_duration_seconds": 600},
        headers=auth(stream_server),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"token", "expires_in_seconds"} and body["expires_in_seconds"] == 60
    token = body["token"]

    # Never valid on the REST API.
    rest = httpx.get(f"{stream_server.base_url}/v2/transcript", headers={"Authorization": token})
    assert rest.status_code == 401

    pcm, reference = utterances["1688-142285-0009"]
    options = RealTimeTranscriberOptions(api_host=f"ws://127.0.0.1:{stream_server.port}", token=token)
    recorder = SdkRecorder(options)
    recorder.client.connect(RealTimeParameters(sample_rate=16000))
    recorder.client.stream(paced(chunks(silence(0.3) + pcm + silence(1.0))))
    recorder.client.disconnect(terminate=True)
    assert not recorder.errors and len(recorder.begins) == 1
    finals = recorder.final_turns(formatted=False)
    assert finals and word_error(reference, " ".join(t.transcript for t in finals)) <= 0.25
    # A session from a token ends when the token's session limit says.
    assert recorder.begins[0].expires_at.timestamp() <= time.time() + 600

    again = SdkRecorder(options)
    again.client.connect(RealTimeParameters(sample_rate=16000))
    deadline = time.monotonic() + 10
    while not again.errors and time.monotonic() < deadline:
        time.sleep(0.05)
    again.client.disconnect()
    assert not again.begins
    assert [e.code for e in again.errors] == [1008]


def test_token_in_query_and_expiry(stream_server: LiveServer) -> None:
    def new_token(seconds: int) -> str:
        answer = httpx.get(
            f"{stream_server.base_url}/v3/token",
            params={"expires_in_seconds": seconds},
            headers=auth(stream_server),
        )
        assert answer.status_code == 200
        return answer.json()["token"]

    token = new_token(30)
    session = RawSession(ws_url(stream_server, f"sample_rate=16000&token={token}"))
    begin = session.wait_for(lambda m: m.get("type") == "Begin")
    assert isinstance(begin["expires_at"], int) and begin["expires_at"] > time.time()
    session.send({"type": "Terminate"})
    session.wait_for(lambda m: m.get("type") == "Termination")
    assert session.wait_closed() == 1000

    expired = new_token(1)
    time.sleep(1.5)
    late = RawSession(ws_url(stream_server, f"sample_rate=16000&token={expired}"))
    assert late.wait_closed() == 1008
    assert not late.messages


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"expires_in_seconds": 0}, 400),
        ({"expires_in_seconds": 601}, 400),
        ({}, 400),
        ({"expires_in_seconds": 10, "max_session_duration_seconds": 59}, 400),
        ({"expires_in_seconds": 10, "max_session_duration_seconds": 10801}, 400),
        ({"expires_in_seconds": 600, "max_session_duration_seconds": 10800}, 200),
    ],
)
def test_token_parameters(stream_server: LiveServer, params: dict[str, int], status: int) -> None:
    answer = httpx.get(f"{stream_server.base_url}/v3/token", params=params, headers=auth(stream_server))
    assert answer.status_code == status, answer.text
    assert ("error" in answer.json()) == (status != 200)


def test_token_needs_an_api_key(stream_server: LiveServer) -> None:
    answer = httpx.get(f"{stream_server.base_url}/v3/token", params={"expires_in_seconds": 10})
    assert answer.status_code == 401
    assert answer.json() == {"error": "Authentication error, API token missing/invalid"}


@pytest.mark.parametrize(
    ("query", "headers", "code"),
    [
        ("sample_rate=16000", {}, 1008),
        ("sample_rate=16000", {"Authorization": "not-a-key"}, 1008),
        ("sample_rate=16000&token=not-a-token", {}, 1008),
        ("sample_rate=16000&encoding=flac", None, 3006),
        ("encoding=pcm_s16le&sample_rate=", None, 3006),
        ("sample_rate=0", None, 3006),
        ("sample_rate=16000&speech_model=no-such-model", None, 3006),
        ("sample_rate=16000&format_turns=maybe", None, 3006),
        ("sample_rate=16000&end_of_turn_confidence_threshold=2", None, 3006),
    ],
)
def test_refused_before_begin(stream_server: LiveServer, query: str, headers, code: int) -> None:
    session = RawSession(ws_url(stream_server, query), auth(stream_server) if headers is None else headers)
    assert session.wait_closed() == code
    assert not session.messages
    assert session.close_reason


@pytest.mark.parametrize(
    ("message", "code"),
    [
        (b"\x00\x00" * 320, 3007),  # 20 ms
        (b"\x00\x00" * 17600, 3007),  # 1.1 s
        ("not json", 3006),
        ({"type": "NoSuchMessage"}, 3006),
        ({"type": "UpdateConfiguration", "max_turn_silence": "long"}, 3006),
    ],
)
def test_close_codes_after_begin(stream_server: LiveServer, message, code: int) -> None:
    session = RawSession(ws_url(stream_server), auth(stream_server))
    session.wait_for(lambda m: m.get("type") == "Begin")
    if isinstance(message, str):
        session.ws.send(message)
    else:
        session.send(message)
    assert session.wait_closed() == code
    assert session.close_reason


def test_chunk_limits_are_inclusive_and_mulaw_counts_bytes(stream_server: LiveServer) -> None:
    session = RawSession(ws_url(stream_server, "sample_rate=8000&encoding=pcm_mulaw"), auth(stream_server))
    session.wait_for(lambda m: m.get("type") == "Begin")
    session.send(b"\xff" * 400)  # 50 ms of mu-law at 8 kHz
    session.send(b"\xff" * 8000)  # 1000 ms
    session.send({"type": "KeepAlive"})
    session.send({"type": "Terminate"})
    termination = session.wait_for(lambda m: m.get("type") == "Termination")
    assert termination["audio_duration_seconds"] == 1
    assert session.wait_closed() == 1000


def test_too_many_sessions(stream_server: LiveServer) -> None:
    open_sessions = []
    try:
        for _ in range(MAX_SESSIONS):
            session = RawSession(ws_url(stream_server), auth(stream_server))
            session.wait_for(lambda m: m.get("type") == "Begin")
            open_sessions.append(session)
        refused = RawSession(ws_url(stream_server), auth(stream_server))
        assert refused.wait_closed() == 3009
    finally:
        for session in open_sessions:
            session.close()
    deadline = time.monotonic() + 10
    while True:  # the slots are given back when the clients leave
        session = RawSession(ws_url(stream_server), auth(stream_server))
        try:
            session.wait_for(lambda m: m.get("type") == "Begin", timeout=2)
            session.close()
            break
        except AssertionError:
            assert time.monotonic() < deadline, "sessions were not released"


def test_sdk_sees_chunk_violation_code(stream_server: LiveServer) -> None:
    from assemblyai.streaming.v3 import RealTimeParameters, RealTimeTranscriberOptions

    recorder = SdkRecorder(
        RealTimeTranscriberOptions(
            api_host=f"ws://127.0.0.1:{stream_server.port}", api_key=stream_server.api_key
        )
    )
    recorder.client.connect(RealTimeParameters(sample_rate=16000))
    recorder.client.stream(b"\x00\x00" * 160)  # 10 ms
    deadline = time.monotonic() + 10
    while not recorder.errors and time.monotonic() < deadline:
        time.sleep(0.05)
    recorder.client.disconnect()
    assert [e.code for e in recorder.errors] == [3007]


def test_force_endpoint_update_configuration_and_terminate(stream_server: LiveServer, utterances) -> None:
    pcm, _ = utterances["1688-142285-0004"]
    session = RawSession(ws_url(stream_server, "sample_rate=16000&format_turns=false"), auth(stream_server))
    session.wait_for(lambda m: m.get("type") == "Begin")
    session.send({"type": "UpdateConfiguration", "max_turn_silence": 5000, "min_turn_silence": 5000})
    pieces = chunks(pcm)
    half = len(pieces) // 2
    for piece in paced(pieces[:half]):
        session.send(piece)
    session.send({"type": "ForceEndpoint"})
    first = session.wait_for(lambda m: m.get("type") == "Turn" and m["end_of_turn"], timeout=20)
    assert first["turn_order"] == 0 and first["transcript"]
    for piece in paced([*pieces[half:], *chunks(silence(1.0))]):
        session.send(piece)
        session.send({"type": "KeepAlive"})
    session.send({"type": "Terminate"})
    termination = session.wait_for(lambda m: m.get("type") == "Termination", timeout=20)
    assert session.wait_closed() == 1000
    ends = [m for m in session.messages if m.get("type") == "Turn" and m["end_of_turn"]]
    # The rest of the utterance is the second turn, flushed by Terminate (silence never reached 5 s).
    assert [m["turn_order"] for m in ends] == [0, 1]
    assert not any(m["turn_is_formatted"] for m in ends)
    assert session.messages.index(termination) == len(session.messages) - 1
    assert termination["session_duration_seconds"] >= 4


def test_terminate_mid_speech_flushes_the_turn(stream_server: LiveServer, utterances) -> None:
    pcm, _ = utterances["1688-142285-0004"]
    session = RawSession(ws_url(stream_server), auth(stream_server))
    session.wait_for(lambda m: m.get("type") == "Begin")
    for piece in paced(chunks(pcm[: 2 * 16000 * 2])):  # two seconds, still speaking
        session.send(piece)
    sent = time.monotonic()
    session.send({"type": "Terminate"})
    session.wait_for(lambda m: m.get("type") == "Termination", timeout=10)
    assert time.monotonic() - sent < 5
    assert session.wait_closed() == 1000
    ended = [m for m in session.messages if m.get("type") == "Turn" and m["end_of_turn"]]
    assert len(ended) == 1 and ended[0]["transcript"]


def test_sessions_share_the_model_without_blocking_rest(stream_server: LiveServer, utterances) -> None:
    names = ["1688-142285-0002", "1688-142285-0009"]
    results: dict[str, list[dict[str, Any]]] = {}

    def run(name: str) -> None:
        pcm, _ = utterances[name]
        session = RawSession(ws_url(stream_server), auth(stream_server))
        session.wait_for(lambda m: m.get("type") == "Begin")
        for piece in paced(chunks(silence(0.3) + pcm + silence(1.0))):
            session.send(piece)
        session.send({"type": "Terminate"})
        session.wait_for(lambda m: m.get("type") == "Termination", timeout=30)
        results[name] = [m for m in session.messages if m.get("type") == "Turn" and m["end_of_turn"]]

    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    slowest = 0.0
    with httpx.Client(base_url=stream_server.base_url, headers=auth(stream_server)) as client:
        while any(thread.is_alive() for thread in threads):
            started = time.monotonic()
            assert client.get("/v2/transcript", params={"limit": 1}).status_code == 200
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.1)
    for thread in threads:
        thread.join()
    assert slowest < 1.0, f"REST answered in {slowest:.2f}s while sessions streamed"
    for name in names:
        text = " ".join(m["transcript"] for m in results[name])
        assert word_error(utterances[name][1], text) <= 0.3, (name, text)


def test_session_expiry_closes_with_3008(tmp_path: Path) -> None:
    live = LiveServer(
        data_dir=tmp_path / "data",
        api_key=secrets.token_hex(16),
        env={"STENOGRAPH_STREAMING_MAX_SESSION_SECONDS": "2"},
    ).start()
    try:
        session = RawSession(ws_url(live), auth(live))
        begin = session.wait_for(lambda m: m.get("type") == "Begin")
        assert begin["expires_at"] - time.time() <= 3
        started = time.monotonic()
        for piece in paced(chunks(silence(5))):
            if session.close_code is not None or not session._reader.is_alive():
                break
            try:
                session.send(piece)
            except Exception:
                break
        assert session.wait_closed() == 3008
        assert time.monotonic() - started < 4.5
    finally:
        live.stop()


def test_engine_failure_closes_with_3005(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient
    from starlette.websockets import WebSocketDisconnect

    from stenograph.api.app import create_app
    from stenograph.config import Settings
    from stenograph.streaming import service

    async def start(self) -> None:
        self._engine = object()

    async def broken_feed(self, data: bytes) -> None:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(service.LiveSession, "start", start)
    monkeypatch.setattr(service.LiveSession, "feed", broken_feed)
    key = secrets.token_hex(16)
    app = create_app(Settings(data_dir=tmp_path, api_key=key, embedded_worker=False))
    with (
        TestClient(app) as client,
        client.websocket_connect("/v3/ws?sample_rate=16000", headers={"Authorization": key}) as ws,
    ):
        assert ws.receive_json()["type"] == "Begin"
        ws.send_bytes(b"\x00\x00" * 1600)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 3005


# --------------------------------------------------------------------------- legacy v2 realtime


def v2_url(server: LiveServer, query: str = "sample_rate=16000") -> str:
    return f"ws://127.0.0.1:{server.port}/v2/realtime/ws?{query}"


def test_v2_realtime_session(stream_server: LiveServer, utterances) -> None:
    answer = httpx.post(
        f"{stream_server.base_url}/v2/realtime/token", json={"expires_in": 60}, headers=auth(stream_server)
    )
    assert answer.status_code == 200, answer.text
    token = answer.json()["token"]
    assert set(answer.json()) == {"token"}
    pcm, reference = utterances["1688-142285-0004"]
    session = RawSession(
        v2_url(
            stream_server,
            f"sample_rate=16000&token={token}&enable_extra_session_information=true"
            '&word_boost=["shop","boy"]',
        )
    )
    begins = session.wait_for(lambda m: m.get("message_type") == "SessionBegins")
    assert begins["session_id"] and "T" in begins["expires_at"] and not begins["expires_at"].endswith("Z")
    session.send({"end_utterance_silence_threshold": 600})
    for piece in paced(chunks(silence(0.3) + pcm + silence(1.0))):
        session.send(piece)
    final = session.wait_for(lambda m: m.get("message_type") == "FinalTranscript", timeout=20)
    session.send({"terminate_session": True})
    info = session.wait_for(lambda m: m.get("message_type") == "SessionInformation", timeout=20)
    session.wait_for(lambda m: m.get("message_type") == "SessionTerminated", timeout=20)
    assert session.wait_closed() == 1000
    assert word_error(reference, final["text"]) <= 0.25, final["text"]
    assert final["punctuated"] and final["text_formatted"] and final["created"]
    assert (
        final["audio_start"] <= final["words"][0]["start"] and final["audio_end"] >= final["words"][-1]["end"]
    )
    partials = [m for m in session.messages if m.get("message_type") == "PartialTranscript"]
    assert partials and all(p["text"] == p["text"].lower() for p in partials)
    assert info["audio_duration_seconds"] == pytest.approx(len(pcm) / 32000 + 1.3, abs=0.15)
    # A v2 token opens one session, and v3 tokens are not v2 tokens.
    again = RawSession(v2_url(stream_server, f"sample_rate=16000&token={token}"))
    assert again.wait_closed() == 4001


@pytest.mark.parametrize(
    ("query", "headers", "message", "code"),
    [
        ("sample_rate=16000", {}, None, 4001),
        ("encoding=pcm_s16le", None, None, 4000),
        ("sample_rate=16000", None, "not json", 4100),
        ("sample_rate=16000", None, {"no_such_field": 1}, 4101),
        ("sample_rate=16000", None, b"\x00\x00" * 320, 4032),
        ("sample_rate=16000", None, b"\x00\x00" * 40000, 4033),
    ],
)
def test_v2_close_codes(stream_server: LiveServer, query: str, headers, message, code: int) -> None:
    session = RawSession(v2_url(stream_server, query), auth(stream_server) if headers is None else headers)
    if message is not None:
        session.wait_for(lambda m: m.get("message_type") == "SessionBegins")
        if isinstance(message, str):
            session.ws.send(message)
        else:
            session.send(message)
    assert session.wait_closed() == code


def test_v2_force_end_utterance_and_disabled_partials(stream_server: LiveServer, utterances) -> None:
    pcm, _ = utterances["1688-142285-0002"]
    session = RawSession(
        v2_url(stream_server, "sample_rate=16000&disable_partial_transcripts=true"), auth(stream_server)
    )
    session.wait_for(lambda m: m.get("message_type") == "SessionBegins")
    for piece in paced(chunks(silence(0.2) + pcm)):
        session.send(piece)
    session.send({"force_end_utterance": True})
    final = session.wait_for(lambda m: m.get("message_type") == "FinalTranscript", timeout=20)
    assert final["text"]
    session.send({"terminate_session": True})
    session.wait_for(lambda m: m.get("message_type") == "SessionTerminated", timeout=20)
    assert session.wait_closed() == 1000
    assert not [m for m in session.messages if m.get("message_type") == "PartialTranscript"]
    assert not [m for m in session.messages if m.get("message_type") == "SessionInformation"]


def test_v3_tokens_do_not_open_v2_sessions(stream_server: LiveServer) -> None:
    v3 = httpx.get(
        f"{stream_server.base_url}/v3/token", params={"expires_in_seconds": 30}, headers=auth(stream_server)
    ).json()["token"]
    assert RawSession(v2_url(stream_server, f"sample_rate=16000&token={v3}")).wait_closed() == 4001
    # ... and the failed attempt did not use it up.
    session = RawSession(ws_url(stream_server, f"sample_rate=16000&token={v3}"))
    session.wait_for(lambda m: m.get("type") == "Begin")
    session.close()
    answer = httpx.post(
        f"{stream_server.base_url}/v2/realtime/token", json={"expires_in": 59}, headers=auth(stream_server)
    )
    assert answer.status_code == 400


def test_silence_and_heartbeat_messages_when_asked_for(stream_server: LiveServer, utterances) -> None:
    from assemblyai.streaming.v3 import RealTimeEvents, RealTimeParameters, RealTimeTranscriberOptions

    speech, _ = utterances["1688-142285-0004"]
    stream = silence(2.5) + speech + silence(2.5)
    recorder = SdkRecorder(
        RealTimeTranscriberOptions(
            api_host=f"ws://127.0.0.1:{stream_server.port}", api_key=stream_server.api_key
        )
    )
    silences: list[Any] = []
    heartbeats: list[Any] = []
    recorder.client.on(RealTimeEvents.Silence, lambda _c, e: silences.append(e))
    recorder.client.on(RealTimeEvents.Heartbeat, lambda _c, e: heartbeats.append(e))
    recorder.client.connect(
        RealTimeParameters(sample_rate=16000, acknowledge_silence=True, session_heartbeat=True)
    )
    recorder.client.stream(paced(chunks(stream)))
    recorder.client.disconnect(terminate=True)

    assert not recorder.errors, recorder.errors
    # About once a second of silence, ranges following on, none inside the speech.
    (turn,) = recorder.final_turns(formatted=False)
    before = [s for s in silences if s.end_ms <= turn.words[0].start]
    after = [s for s in silences if s.start_ms >= turn.words[-1].end]
    assert len(before) >= 2 and after, [(s.start_ms, s.end_ms) for s in silences]
    assert len(before) + len(after) == len(silences), [(s.start_ms, s.end_ms) for s in silences]
    assert before[0].start_ms == 0
    for earlier, later in itertools.pairwise(silences):
        assert later.start_ms >= earlier.end_ms
    assert all(1000 <= s.end_ms - s.start_ms <= 1500 for s in before), [
        (s.start_ms, s.end_ms) for s in before
    ]
    # Heartbeats about once a second: audio received grows at about the pace of the session.
    assert len(heartbeats) >= 5
    received = [h.total_audio_received_ms for h in heartbeats]
    assert received == sorted(received) and received[-1] >= len(stream) * 1000 // 32000 - 1500
    assert all(0.5 < h.realtime_factor < 1.5 for h in heartbeats[1:]), [h.realtime_factor for h in heartbeats]
    assert max(h.max_speech_probability for h in heartbeats) > 0.8  # during the utterance
    assert heartbeats[0].max_speech_probability < 0.5  # the first second is silence


def test_heartbeats_turned_on_and_off_mid_session(stream_server: LiveServer) -> None:
    """session_heartbeat in UpdateConfiguration (the SDKs' set_params / updateConfiguration) takes
    effect at once, as acknowledge_silence does (issue 22: it used to be ignored)."""
    session = RawSession(ws_url(stream_server), auth(stream_server))
    session.wait_for(lambda m: m.get("type") == "Begin")
    for piece in paced(chunks(silence(1.2))):
        session.send(piece)
    session.send({"type": "UpdateConfiguration", "session_heartbeat": True})
    for piece in paced(chunks(silence(2.5))):
        session.send(piece)
    session.send({"type": "UpdateConfiguration", "session_heartbeat": False})
    for piece in paced(chunks(silence(1.5))):
        session.send(piece)
    session.send({"type": "Terminate"})
    session.wait_for(lambda m: m.get("type") == "Termination")
    beats = [m for m in session.messages if m.get("type") == "Heartbeat"]
    received = [b["total_audio_received_ms"] for b in beats]
    assert len(beats) >= 2, session.messages
    assert received[0] > 1200 and received[-1] <= 3700, received  # none before on, none after off


def test_unbuilt_streaming_features_close_with_3006_naming_them(stream_server: LiveServer) -> None:
    for name in ("filter_profanity", "agent_context"):
        session = RawSession(ws_url(stream_server, f"sample_rate=16000&{name}=true"), auth(stream_server))
        assert session.wait_closed() == 3006
        assert name in session.close_reason and "not supported" in session.close_reason
        assert not any(m.get("type") == "Begin" for m in session.messages)
    # Asked for off, they are no obstacle.
    session = RawSession(ws_url(stream_server, "sample_rate=16000&redact_pii=false"), auth(stream_server))
    session.wait_for(lambda m: m.get("type") == "Begin")
    session.send({"type": "Terminate"})
    assert session.wait_closed() == 1000


def test_redact_pii_hides_names_and_places_in_every_turn(
    stream_server: LiveServer, shared_audio: Path
) -> None:
    """pyannote_sample from 10 s: "This is Diane in New Jersey." / "And I'm Sheila in Texas, originally
    from Chicago." / "... I'm in New Jersey now" (the reference transcript)."""
    from assemblyai.streaming.v3 import RealTimeParameters, RealTimeTranscriberOptions

    call = pcm16(shared_audio / "diarization" / "pyannote_sample.wav")[10 * 32000 : 23 * 32000]
    from assemblyai.streaming.v3 import RealTimeEvents

    recorder = SdkRecorder(
        RealTimeTranscriberOptions(
            api_host=f"ws://127.0.0.1:{stream_server.port}", api_key=stream_server.api_key
        )
    )
    revisions: list[Any] = []
    recorder.client.on(RealTimeEvents.SpeakerRevision, lambda _c, e: revisions.append(e))
    recorder.client.connect(
        RealTimeParameters(
            sample_rate=16000,
            format_turns=True,
            speaker_labels=True,  # the SpeakerRevision's words are redacted too
            redact_pii=True,
            redact_pii_policies=["person_name", "location"],
        )
    )
    recorder.client.stream(paced(chunks(call + silence(2))))
    recorder.client.disconnect(terminate=True)

    assert not recorder.errors, recorder.errors
    texts = [t.transcript + " " + " ".join(w.text for w in t.words) for _, t in recorder.turns]
    assert revisions  # the end-of-stream one at least
    texts += [" ".join(w.text for r in e.revisions for w in r.words) for e in revisions]
    assert not [
        t for t in texts if any(v in t.lower() for v in ("diane", "sheila", "texas", "chicago", "jersey"))
    ]
    hidden = [w.text for t in recorder.final_turns(formatted=True) for w in t.words if w.text.startswith("#")]
    assert len(hidden) >= 4, [t.transcript for t in recorder.final_turns(formatted=True)]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("redact_pii=true", "redact_pii_policies"),
        ('redact_pii=true&redact_pii_policies=["favourite_colour"]', "favourite_colour"),
        ('redact_pii=true&redact_pii_policies=["person_name"]&redact_pii_sub=stars', "redact_pii_sub"),
        (
            'redact_pii=true&redact_pii_policies=["person_name"]&speech_model=universal-streaming-multilingual'
            "&language_code=de",
            "redact_pii",
        ),
    ],
)
def test_bad_redaction_parameters_close_with_3006(stream_server: LiveServer, query: str, named: str) -> None:
    session = RawSession(ws_url(stream_server, f"sample_rate=16000&{query}"), auth(stream_server))
    assert session.wait_closed() == 3006
    assert named in session.close_reason


# --------------------------------------------------------------------------- compressed encodings


@pytest.fixture(scope="module")
def jfk(shared_audio: Path) -> tuple[Any, str]:
    """The JFK clip (11 s) as 16 kHz samples with 1 s of silence after it, and its reference."""
    import numpy as np

    from stenograph.pipeline.audio import decode_audio

    samples = decode_audio(shared_audio / "jfk" / "jfk.wav")
    reference = (shared_audio / "jfk" / "refs.tsv").read_text().splitlines()[0].split("\t")[1]
    return np.concatenate([samples, np.zeros(16000, dtype=np.float32)]), reference


def paced_by_bytes(pieces: list[bytes], seconds: float) -> Iterator[bytes]:
    """Each piece when its share of the stream's bytes has played (real-time pace for a stream of
    roughly constant bit rate)."""
    total = sum(len(p) for p in pieces)
    start = time.monotonic()
    sent = 0
    for piece in pieces:
        delay = start + seconds * sent / total - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield piece
        sent += len(piece)


@pytest.mark.parametrize("encoding", ["ogg_opus", "aac"])
def test_python_sdk_streams_compressed_audio(stream_server: LiveServer, jfk, encoding: str) -> None:
    """An Ogg Opus file or an ADTS AAC stream, cut into odd pieces that split pages and frames, sent
    by the SDK without a sample_rate (these encodings describe themselves)."""
    from assemblyai.streaming.v3 import Encoding, RealTimeParameters, RealTimeTranscriberOptions

    samples, reference = jfk
    pieces = split_unevenly(encode_compressed(samples, encoding)[0], (997, 3001, 61, 1777, 2))
    recorder = SdkRecorder(
        RealTimeTranscriberOptions(
            api_host=f"ws://127.0.0.1:{stream_server.port}", api_key=stream_server.api_key
        )
    )
    recorder.client.connect(RealTimeParameters(encoding=Encoding(encoding), format_turns=True))
    recorder.client.stream(paced_by_bytes(pieces, len(samples) / 16000))
    recorder.client.disconnect(terminate=True)

    assert not recorder.errors, recorder.errors
    text = " ".join(t.transcript for t in recorder.final_turns(formatted=False))
    assert word_error(reference, text) <= 0.15, text
    assert len(recorder.terminations) == 1
    assert abs(recorder.terminations[0].audio_duration_seconds - len(samples) / 16000) <= 1


def test_raw_opus_packets_one_per_message(stream_server: LiveServer, jfk) -> None:
    """``opus``: each message one raw Opus packet of 20 ms (under the 50 ms floor of PCM chunks)."""
    samples, reference = jfk
    packets = encode_compressed(samples, "opus")
    session = RawSession(ws_url(stream_server, "encoding=opus&sample_rate=16000"), auth(stream_server))
    session.wait_for(lambda m: m.get("type") == "Begin")
    for packet in paced_by_bytes(packets, len(samples) / 16000):
        session.send(packet)
    session.send({"type": "Terminate"})
    session.wait_for(lambda m: m.get("type") == "Termination")
    assert session.wait_closed() == 1000
    finals = [m for m in session.messages if m.get("type") == "Turn" and m.get("end_of_turn")]
    text = " ".join(m["transcript"] for m in finals)
    assert word_error(reference, text) <= 0.15, text


@pytest.mark.parametrize(
    ("encoding", "data", "reason"),
    [
        ("ogg_opus", b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(2000), "OggS"),
        ("aac", b"ID3\x04" + bytes(2000), "ADTS"),
        ("opus", b"\xff\xfe\x00garbage" * 10, "could not be decoded"),
    ],
)
def test_bad_compressed_audio_closes_with_3006(stream_server: LiveServer, encoding, data, reason) -> None:
    session = RawSession(ws_url(stream_server, f"encoding={encoding}"), auth(stream_server))
    session.wait_for(lambda m: m.get("type") == "Begin")
    session.send(data)
    assert session.wait_closed() == 3006
    assert session.close_reason.startswith("Invalid audio:") and reason in session.close_reason
    # The server goes on serving.
    again = RawSession(ws_url(stream_server), auth(stream_server))
    again.wait_for(lambda m: m.get("type") == "Begin")
    again.close()


def test_corrupt_ogg_page_mid_stream_closes_with_3006(stream_server: LiveServer, jfk) -> None:
    samples, _ = jfk
    data = bytearray(encode_compressed(samples[: 16000 * 3], "ogg_opus")[0])
    data[len(data) // 2] ^= 0x01
    session = RawSession(ws_url(stream_server, "encoding=ogg_opus"), auth(stream_server))
    session.wait_for(lambda m: m.get("type") == "Begin")
    for piece in split_unevenly(bytes(data), (1000,)):
        if session.close_code is not None:
            break
        with contextlib.suppress(Exception):
            session.send(piece)
    assert session.wait_closed() == 3006
    assert "checksum" in session.close_reason
