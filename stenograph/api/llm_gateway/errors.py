"""The LLM Gateway's error envelope. The spec's ``ErrorResponse`` is ``{"error": {"code", "message",
"metadata"}}``; the official SDKs read ``{"message", "code", "request_id", "metadata": {"errors"}}``
(route handlers) or ``{"error": "..."}`` (auth). One body carries both the spec's object and the
SDK's top-level fields, so every client finds its message."""

from __future__ import annotations

import uuid

from fastapi import Response
from fastapi.responses import JSONResponse

from stenograph.api.errors import ShapedErrorRoute


class GatewayError(Exception):
    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        errors: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.errors = errors or [message]
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        metadata = {"errors": self.errors}
        body = {
            "message": self.message,
            "code": self.status_code,
            "request_id": str(uuid.uuid4()),
            "metadata": metadata,
            "error": {"code": self.status_code, "message": self.message, "metadata": metadata},
        }
        return JSONResponse(body, status_code=self.status_code, headers=self.headers)


class GatewayRoute(ShapedErrorRoute):
    """Every error of the gateway's endpoints, their dependencies' (auth) included, in its envelope."""

    own_error = GatewayError

    def own_response(self, exc: Exception) -> Response:
        assert isinstance(exc, GatewayError)
        return exc.response()

    def error_response(
        self, status: int, message: str, headers: dict[str, str] | None = None, api_error: bool = False
    ) -> Response:
        return GatewayError(status, message, headers=headers).response()
