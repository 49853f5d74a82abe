"""The decode batcher: the inference threads every live session of a process shares, each decode's
result handed back to the waiting session's event loop (see :class:`DecodeBatcher`).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from collections import deque
from typing import Any

from stenograph.streaming.engine import DecodeJob, JobResult, batchable, run_jobs

# A job waiting for a thread: its decoder, the job, its future and the loop the future belongs to.
_Waiting = tuple[Any, DecodeJob, "asyncio.Future[JobResult]", asyncio.AbstractEventLoop]


class DecodeBatcher:
    """A bounded set of inference threads shared by every session. A thread takes the oldest job
    and, when several sessions wait, others that can share its batch (same model, same language),
    so a busy server runs fewer, fuller decodes instead of queueing one per session."""

    def __init__(self, threads: int = 2, max_batch: int = 4) -> None:
        self.threads = max(1, threads)
        self.max_batch = max(1, max_batch)
        self._pending: deque[_Waiting] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self.batches = 0
        self.jobs = 0
        self._workers = [
            threading.Thread(target=self._work, name=f"stream-asr-{i}", daemon=True)
            for i in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()

    def submit(self, decoder: Any, job: DecodeJob) -> asyncio.Future[JobResult]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[JobResult] = loop.create_future()
        with self._cond:
            self._pending.append((decoder, job, future, loop))
            self._cond.notify()
        return future

    def _take(self) -> list[_Waiting] | None:
        with self._cond:
            while True:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return None
                # A session that is gone (closed, or shed for load) cancelled its waiting job.
                self._pending = deque(item for item in self._pending if not item[2].cancelled())
                if self._pending:
                    break
            first = self._pending.popleft()
            # Share the waiting jobs out between the threads rather than one thread taking them all.
            size = min(self.max_batch, max(1, math.ceil((len(self._pending) + 1) / self.threads)))
            batch = [first]
            if size > 1:
                # One pass: the jobs batched leave the queue, the others keep their order.
                rest: deque[_Waiting] = deque()
                for item in self._pending:
                    if len(batch) < size and item[0] is first[0] and batchable(first[1], item[1]):
                        batch.append(item)
                    else:
                        rest.append(item)
                self._pending = rest
            return batch

    def _work(self) -> None:
        while (batch := self._take()) is not None:
            decoder = batch[0][0]
            self.batches += 1
            self.jobs += len(batch)
            try:
                results: list[Any] = run_jobs(decoder, [job for _, job, _, _ in batch])
            except BaseException as exc:  # delivered to every waiting session
                results = [exc] * len(batch)
            for (_, _, future, loop), result in zip(batch, results, strict=True):
                with contextlib.suppress(RuntimeError):  # the loop may be gone at shutdown
                    loop.call_soon_threadsafe(_settle, future, result)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if future.done():
        return
    if isinstance(result, BaseException):
        future.set_exception(result)
    else:
        future.set_result(result)
