"""One engine per process: a backend behind a bounded queue. CPU inference runs one generation at
a time, so requests wait their turn on one thread; when ``max_waiting`` already wait, the next is
refused at once (:class:`EngineBusy`, a 429 with Retry-After) rather than left hanging. Every
generation has a time limit and a token cap."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

from stenograph.llm.types import (
    Backend,
    EngineBusy,
    Generation,
    GenerationRequest,
    InvalidGenerationRequest,
    TokenSink,
)


class LLMEngine:
    def __init__(
        self,
        backend: Backend,
        *,
        max_waiting: int = 4,
        time_limit_s: float = 300.0,
        max_tokens_cap: int = 4096,
    ) -> None:
        self.backend = backend
        self.max_waiting = max_waiting
        self.time_limit_s = time_limit_s
        self.max_tokens_cap = max_tokens_cap
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llm")
        self._lock = threading.Lock()
        self._in_flight = 0  # running + waiting
        self._recent_seconds = 10.0  # how long a generation took lately: the Retry-After hint

    @property
    def model_name(self) -> str:
        return self.backend.model_name

    @property
    def context_tokens(self) -> int:
        return self.backend.context_tokens

    def submit(self, request: GenerationRequest, on_token: TokenSink | None = None) -> Future[Generation]:
        """Queue a generation; EngineBusy when the queue is full. ``on_token`` runs on the engine's
        thread."""
        if request.max_tokens < 1:
            raise InvalidGenerationRequest("max_tokens must be at least 1")
        request = replace(request, max_tokens=min(request.max_tokens, self.max_tokens_cap))
        with self._lock:
            if self._in_flight >= self.max_waiting + 1:
                raise EngineBusy(self.retry_after_s())
            self._in_flight += 1
        try:
            future = self._pool.submit(self._run, request, on_token)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(lambda _f: self._release())  # cancelled while waiting too
        return future

    def generate(self, request: GenerationRequest, on_token: TokenSink | None = None) -> Generation:
        """Blocking: queue a generation and wait for it."""
        return self.submit(request, on_token).result()

    def retry_after_s(self) -> int:
        return max(1, round(self._recent_seconds))

    def _run(self, request: GenerationRequest, on_token: TokenSink | None) -> Generation:
        started = time.monotonic()
        try:
            return self.backend.generate(request, deadline=started + self.time_limit_s, on_token=on_token)
        finally:
            with self._lock:
                self._recent_seconds = 0.7 * self._recent_seconds + 0.3 * (time.monotonic() - started)

    def _release(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.backend.close()
