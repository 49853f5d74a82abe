"""The typed runtime dependency: the process's Runtime, set on the app by its lifespan."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from stenograph.runtime import Runtime


def runtime_of(connection: HTTPConnection) -> Runtime:
    """The Runtime of the app serving ``connection`` (a request or a WebSocket)."""
    runtime = connection.app.state.runtime
    if not isinstance(runtime, Runtime):
        raise RuntimeError("the application's runtime is not started")
    return runtime


async def _runtime(connection: HTTPConnection) -> Runtime:
    # async: FastAPI runs a plain function dependency on the thread pool, a hop for a lookup.
    return runtime_of(connection)


RuntimeDep = Annotated[Runtime, Depends(_runtime)]
