"""API key authentication (``Authorization: <key>`` or ``Bearer <key>``) and per-key rate limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from stenograph.api.deps import runtime_of
from stenograph.api.errors import AUTH_ERROR, ApiError
from stenograph.api.ratelimit import STATE_KEY, RateLimiter
from stenograph.api.reads import point_read
from stenograph.store import keys
from stenograph.store.db import Database


def key_from_header(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None


def _project_for_key(db: Database, key: str) -> str | None:
    with db.reader() as connection:
        return keys.project_for_key(connection, key)


async def current_project(request: Request) -> str:
    """FastAPI dependency: the project id of the request's API key, else 401 (or 429 when limited)."""
    runtime = runtime_of(request)
    key = key_from_header(request.headers.get("authorization"))
    if key is None:
        raise ApiError(401, AUTH_ERROR)
    project_id = await point_read(runtime.db, _project_for_key, runtime.db, key)
    if project_id is None:
        raise ApiError(401, AUTH_ERROR)
    limiter: RateLimiter | None = request.app.state.rate_limiter
    if limiter is not None:
        decision = limiter.hit(keys.hash_key(key))
        setattr(request.state, STATE_KEY, decision.headers())
        if not decision.allowed:
            raise ApiError(429, "Too many requests, rate limit exceeded", decision.headers())
    return project_id


ProjectId = Annotated[str, Depends(current_project)]
