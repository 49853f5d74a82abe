"""The Sync API's errors: RFC 9457 problem details, ``{"status", "title", "detail"}``. The SDKs take
``error_code`` from the title (``"Audio Too Long"`` -> ``audio_too_long``) and the message from
``detail``."""

from __future__ import annotations

from fastapi import Response
from fastapi.responses import JSONResponse

from stenograph.api.errors import ShapedErrorRoute

_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    408: "Request Timeout",
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


class ProblemRoute(ShapedErrorRoute):
    """Every error of this router's endpoints, their dependencies (the API key) included, as
    problem details."""

    own_error = Problem

    def own_response(self, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return exc.response()

    def error_response(
        self, status: int, message: str, headers: dict[str, str] | None = None, api_error: bool = False
    ) -> Response:
        return Problem(status, message, headers=headers).response()
