"""Every error leaves the server as ``{"error": "..."}`` with the documented status code; the
routers that speak another API's error shape (OpenAI's, the Sync API's) use
:class:`ShapedErrorRoute`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from stenograph.api.rendered import RenderedJSON

log = logging.getLogger(__name__)

CLIENT_CLOSED_REQUEST = 499  # nginx's status for a request its client abandoned (never sent)

AUTH_ERROR = "Authentication error, API token missing/invalid"


class ApiError(Exception):
    def __init__(self, status_code: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.headers = headers or {}


def error_response(status_code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return RenderedJSON({"error": message}, status_code=status_code, headers=headers)


def describe_validation_error(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        field = ".".join(location) or "request body"
        parts.append(f"Invalid value for '{field}': {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "Invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status_code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(400, describe_validation_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = "Not found"
        return error_response(exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(500, "Internal server error")


class ShapedErrorRoute(APIRoute):
    """A router whose every error, its dependencies' included, leaves in the router's own shape
    (OpenAI's, the Sync API's problem details). Subclasses name their own exception and say how a
    (status, message, headers) error is rendered; this class maps the framework's errors onto it."""

    own_error: type[Exception] = Exception

    def own_response(self, exc: Exception) -> Response:
        raise NotImplementedError

    def error_response(
        self, status: int, message: str, headers: dict[str, str] | None = None, api_error: bool = False
    ) -> Response:
        raise NotImplementedError

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return self.error_response(exc.status_code, exc.message, exc.headers, api_error=True)
            except RequestValidationError as exc:
                return self.error_response(400, describe_validation_error(exc))
            except StarletteHTTPException as exc:
                message = exc.detail if isinstance(exc.detail, str) else "Request failed"
                return self.error_response(exc.status_code, message, getattr(exc, "headers", None))
            except ClientDisconnect:  # the client gave up on its upload (an SDK's abort()): no error
                path = request.url.path
                log.info("%s %s: the client disconnected before its request was read", request.method, path)
                return Response(status_code=CLIENT_CLOSED_REQUEST)
            except Exception as exc:
                if isinstance(exc, self.own_error) and self.own_error is not Exception:
                    return self.own_response(exc)
                log.exception("unhandled error in %s", request.url.path)
                return self.error_response(500, "Internal server error")

        return handle
