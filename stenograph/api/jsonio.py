"""JSON from clients, bounded: request bodies (``read_json_body``) and WebSocket text frames (``loads``).

A body is read up to :data:`MAX_BODY_BYTES` (413 beyond, before reading at all when Content-Length
says so) and parsed and validated on a worker thread, so no request can hold the event loop. What
``json.loads`` alone lets through is refused with a message naming where it is: nesting deeper
than :data:`MAX_DEPTH`, ``NaN`` / ``Infinity`` and numbers too large for a float or a 64-bit
integer, NUL characters (PostgreSQL cannot store them in text) and lone surrogates (not Unicode:
they cannot be encoded as UTF-8, so a response echoing one would fail).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from stenograph.api.errors import ApiError

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 32
_MAX_INT = 2**63


class JsonError(ValueError):
    """JSON this server refuses; the message is for the client and names where the problem is."""


class _NotANumber:
    """Stands for a number JSON parsing produced but the API refuses, until its place is known."""

    def __init__(self, text: str) -> None:
        self.text = text


def _finite_float(text: str) -> float | _NotANumber:
    value = float(text)
    return value if math.isfinite(value) else _NotANumber(text)


def _bounded_int(text: str) -> int | _NotANumber:
    if len(text) > 20:  # longer than any 64-bit integer: refused before converting it
        return _NotANumber(text)
    value = int(text)
    return value if -_MAX_INT <= value < _MAX_INT else _NotANumber(text)


def _where(path: list[str]) -> str:
    return ".".join(path) or "request body"


def _check_string(value: str, path: list[str]) -> None:
    if "\x00" in value:
        raise JsonError(f"{_where(path)}: contains a NUL character (\\u0000)")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise JsonError(f"{_where(path)}: invalid Unicode (a lone surrogate such as \\ud800)") from None


def _check(value: Any, max_depth: int) -> None:
    """Walk the parsed value (iteratively: its depth is what is being checked)."""
    stack: list[tuple[Any, list[str], int]] = [(value, [], 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            _check_string(item, path)
        elif isinstance(item, _NotANumber):
            raise JsonError(f"{_where(path)}: {item.text[:40]} is not a number this API accepts")
        elif isinstance(item, dict | list):
            if depth > max_depth:
                raise JsonError(f"JSON nested deeper than {max_depth} levels")
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_string(key, path)
                    stack.append((child, [*path, key], depth + 1))
            else:
                stack.extend((child, [*path, str(i)], depth + 1) for i, child in enumerate(item))


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse and check client JSON; JsonError (a user-facing message) when it is refused."""
    try:
        value = json.loads(raw, parse_constant=_NotANumber, parse_float=_finite_float, parse_int=_bounded_int)
    except RecursionError:
        raise JsonError(f"JSON nested deeper than {max_depth} levels") from None
    except UnicodeDecodeError:
        raise JsonError("Invalid JSON: the text is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise JsonError(f"Invalid JSON: {exc}") from None
    _check(value, max_depth)
    return value


async def read_body(request: Request, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """The whole body, or 413 once it passes ``max_bytes`` (at once when Content-Length says so)."""
    too_large = ApiError(413, f"Request body too large: JSON bodies are limited to {max_bytes} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise too_large
    return bytes(body)


async def read_json_body(request: Request, build: Callable[[Any], T]) -> T:
    """Read a bounded JSON body, then parse it and ``build`` the result from it (validation) on a
    worker thread. An empty body is ``None``; refused JSON is a 400."""

    def parse(raw: bytes) -> T:
        try:
            value = loads(raw) if raw.strip() else None
        except JsonError as exc:
            raise ApiError(400, str(exc)) from exc
        return build(value)

    return await anyio.to_thread.run_sync(parse, await read_body(request))


def validated(model: type[M], body: Any) -> M:
    """``body`` as ``model``, else the 400 of a request that does not fit it."""
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
