"""Load shedding of live sessions in process: how lag is measured, which session goes and when, and
how the decode batcher copes with jobs it cannot batch (what the clients of a live server see is in
tests/e2e/test_streaming_load.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest

from stenograph import metrics
from stenograph.streaming.audio import PcmConverter
from stenograph.streaming.batcher import DecodeBatcher
from stenograph.streaming.engine import StreamConfig, StreamingEngine
from stenograph.streaming.service import (
    SHED_INTERVAL_S,
    LiveSession,
    Overloaded,
    StreamingService,
    TooManySessions,
)
from tests.support.streaming_helpers import AlwaysSpeech

CHUNK = b"\x00\x00" * 1600  # 100 ms of 16 kHz PCM


def test_undecoded_audio_starts_where_the_last_decode_ended() -> None:
    from stenograph.streaming.decoder import DecodeResult
    from stenograph.streaming.engine import JobResult

    engine = StreamingEngine(StreamConfig(min_first_decode_ms=0), vad=AlwaysSpeech())
    assert engine.undecoded_from is None  # no turn
    engine.feed(np.zeros(512 * 10, dtype=np.float32))
    start = engine.undecoded_from
    assert start is not None and start <= 512 * 10
    job = engine.pending_decode()
    assert job is not None and engine.undecoded_from == start  # in flight is not decoded
    engine.complete_decode(job, JobResult(DecodeResult((), 0.0, -0.2, 0.01)))
    assert engine.undecoded_from is None
    engine.feed(np.zeros(512 * 4, dtype=np.float32))
    assert engine.undecoded_from == job.window_end


def _session(
    service: StreamingService, session_id: str, engine: StreamingEngine | None = None
) -> LiveSession:
    """A live session on ``engine`` without a decode loop: its decodes run only where a test runs
    them (never, by default: a server that cannot keep up at all)."""
    service.acquire(session_id)
    live = LiveSession(
        service,
        model="tiny.en",
        config=StreamConfig(),
        converter=PcmConverter(16000),
        on_events=_ignore,
        session_id=session_id,
    )
    live._engine = engine if engine is not None else StreamingEngine(StreamConfig(), vad=AlwaysSpeech())
    service.attach(session_id, live)
    return live


async def _ignore(_events: object) -> None:
    return None


def test_lag_admission_and_shedding_of_the_newest_session() -> None:
    async def scenario() -> None:
        service = StreamingService(admit_lag_s=0.15, shed_lag_s=0.3)
        shed, refused = metrics.STREAMING_SHED._value.get(), metrics.STREAMING_REFUSED._value.get()
        try:
            first, second = _session(service, "first"), _session(service, "second")
            await first.feed(CHUNK)
            await second.feed(CHUNK)
            assert first.lag_seconds < 0.1 and service.lag() < 0.1
            await asyncio.sleep(0.2)
            assert 0.2 <= first.lag_seconds < 1.0  # its first chunk has waited since it came
            with pytest.raises(TooManySessions, match="behind real time"):
                service.acquire("third")
            await asyncio.sleep(0.15)
            # The oldest undecoded audio has waited more than shed_lag_s: the newest session goes,
            # whichever session's call notices it.
            await first.feed(CHUNK)
            assert second.overloaded is not None and first.overloaded is None
            assert metrics.STREAMING_SHED._value.get() == shed + 1  # /metrics counts it
            assert metrics.STREAMING_REFUSED._value.get() == refused + 1  # "third"
            with pytest.raises(Overloaded, match="behind real time"):
                await second.feed(CHUNK)
            # The last session left is never closed for lag.
            await asyncio.sleep(1.1)
            await first.feed(CHUNK)
            assert first.overloaded is None and first.lag_seconds > 1.0
            service.release("second")
            service.release("first")
            service.acquire("fourth")  # admission looks only at the sessions still there
        finally:
            service.shutdown()

    asyncio.run(scenario())


def test_sessions_are_shed_one_at_a_time() -> None:
    async def scenario() -> None:
        service = StreamingService(admit_lag_s=0, shed_lag_s=0.05)
        try:
            sessions = [_session(service, f"s{i}") for i in range(4)]
            for live in sessions:
                await live.feed(CHUNK)
            await asyncio.sleep(0.1)
            for _ in range(3):
                await sessions[0].feed(CHUNK)
            assert [live.overloaded is not None for live in sessions] == [False, False, False, True]
            await asyncio.sleep(SHED_INTERVAL_S + 0.05)
            await sessions[0].feed(CHUNK)
            assert [live.overloaded is not None for live in sessions] == [False, False, True, True]
        finally:
            service.shutdown()

    asyncio.run(scenario())


def test_no_shedding_while_decodes_keep_up() -> None:
    """A fast client is not lag: audio sent ahead of real time waits only for its decode."""
    service = StreamingService(admit_lag_s=0.5, shed_lag_s=0.5)
    engine = StreamingEngine(StreamConfig(min_first_decode_ms=0), vad=AlwaysSpeech())
    try:
        live = _session(service, "fast", engine)

        async def stream() -> None:
            from stenograph.streaming.decoder import DecodeResult
            from stenograph.streaming.engine import JobResult

            for _ in range(10):  # 10 s of audio in well under a second, a second at a time
                for _ in range(10):
                    await live.feed(CHUNK)
                assert engine.undecoded_from is not None and live.lag_seconds < 0.3
                job = engine.pending_decode()
                assert job is not None
                engine.complete_decode(job, JobResult(DecodeResult((), 0.0, -0.2, 0.01)))
                assert live.lag_seconds == 0.0
            service.acquire("another")
            assert len(live._arrivals) <= 21  # chunks older than any lag to measure are forgotten

        asyncio.run(stream())
    finally:
        service.shutdown()


def test_a_busy_batcher_skips_jobs_it_cannot_batch_and_jobs_no_one_waits_for(shared_audio: Path) -> None:
    """Sessions' jobs look alike (every session has a turn 1): a job left out of a batch must not
    upset the batching of the ones after it (it once killed the inference thread), and a job whose
    session is gone is not decoded."""
    from stenograph.pipeline.audio import decode_audio
    from stenograph.streaming.decoder import get_decoder
    from stenograph.streaming.engine import DecodeJob

    decoder = get_decoder("tiny.en")
    audio = decode_audio(shared_audio / "jfk" / "jfk.wav")

    def job(seconds: float, context: str = "") -> DecodeJob:
        samples = int(16000 * seconds)
        return DecodeJob(1, audio[:samples], 0, samples, "", context, "en", False, seconds, 3.0, 6.0, 1)

    async def scenario() -> None:
        batcher = DecodeBatcher(threads=1, max_batch=4)
        try:
            with batcher._cond:  # the thread waits until all are queued
                first = batcher.submit(decoder, job(2.0))
                prompted = batcher.submit(decoder, job(3.0, context="Kennedy"))  # not batchable
                gone = batcher.submit(decoder, job(4.0))
                gone.cancel()
                last = batcher.submit(decoder, job(5.0))
            results = await asyncio.wait_for(asyncio.gather(first, prompted, last), timeout=60)
            assert all(r.decode.words for r in results)
            assert batcher.jobs == 3 and batcher.batches == 2  # the first and last together
        finally:
            batcher.close()

    asyncio.run(scenario())
