"""Load shedding, as the clients see it: a live server whose sessions fall behind real time closes
its newest session and serves the rest (the in-process parts are in
tests/unit/streaming/test_service_load.py)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.audio_refs import librispeech, wer
from tests.support.live_server import LiveServer
from tests.support.streaming_helpers import RawSession, chunks, paced, pcm16, silence


@pytest.fixture
def shedding_server(tmp_path: Path) -> Iterator[LiveServer]:
    # Any undecoded speech older than 50 ms counts as falling behind: every server is overloaded.
    live = LiveServer(
        data_dir=tmp_path / "data",
        api_key=secrets.token_hex(16),
        env={
            "STENOGRAPH_STREAMING_SHED_LAG_SECONDS": "0.05",
            "STENOGRAPH_STREAMING_ADMIT_LAG_SECONDS": "0.05",
        },
    ).start()
    yield live
    live.stop()


def test_an_overloaded_server_closes_its_newest_session_and_serves_the_rest(
    shedding_server: LiveServer, shared_audio: Path
) -> None:
    (path, reference), *_ = [(p, r) for p, r in librispeech(shared_audio) if p.stem == "1688-142285-0004"]
    stream = silence(0.3) + pcm16(path) + silence(1.2)
    url = f"ws://127.0.0.1:{shedding_server.port}/v3/ws?sample_rate=16000"
    headers = {"Authorization": shedding_server.api_key}
    sessions = []
    for _ in range(2):  # both admitted while nothing lags
        session = RawSession(url, headers)
        session.wait_for(lambda m: m.get("type") == "Begin")
        sessions.append(session)
    oldest, newest = sessions
    refused: list[tuple[int | None, str]] = []

    def knock() -> None:
        """A third caller, while the two stream: refused, since the server runs behind."""
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not refused:
            caller = RawSession(url, headers)
            time.sleep(0.3)
            if caller.close_code is not None:
                refused.append((caller.close_code, caller.close_reason))
            else:
                caller.close()

    def feed(session: RawSession) -> None:
        for piece in paced(chunks(stream)):
            if session.close_code is not None:
                return
            try:
                session.send(piece)
            except Exception:
                return

    threads = [threading.Thread(target=feed, args=(s,)) for s in sessions] + [threading.Thread(target=knock)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert newest.wait_closed() == 3009
    assert "behind real time" in newest.close_reason
    assert refused and refused[0][0] == 3009 and "behind real time" in refused[0][1]
    oldest.send({"type": "Terminate"})
    oldest.wait_for(lambda m: m.get("type") == "Termination")
    assert oldest.wait_closed() == 1000
    text = " ".join(m["transcript"] for m in oldest.messages if m.get("type") == "Turn" and m["end_of_turn"])
    assert wer([reference], [text]) <= 0.3, text
