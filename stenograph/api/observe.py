"""Every request observed once: a log line (method, path without its query string, status, time,
the transcript id when the path has one) and the HTTP metrics by route template, never by raw path.
A pure ASGI middleware, so it sees WebSocket sessions too and adds no task per request.

The query string is never logged: it may carry a streaming token or a URL signature. Probes
(/health, /ready, /metrics) log at DEBUG, so a scraper does not fill the log."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from stenograph import metrics

log = logging.getLogger("stenograph.requests")
QUIET_ROUTES = frozenset({"/health", "/ready", "/metrics"})
UNMATCHED = "unmatched"  # any path no route serves: one label, whatever was asked
CLIENT_CLOSED = 499  # the client disconnected before the answer began


def route_template(scope: Scope) -> str:
    """The path template of the route that served ``scope`` (``/v2/transcript/{transcript_id}``)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


def transcript_id_of(scope: Scope) -> str | None:
    params: dict[str, Any] = scope.get("path_params") or {}
    found = params.get("transcript_id")
    if found is None and isinstance(params.get("name"), str) and "redacted-audio" in scope.get("path", ""):
        found = params["name"].split(".", 1)[0]  # a redacted-audio file: <transcript id>.<attempt>.<ext>
    return str(found) if found is not None else None


class RequestObserver:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: list[int] = []

        async def observed_send(message: Message) -> None:
            kind = message["type"]
            if not status:
                if kind == "http.response.start":
                    status.append(int(message["status"]))
                elif kind == "websocket.accept":
                    status.append(101)
                elif kind == "websocket.close":  # closed before it was accepted
                    status.append(403)
                elif kind == "websocket.http.response.start":
                    status.append(int(message["status"]))
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        except BaseException as exc:
            if not status:  # a client gone mid-request is no server error: nginx's 499
                status.append(CLIENT_CLOSED if isinstance(exc, ClientDisconnect) else 500)
            raise
        finally:
            self._observe(scope, status[0] if status else 500, time.perf_counter() - started)

    @staticmethod
    def _observe(scope: Scope, status: int, seconds: float) -> None:
        method = scope.get("method", "WS") if scope["type"] == "http" else "WS"
        route = route_template(scope)
        metrics.HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
        if scope["type"] == "http":
            metrics.HTTP_DURATION.labels(method=method, route=route).observe(seconds)
        path = scope.get("path", "")
        transcript_id = transcript_id_of(scope)
        log.log(
            logging.DEBUG if route in QUIET_ROUTES else logging.INFO,
            "%s %s %d %.1f ms%s",
            method,
            path,
            status,
            seconds * 1000,
            f" transcript {transcript_id}" if transcript_id else "",
            extra={
                "method": method,
                "path": path,
                "route": route,
                "status_code": status,
                "duration_ms": round(seconds * 1000, 1),
                "transcript_id": transcript_id,
            },
        )
