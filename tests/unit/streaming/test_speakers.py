"""A session's speaker labels in process: the tracker's audio, labels and revisions (with a fake
encoder), and a live session sending labelled turns in order from its own task."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from stenograph.pipeline.diarization.embeddings import EMBEDDING_SIZE
from stenograph.pipeline.diarization.online import NO_WINDOWS, TurnWindows
from stenograph.streaming import speakers as speakers_module
from stenograph.streaming.audio import PcmConverter
from stenograph.streaming.engine import StreamConfig, StreamWord, TurnEvent
from stenograph.streaming.service import LiveSession, StreamingService
from stenograph.streaming.speakers import SpeakerTracker, revision_interval_s

RATE = 16000
VOICES = np.eye(EMBEDDING_SIZE, dtype=np.float32)[:3]


@pytest.fixture(autouse=True)
def fake_encoder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Audio of constant value v is voice round(v * 10) - 1; one window per second, each of its
    second's voice."""

    def embed(samples: np.ndarray) -> TurnWindows:
        if len(samples) < RATE:
            return NO_WINDOWS
        count = len(samples) // RATE
        voices = [
            VOICES[round(float(np.median(samples[i * RATE : (i + 1) * RATE])) * 10) - 1] for i in range(count)
        ]
        return TurnWindows(np.stack(voices), [(i * 1000, i * 1000 + 1000) for i in range(count)])

    monkeypatch.setattr(speakers_module, "embed_turn", embed)


def _turn(order: int, start_s: float, end_s: float, final: bool = True) -> TurnEvent:
    words = (StreamWord("a", round(start_s * 1000), round(end_s * 1000), 0.9, final),)
    return TurnEvent(order, words, end_of_turn=final, end_of_turn_confidence=0.9)


def test_revision_interval_is_clamped() -> None:
    assert revision_interval_s(None) == revision_interval_s(0) == 0.0
    assert revision_interval_s(1) == 120.0 and revision_interval_s(200_000) == 200.0
    assert revision_interval_s(86_400_000) == 300.0


def test_tracker_labels_ended_turns_from_their_audio() -> None:
    tracker = SpeakerTracker()
    # voice 1 for 3 s, voice 2 for 3 s, a 0.5 s blip, voice 1 again for 2 s
    for value, seconds in ((0.1, 3.0), (0.2, 3.0), (0.1, 0.5), (0.1, 2.0)):
        tracker.append(np.full(int(seconds * RATE), value, np.float32))
    assert tracker.label(_turn(0, 0.0, 3.0, final=False)).speaker is None  # partial: not labelled
    labels = [
        tracker.label(event).speaker
        for event in (_turn(0, 0.0, 3.0), _turn(1, 3.0, 6.0), _turn(2, 6.0, 6.5), _turn(3, 6.5, 8.5))
    ]
    assert labels == ["A", "B", "UNKNOWN", "A"]
    assert tracker.speech_seconds == pytest.approx(8.0)
    assert tracker.revise() == []  # nothing to change


def test_tracker_keeps_a_bounded_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speakers_module, "MAX_TURN_AUDIO_S", 60.0)
    tracker = SpeakerTracker()
    for _ in range(90):
        tracker.append(np.full(RATE, 0.1, np.float32))
    assert tracker._length <= 60 * RATE
    labelled = tracker.label(_turn(0, 80.0, 85.0))
    assert labelled.speaker == "A" and [w.speaker for w in labelled.words] == ["A"]
    assert tracker._start >= 85 * RATE - 1  # the audio before the labelled turn is gone
    for _ in range(130):  # after a slice joined the chunks into one, the bound still holds
        tracker.append(np.full(RATE // 2, 0.1, np.float32))
    assert tracker._length == 60 * RATE


def test_a_turn_longer_than_the_audio_kept_is_labelled_on_stream_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The windows of a turn whose start is no longer kept carry the times of the audio they come
    from, so its words still get the right speakers."""
    monkeypatch.setattr(speakers_module, "MAX_TURN_AUDIO_S", 60.0)
    tracker = SpeakerTracker()
    for value, seconds in ((0.1, 50), (0.2, 30)):  # 80 s: voice 1 then voice 2, one turn
        for _ in range(seconds):
            tracker.append(np.full(RATE, value, np.float32))
    words = tuple(StreamWord("w", s * 1000, s * 1000 + 800, 0.9, True) for s in range(80))
    labelled = tracker.label(TurnEvent(0, words, end_of_turn=True, end_of_turn_confidence=0.9))
    speakers = [w.speaker for w in labelled.words]
    assert speakers[:49] == ["A"] * 49 and speakers[52:] == ["B"] * 28, speakers
    assert labelled.speaker == "A"  # most of its words' time


def test_mid_stream_revision_is_due_after_enough_speech_and_the_interval() -> None:
    tracker = SpeakerTracker(revision_interval_ms=1000)  # clamped to 120 s
    tracker.speech_seconds = 100.0
    assert not tracker.revision_due(150.0)  # not 120 s of speech yet
    tracker.speech_seconds = 121.0
    assert tracker.revision_due(150.0)
    tracker.revise(150.0)
    assert not tracker.revision_due(200.0) and tracker.revision_due(270.0)
    only_at_the_end = SpeakerTracker(revision_interval_ms=0)
    only_at_the_end.speech_seconds = 1000.0
    assert not only_at_the_end.revision_due(2000.0)


def test_live_session_sends_labelled_turns_in_order_off_the_loop() -> None:
    async def scenario() -> None:
        service = StreamingService()
        sent: list[TurnEvent] = []
        tracker = SpeakerTracker()
        tracker.append(np.full(4 * RATE, 0.1, np.float32))
        threads: list[str] = []
        label = tracker.label

        def slow_label(event: TurnEvent) -> TurnEvent:
            threads.append(threading.current_thread().name)
            time.sleep(0.2)
            return label(event)

        tracker.label = slow_label  # type: ignore[method-assign]

        async def on_events(events: list[TurnEvent]) -> None:
            sent.extend(events)

        live = LiveSession(
            service,
            model="tiny.en",
            config=StreamConfig(),
            converter=PcmConverter(16000),
            on_events=on_events,
            speakers=tracker,
        )
        live._outbox = asyncio.Queue()
        live._sending = asyncio.create_task(live._send_loop())
        try:
            await live._emit([_turn(0, 0.0, 3.0, final=False)])
            await live._emit([_turn(0, 0.0, 3.0)])
            started = time.monotonic()
            await live._emit([_turn(1, 3.5, 3.8, final=False)])
            assert time.monotonic() - started < 0.1  # emitting never waits for a label
            await asyncio.wait_for(live._outbox.join(), 5)
            assert [(e.turn_order, e.end_of_turn, e.speaker) for e in sent] == [
                (0, False, None),
                (0, True, "A"),
                (1, False, None),
            ]
            assert threads == ["stream-speakers_0"]
            assert await live.final_revision() == []
        finally:
            await live.close()
            service.shutdown()

    asyncio.run(scenario())


def test_a_due_mid_stream_revision_goes_to_on_revision_after_the_turn() -> None:
    async def scenario() -> None:
        service = StreamingService()
        order: list[str] = []
        revisions: list[list] = []
        tracker = SpeakerTracker(revision_interval_ms=120_000)
        for value in (0.1, 0.2, 0.1):
            tracker.append(np.full(3 * RATE, value, np.float32))

        async def on_events(events: list[TurnEvent]) -> None:
            order.extend(f"turn {e.turn_order}" for e in events)

        async def on_revision(items: list) -> None:
            order.append("revision")
            revisions.append(items)

        live = LiveSession(
            service,
            model="tiny.en",
            config=StreamConfig(),
            converter=PcmConverter(16000),
            on_events=on_events,
            speakers=tracker,
            on_revision=on_revision,
        )
        live._outbox = asyncio.Queue()
        live._sending = asyncio.create_task(live._send_loop())
        try:
            await live._emit([_turn(0, 0.0, 3.0)])
            await live._emit([_turn(1, 3.0, 6.0)])
            await asyncio.wait_for(live._outbox.join(), 5)
            # Online, turn 1 went to the first speaker by mistake; 120 s of speech later a revision is due.
            tracker.speakers._parts[1].label = "A"
            tracker.speech_seconds, live.audio_seconds = 130.0, 130.0
            await live._emit([_turn(2, 6.0, 9.0)])
            await asyncio.wait_for(live._outbox.join(), 5)
            assert order == ["turn 0", "turn 1", "turn 2", "revision"]
            assert [(r.turn_order, r.speaker) for r in revisions[0]] == [(1, "B")]
            assert [w.speaker for w in revisions[0][0].words] == ["B"]
            await live._emit([_turn(3, 9.0, 9.5)])  # the interval has not passed again: no revision
            await asyncio.wait_for(live._outbox.join(), 5)
            assert order[-1] == "turn 3" and len(revisions) == 1
        finally:
            await live.close()
            service.shutdown()

    asyncio.run(scenario())
