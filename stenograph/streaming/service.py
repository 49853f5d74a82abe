"""Live sessions on an event loop: the engine's work goes to bounded thread pools, never the loop.

:class:`StreamingService` (one per server process) owns the pools (decodes go to its
:class:`~stenograph.streaming.batcher.DecodeBatcher`) and counts sessions;
:class:`LiveSession` drives one :class:`~stenograph.streaming.engine.StreamingEngine`: audio is
converted and run through the VAD on the audio thread, decodes run on the inference pool (shared by
every session, and the loaded model shared with the batch path), and the resulting turn events go to
an async callback in order. Calls into one engine never overlap (an asyncio lock), while the
sessions' decodes interleave on the pool. Knows nothing of HTTP or WebSockets.

Past its capacity a server must not let every session fall behind: a session decoded less often
gets longer windows, each decode costs more, and the sessions fall further behind without bound
(on a 2-core Xeon, 24 sessions: end-of-turn 26 s late, WER past 100%). So the service watches the
lag of its sessions (how long ago the oldest speech not yet decoded came in): while one runs
``admit_lag_s`` behind it admits no new session, and while one runs ``shed_lag_s`` behind it
closes the newest session (one each half second, never the last), so that the others keep real time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from stenograph import metrics
from stenograph.pipeline.audio import SAMPLE_RATE
from stenograph.pipeline.models import DEFAULT_MODEL_SETTINGS, ModelSettings
from stenograph.streaming.audio import AudioConverter
from stenograph.streaming.batcher import DecodeBatcher
from stenograph.streaming.engine import StreamConfig, StreamingEngine, TurnEvent
from stenograph.streaming.speakers import Revision, SpeakerTracker

log = logging.getLogger(__name__)

EventSink = Callable[[list[TurnEvent]], Awaitable[None]]
RevisionSink = Callable[[list[Revision]], Awaitable[None]]

SHED_INTERVAL_S = 0.5  # after closing a session, the time the others get to catch up before the next


class TooManySessions(Exception):
    pass


class Overloaded(Exception):
    """The session was closed because the server could not keep its sessions in real time."""


class StreamingService:
    def __init__(
        self,
        *,
        max_sessions: int = 8,
        inference_threads: int = 2,
        max_batch: int = 4,
        admit_lag_s: float = 1.0,
        shed_lag_s: float = 2.0,
        model_settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
    ) -> None:
        self.max_sessions = max_sessions
        self.model_settings = model_settings  # where and how the sessions' models run
        self.admit_lag_s = admit_lag_s  # 0: admit whatever the lag
        self.shed_lag_s = shed_lag_s  # 0: never close a session for lag
        self.inference = ThreadPoolExecutor(1, thread_name_prefix="stream-load")  # model loading
        self.audio = ThreadPoolExecutor(1, thread_name_prefix="stream-audio")
        # Speaker labels: embeddings (torch, one intra-op thread) and re-clustering, for every session
        # that asks for them, apart from the audio and inference threads.
        self.speakers = ThreadPoolExecutor(1, thread_name_prefix="stream-speakers")
        self.batcher = DecodeBatcher(inference_threads, max_batch)
        self._sessions: dict[str, LiveSession | None] = {}  # in order of admission
        self._lock = threading.Lock()
        self._last_shed = -math.inf

    # ------------------------------------------------------------------ admission

    @property
    def active(self) -> int:
        return len(self._sessions)

    def acquire(self, session_id: str) -> None:
        with self._lock:
            if self.max_sessions and len(self._sessions) >= self.max_sessions:
                metrics.STREAMING_REFUSED.inc()
                raise TooManySessions(f"Too many concurrent sessions (limit {self.max_sessions})")
            lag = self.lag()
            if self.admit_lag_s and lag > self.admit_lag_s:
                metrics.STREAMING_REFUSED.inc()
                raise TooManySessions(
                    f"Too many concurrent sessions: the server is running {lag:.1f} s behind real time"
                )
            self._sessions[session_id] = None

    def attach(self, session_id: str, session: LiveSession) -> None:
        """Watch an admitted session's lag (from when its engine runs)."""
        with self._lock:
            if session_id in self._sessions:
                self._sessions[session_id] = session

    def release(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def lag(self) -> float:
        """How long the oldest undecoded speech of the furthest-behind session has waited."""
        return max((s.lag_seconds for s in self._live()), default=0.0)

    def shed(self, now: float) -> LiveSession | None:
        """Close a session so the others keep real time, if one must go: the newest, while a session
        runs more than ``shed_lag_s`` behind, at most one per ``SHED_INTERVAL_S``, and never the only
        one left. Returns the session closed (see :meth:`LiveSession.overload`)."""
        if not self.shed_lag_s or now - self._last_shed < SHED_INTERVAL_S:
            return None
        with self._lock:
            live = self._live()
            lag = max((s.lag_seconds for s in live), default=0.0)
            if len(live) < 2 or lag <= self.shed_lag_s:
                return None
            self._last_shed = now
            metrics.STREAMING_SHED.inc()
            live[-1].overload(lag)
            return live[-1]

    def _live(self) -> list[LiveSession]:
        return [s for s in self._sessions.values() if s is not None and s.overloaded is None]

    async def run(self, pool: ThreadPoolExecutor, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)

    def shutdown(self) -> None:
        """Stop the pools without waiting for them: queued work is dropped, a decode under way ends
        on its (daemon) thread."""
        self.batcher.close()
        self.inference.shutdown(wait=False, cancel_futures=True)
        self.audio.shutdown(wait=False, cancel_futures=True)
        self.speakers.shutdown(wait=False, cancel_futures=True)


class LiveSession:
    """One streaming session's engine, driven from the event loop.

    With ``speakers`` (speaker labels), the events go out through a queue and a task of their own:
    an ended turn waits there for its label (computed on the service's speaker thread) while the
    decodes go on, later events keep their order behind it, and a revision due after a turn is sent
    to ``on_revision``."""

    def __init__(
        self,
        service: StreamingService,
        *,
        model: str,
        config: StreamConfig,
        converter: AudioConverter,
        on_events: EventSink,
        on_error: Callable[[BaseException], Coroutine[Any, Any, None]] | None = None,
        session_id: str | None = None,
        speakers: SpeakerTracker | None = None,
        on_revision: RevisionSink | None = None,
    ) -> None:
        self.service = service
        self.session_id = session_id
        self.model = model
        self.config = config
        self.converter = converter
        self._on_events = on_events
        self._on_error = on_error
        self._engine: StreamingEngine | None = None
        self._decoder: Any = None
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Task[None] | None = None
        self.error: BaseException | None = None
        self.overloaded: Overloaded | None = None
        self.audio_seconds = 0.0
        self._arrivals: deque[tuple[int, float]] = deque()  # (stream samples after a chunk, when it came)
        self.speakers = speakers
        self._on_revision = on_revision
        self._outbox: asyncio.Queue[list[TurnEvent]] | None = None
        self._sending: asyncio.Task[None] | None = None

    @property
    def lag_seconds(self) -> float:
        """How long ago the oldest audio came in that is due for decoding and not decoded yet: how
        far behind real time this session runs (a few tenths of a second when the server keeps up).
        Audio sent faster than real time does not count as lag until it has waited."""
        engine = self._engine
        start = engine.undecoded_from if isinstance(engine, StreamingEngine) else None
        if start is None:
            return 0.0
        # The chunk holding the first undecoded sample is the first that ends after it.
        came = next((at for end, at in self._arrivals if end > start), None)
        return 0.0 if came is None else time.monotonic() - came

    def overload(self, lag: float) -> None:
        """Close this session for the others' sake: its decodes stop at once (a waiting one leaves
        the queue) and ``on_error`` gets :class:`Overloaded`; a later call raises it."""
        self.overloaded = Overloaded(
            f"Too many concurrent sessions: the server fell {lag:.1f} s behind real time and closed "
            "its newest session"
        )
        log.warning("streaming session %s closed: %s", self.session_id, self.overloaded)
        if self._task is not None:
            self._task.cancel()
        if self._on_error is not None:
            self._closing = asyncio.get_running_loop().create_task(self._on_error(self.overloaded))

    async def start(self) -> None:
        """Load the engine's parts off the loop (the first session loads the models) and start
        the decode loop."""
        from stenograph.streaming.decoder import get_decoder

        self._engine = await self.service.run(self.service.audio, StreamingEngine, self.config)
        self._decoder = await self.service.run(
            self.service.inference, get_decoder, self.model, self.service.model_settings
        )
        if self.speakers is not None:
            from stenograph.pipeline.diarization.embeddings import get_encoder

            await self.service.run(self.service.speakers, get_encoder)  # torch loads once per process
            self._outbox = asyncio.Queue()
            self._sending = asyncio.create_task(self._send_loop(), name="stream-speakers")
        self._task = asyncio.create_task(self._decode_loop(), name="stream-decode")
        if self.session_id is not None:
            self.service.attach(self.session_id, self)

    async def feed(self, data: bytes) -> None:
        self._check()
        engine = self._engine
        assert engine is not None

        arrived = time.monotonic()

        speakers = self.speakers

        def work() -> list[TurnEvent]:
            samples = self.converter.convert(data)
            if speakers is not None:
                speakers.append(samples)
            return engine.feed(samples)

        async with self._lock:
            events = await self.service.run(self.service.audio, work)
            self.audio_seconds = engine.audio_seconds
            self._arrivals.append((engine.samples_in, arrived))
            # Keep the chunks a lag may still be measured from: a turn opens at most a VAD preroll
            # before the chunk that starts it.
            keep_from = engine.undecoded_from
            if keep_from is None:
                keep_from = engine.samples_in - 2 * SAMPLE_RATE
            while len(self._arrivals) > 1 and self._arrivals[0][0] <= keep_from:
                self._arrivals.popleft()
        await self._emit(events)
        self._wake.set()
        if self.service.shed(time.monotonic()) is self:
            self._check()

    async def silence(self) -> tuple[int, int] | None:
        """(start_ms, end_ms) of the silence going on in the stream, None while someone speaks."""
        async with self._lock:
            assert self._engine is not None
            since = self._engine.silent_since_ms
            return None if since is None else (since, round(self._engine.audio_seconds * 1000))

    async def take_max_speech_probability(self) -> float:
        async with self._lock:
            assert self._engine is not None
            return self._engine.take_max_speech_probability()

    async def update(self, **changes: Any) -> None:
        async with self._lock:
            assert self._engine is not None
            self._engine.update(**changes)
        self._wake.set()

    async def force_endpoint(self, *, final: bool = False) -> None:
        self._check()
        async with self._lock:
            assert self._engine is not None
            events = self._engine.force_endpoint(final=final)
        await self._emit(events)
        self._wake.set()

    async def finish(self, timeout: float = 30.0) -> None:
        """End the open turn (its last words final) and wait until everything is sent."""
        await self.force_endpoint(final=True)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            self._check()
            async with self._lock:
                assert self._engine is not None
                if self._engine.idle:
                    break
                self._progress.clear()
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError("the final decode did not finish in time")
            try:
                await asyncio.wait_for(self._progress.wait(), timeout=remaining)
            except TimeoutError:
                continue
        if self._outbox is not None and self._sending is not None:  # every turn labelled and sent
            remaining = deadline - asyncio.get_running_loop().time()
            joined = asyncio.ensure_future(self._outbox.join())
            try:
                await asyncio.wait(
                    {joined, self._sending},
                    timeout=max(remaining, 0.001),
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                sent = joined.done()
                joined.cancel()
            self._check()
            if not sent:
                raise TimeoutError("the last speaker labels did not finish in time")

    async def final_revision(self) -> list[Revision]:
        """The end-of-stream revision (after :meth:`finish`): every labelled turn re-clustered; the
        turns whose label changed."""
        if self.speakers is None:
            return []
        return await self.service.run(self.service.speakers, self.speakers.revise, None)

    async def close(self) -> None:
        if self._sending is not None:
            self._sending.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._sending
            self._sending = None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    # ------------------------------------------------------------------ internals

    def _check(self) -> None:
        if self.overloaded is not None:
            raise self.overloaded
        if self.error is not None:
            raise RuntimeError("streaming engine failed") from self.error

    async def _emit(self, events: list[TurnEvent]) -> None:
        if not events:
            return
        if self._outbox is not None:
            self._outbox.put_nowait(events)
        else:
            await self._on_events(events)

    async def _send_loop(self) -> None:
        """With speaker labels: label each ended turn (speaker thread), send events in order, and a
        mid-stream revision when one is due."""
        speakers, outbox = self.speakers, self._outbox
        assert speakers is not None and outbox is not None
        while True:
            events = await outbox.get()
            try:
                ended = False
                for index, event in enumerate(events):
                    if event.end_of_turn:
                        events[index] = await self.service.run(self.service.speakers, speakers.label, event)
                        ended = True
                await self._on_events(events)
                if ended and speakers.revision_due(self.audio_seconds):
                    revisions = await self.service.run(
                        self.service.speakers, speakers.revise, self.audio_seconds
                    )
                    if revisions and self._on_revision is not None:
                        await self._on_revision(revisions)
            except asyncio.CancelledError:
                raise
            except BaseException as exc:
                await self._failed(exc, "speaker labels")
                return
            finally:
                outbox.task_done()

    async def _failed(self, exc: BaseException, what: str) -> None:
        """Called in the ``except`` block of a failed task: logged, and the session is closed with a
        server error by its owner."""
        log.exception("streaming %s failed", what)
        self.error = exc
        self._progress.set()
        if self._on_error is not None:
            await self._on_error(exc)

    async def _decode_loop(self) -> None:
        engine = self._engine
        assert engine is not None
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while True:
                    async with self._lock:
                        job = engine.pending_decode()
                    if job is None:
                        break
                    submitted = time.monotonic()
                    result = await self.service.batcher.submit(self._decoder, job)
                    metrics.STREAMING_DECODE.observe(time.monotonic() - submitted)
                    async with self._lock:
                        events = engine.complete_decode(job, result)
                    await self._emit(events)
                    self._progress.set()
                self._progress.set()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            await self._failed(exc, "decode")
