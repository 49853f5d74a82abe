"""The Sync API's errors: RFC 9457 problem details, ``{"status", "title", "detail"}``. The SDKs take
``error_code`` from the title (``"Audio Too Long"`` -> ``audio_too_long``) and the message from
``detail``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from stenograph.api.errors import ApiError, describe_validation_error

log = logging.getLogger(__name__)

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    413: "Audio Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Problem(Exception):
    def __init__(
        self, status: int, detail: str, *, title: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body = {"status": self.status, "title": self.title, "detail": self.detail}
        return JSONResponse(
            body, status_code=self.status, headers=self.headers, media_type="application/problem+json"
        )


class ProblemRoute(APIRoute):
    """Every error of this router's endpoints, their dependencies (the API key) included, as
    problem details."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Problem as exc:
                return exc.response()
            except ApiError as exc:
                return Problem(exc.status_code, exc.message, headers=exc.headers).response()
            except RequestValidationError as exc:
                return Problem(400, describe_validation_error(exc)).response()
            except StarletteHTTPException as exc:
                detail = exc.detail if isinstance(exc.detail, str) else "Request failed"
                return Problem(exc.status_code, detail, headers=getattr(exc, "headers", None)).response()
            except Exception:
                log.exception("unhandled error in %s", request.url.path)
                return Problem(500, "Internal server error").response()

        return handle
