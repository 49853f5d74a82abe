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


RuntimeDep = Annotated[Runtime, Depends(runtime_of)]
