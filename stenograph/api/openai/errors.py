"""OpenAI's error shape, ``{"error": {"message", "type", "param", "code"}}``, for every error here."""

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


class OpenAIError(Exception):
    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        error_type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.param = param
        self.code = code
        self.error_type = error_type
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        body = {"message": self.message, "type": self.error_type, "param": self.param, "code": self.code}
        return JSONResponse({"error": body}, status_code=self.status_code, headers=self.headers)


def _from_api_error(exc: ApiError) -> OpenAIError:
    code = {401: "invalid_api_key", 429: "rate_limit_exceeded", 413: "file_too_large"}.get(exc.status_code)
    kind = "requests" if exc.status_code == 429 else "invalid_request_error"
    if exc.status_code >= 500:
        kind = "server_error"
    return OpenAIError(exc.status_code, exc.message, code=code, error_type=kind, headers=exc.headers)


class OpenAIRoute(APIRoute):
    """Turns every error of this router's endpoints (their dependencies included) into OpenAI's shape."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except OpenAIError as exc:
                return exc.response()
            except ApiError as exc:
                return _from_api_error(exc).response()
            except RequestValidationError as exc:
                return OpenAIError(400, describe_validation_error(exc)).response()
            except StarletteHTTPException as exc:
                message = exc.detail if isinstance(exc.detail, str) else "Request failed"
                return OpenAIError(exc.status_code, message, headers=getattr(exc, "headers", None)).response()
            except Exception:
                log.exception("unhandled error in %s", request.url.path)
                return OpenAIError(500, "Internal server error", error_type="server_error").response()

        return handle
