"""Running a generation from a request handler: the engine's future awaited on the event loop, its
tokens delivered to an asyncio queue, and the engine's errors as (status, message, headers) for the
router's own envelope. Shared by the LLM Gateway and LeMUR."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import Future

from starlette.concurrency import run_in_threadpool

from stenograph.llm import EngineBusy, Generation, GenerationRequest, LLMEngine, LLMError
from stenograph.llm.files import ModelFilesMissing
from stenograph.runtime import Runtime


class CallProblem(Exception):
    def __init__(self, status_code: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.headers = headers


def problem(exc: BaseException) -> CallProblem:
    if isinstance(exc, EngineBusy):
        return CallProblem(429, str(exc), {"Retry-After": str(exc.retry_after_s)})
    if isinstance(exc, ModelFilesMissing):
        return CallProblem(503, str(exc))
    if isinstance(exc, LLMError):
        return CallProblem(exc.status_code, str(exc))
    raise exc


async def engine_of(runtime: Runtime) -> LLMEngine:
    """The process's engine; built on the thread pool (the first time ever, the packaged model's
    parts are joined and checked: seconds of disk work that must not stall the event loop)."""
    try:
        return await run_in_threadpool(lambda: runtime.llm)
    except ModelFilesMissing as exc:
        raise problem(exc) from exc


async def generate(engine: LLMEngine, request: GenerationRequest) -> Generation:
    """One generation, waiting its turn in the engine's queue; CallProblem when it cannot run."""
    try:
        return await asyncio.wrap_future(engine.submit(request))
    except (LLMError, ModelFilesMissing) as exc:
        raise problem(exc) from exc


class Cancelled(Exception):
    """Raised into the generation when its client has gone (stops it at the next token)."""


class TokenStream:
    """A generation whose text arrives piece by piece. ``start`` waits until the first piece (or
    the end) so that errors before any text are still plain error responses."""

    def __init__(self, engine: LLMEngine, request: GenerationRequest) -> None:
        self._engine = engine
        self._request = request
        self._queue: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self._future: Future[Generation] | None = None
        self._first: tuple[str, object] | None = None
        self._cancelled = False

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def on_token(piece: str) -> None:
            if self._cancelled:
                raise Cancelled
            loop.call_soon_threadsafe(self._queue.put_nowait, ("token", piece))

        try:
            self._future = self._engine.submit(self._request, on_token)
        except LLMError as exc:
            raise problem(exc) from exc
        self._future.add_done_callback(
            lambda f: loop.call_soon_threadsafe(self._queue.put_nowait, ("done", f))
        )
        self._first = await self._queue.get()
        if self._first[0] == "done":
            error = self._future.exception()
            if error is not None:
                raise problem(error)

    async def pieces(self) -> AsyncIterator[str | Generation]:
        """Text pieces, then the Generation (CallProblem raised when it failed after the start)."""
        item = self._first
        try:
            while item is not None:
                kind, value = item
                if kind == "token":
                    yield str(value)
                else:
                    assert isinstance(value, Future)
                    error = value.exception()
                    if error is not None:
                        raise problem(error)
                    yield value.result()
                    return
                item = await self._queue.get()
        finally:
            self._cancelled = True
            if self._future is not None:
                self._future.cancel()
