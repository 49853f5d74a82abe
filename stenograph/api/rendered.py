"""Finished transcripts' JSON bodies, rendered once and served many times.

A client polls a transcript until it completes and then often keeps fetching it; a completed
transcript of a long recording is hundreds of KB of JSON, and building it from the stored row on
every request is most of what a poll costs. A finished row changes only by being deleted or by a
webhook answer being recorded, so a body is kept under the row's version (``updated_at`` and
``webhook_status_code``): any change makes a new version, and each process of a fleet checks the
version in the database on every request, so no process serves a stale body.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections import OrderedDict
from typing import Any

from starlette.responses import JSONResponse

Version = tuple[str, dt.datetime, int | None]  # (transcript id, updated_at, webhook_status_code)


def render_json(body: Any) -> bytes:
    """Bytes as Starlette's JSONResponse renders them; for a body no request can produce but a stored
    row may hold (a lone surrogate, NaN), valid JSON all the same rather than an error."""
    try:
        return _dumps(body).encode()
    except ValueError:  # UnicodeEncodeError is one
        text = _dumps(_finite(body))
        # Through UTF-16: a lone surrogate becomes U+FFFD, a pair of them the character they make.
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()


def _dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as null (JSON has no such numbers)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


class RenderedJSON(JSONResponse):
    """The API's JSON responses, rendered by :func:`render_json`."""

    def render(self, content: Any) -> bytes:
        return render_json(content)


class RenderedBodies:
    """A least-recently-used cache of rendered bodies, bounded by their total size in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._bodies: OrderedDict[Version, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()  # routes run on the thread pool

    def get(self, version: Version) -> bytes | None:
        with self._lock:
            body = self._bodies.get(version)
            if body is not None:
                self._bodies.move_to_end(version)
            return body

    def put(self, version: Version, body: bytes) -> None:
        if len(body) > self._max_bytes:
            return
        with self._lock:
            previous = self._bodies.pop(version, None)
            if previous is not None:
                self._size -= len(previous)
            self._bodies[version] = body
            self._size += len(body)
            while self._size > self._max_bytes:
                _, dropped = self._bodies.popitem(last=False)
                self._size -= len(dropped)

    @property
    def size_bytes(self) -> int:
        return self._size
