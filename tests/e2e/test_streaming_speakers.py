"""Streaming speaker labels end to end (issue 22): the official Python SDK's v3 client against a live
server, on a conversation of two LibriSpeech readers taking turns."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.live_server import LiveServer
from tests.support.streaming_helpers import RawSession, chunks, paced
from tests.support.streaming_helpers import conversation as two_readers

SPEED = 1  # real time: faster, the decodes fall behind the pauses and turns run together


@pytest.fixture(scope="module")
def speaker_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(
        data_dir=tmp_path_factory.mktemp("streaming-speakers") / "data",
        api_key=secrets.token_hex(16),
        # Four agents share two cores here: a slow moment must not shed the session under test.
        env={"STENOGRAPH_STREAMING_SHED_LAG_SECONDS": "0", "STENOGRAPH_STREAMING_ADMIT_LAG_SECONDS": "0"},
    ).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def conversation(shared_audio: Path) -> tuple[bytes, list[tuple[float, float, str]]]:
    """16 kHz PCM of two readers taking turns, and its reference turns (start s, end s, reader)."""
    return two_readers(shared_audio)


def stream(server: LiveServer, pcm: bytes, **params: Any) -> list[tuple[str, Any]]:
    """Every event the SDK delivers, in order, as (event type, event)."""
    from assemblyai.streaming.v3 import (
        RealTimeEvents,
        RealTimeParameters,
        RealTimeTranscriber,
        RealTimeTranscriberOptions,
    )

    client = RealTimeTranscriber(
        RealTimeTranscriberOptions(api_host=f"ws://127.0.0.1:{server.port}", api_key=server.api_key)
    )
    seen: list[tuple[str, Any]] = []
    for kind in ("Turn", "SpeakerRevision", "Termination", "Error"):
        client.on(RealTimeEvents[kind], lambda _c, event, kind=kind: seen.append((kind, event)))
    client.connect(RealTimeParameters(sample_rate=16000, format_turns=True, **params))
    client.stream(paced(chunks(pcm), chunk_ms=100 // SPEED))
    client.disconnect(terminate=True)
    return seen


def final_turns(seen: list[tuple[str, Any]]) -> list[Any]:
    return [e for kind, e in seen if kind == "Turn" and e.end_of_turn and not e.turn_is_formatted]


def test_turns_carry_speaker_labels_and_the_final_revision_comes_before_termination(
    speaker_server: LiveServer, conversation
) -> None:
    pcm, reference = conversation
    seen = stream(speaker_server, pcm, speaker_labels=True)
    kinds = [kind for kind, _ in seen]
    assert "Error" not in kinds, seen
    turns = final_turns(seen)
    assert len(turns) >= 4, [(t.turn_order, t.transcript) for t in turns]
    for turn in [e for kind, e in seen if kind == "Turn" and e.end_of_turn]:  # formatted ones too
        assert turn.speaker_label is not None and all(w.speaker for w in turn.words)
        assert turn.speaker_label in {w.speaker for w in turn.words}  # a turn may hold two speakers
    for turn in [e for kind, e in seen if kind == "Turn" and not e.end_of_turn]:
        assert turn.speaker_label is None  # partial turns: not labelled yet

    # Each turn's reader: the reference turn holding the middle of its words.
    def reader(turn: Any) -> str:
        middle = (turn.words[0].start + turn.words[-1].end) / 2000
        return next(r for start, end, r in reference if start - 0.5 <= middle <= end + 0.5)

    online = {t.turn_order: t.speaker_label for t in turns}
    labelled = [t for t in turns if t.speaker_label != "UNKNOWN"]
    assert len({t.speaker_label for t in labelled}) >= 2, online
    # The end-of-stream revision: once, after the last turn, before Termination.
    assert kinds.count("SpeakerRevision") == 1 and kinds.count("Termination") == 1
    assert kinds.index("SpeakerRevision") < kinds.index("Termination")
    last_turn = max(i for i, kind in enumerate(kinds) if kind == "Turn")
    assert last_turn < kinds.index("SpeakerRevision")
    revision = next(e for kind, e in seen if kind == "SpeakerRevision")
    final = dict(online)
    for item in revision.revisions:
        assert item.turn_order in online and item.speaker_label in {w.speaker for w in item.words}
        final[item.turn_order] = item.speaker_label
    # After the revision, one label per reader and one reader per label.
    pairs = {(reader(t), final[t.turn_order]) for t in labelled}
    assert len(pairs) == len({r for r, _ in pairs}) == len({s for _, s in pairs}) == 2, pairs


def test_max_speakers_one_gives_only_one_label(speaker_server: LiveServer, conversation) -> None:
    pcm, _ = conversation
    seen = stream(speaker_server, pcm, speaker_labels=True, max_speakers=1)
    turns = final_turns(seen)
    assert len(turns) >= 4 and "Error" not in [kind for kind, _ in seen]
    assert {t.speaker_label for t in turns} <= {"A", "UNKNOWN"}
    assert {w.speaker for t in turns for w in t.words} <= {"A", "UNKNOWN"}
    revision = next(e for kind, e in seen if kind == "SpeakerRevision")
    assert revision.revisions == []


def test_without_speaker_labels_turns_carry_none(speaker_server: LiveServer, conversation) -> None:
    pcm, _ = conversation
    seen = stream(speaker_server, pcm[: 32000 * 9])
    turns = final_turns(seen)
    assert turns and all(t.speaker_label is None for t in turns)
    assert all(w.speaker is None for t in turns for w in t.words)
    assert "SpeakerRevision" not in [kind for kind, _ in seen]


def test_speaker_settings_are_checked_and_fixed_for_the_session(speaker_server: LiveServer) -> None:
    url = f"ws://127.0.0.1:{speaker_server.port}/v3/ws?sample_rate=16000&speaker_labels=true"
    headers = {"Authorization": speaker_server.api_key}
    for bad in ("max_speakers=0", "speaker_labels_revision_interval_ms=-5"):
        session = RawSession(f"{url}&{bad}", headers)
        assert session.wait_closed() == 3006 and bad.split("=")[0] in session.close_reason
    session = RawSession(f"{url}&max_speakers=2", headers)
    session.wait_for(lambda m: m.get("type") == "Begin")
    session.send({"type": "UpdateConfiguration", "max_speakers": 2})  # the same: fine
    session.send({"type": "UpdateConfiguration", "max_speakers": 3})
    assert session.wait_closed() == 3006 and "max_speakers" in session.close_reason
