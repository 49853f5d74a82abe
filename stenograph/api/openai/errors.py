"""OpenAI's error shape, ``{"error": {"message", "type", "param", "code"}}``, for every error here."""

from __future__ import annotations

from fastapi import Response
from fastapi.responses import JSONResponse

from stenograph.api.errors import ApiError, ShapedErrorRoute


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


class OpenAIRoute(ShapedErrorRoute):
    """Turns every error of this router's endpoints (their dependencies included) into OpenAI's shape."""

    own_error = OpenAIError

    def own_response(self, exc: Exception) -> Response:
        assert isinstance(exc, OpenAIError)
        return exc.response()

    def error_response(
        self, status: int, message: str, headers: dict[str, str] | None = None, api_error: bool = False
    ) -> Response:
        if api_error:
            return _from_api_error(ApiError(status, message, headers)).response()
        if status >= 500:
            return OpenAIError(status, message, error_type="server_error").response()
        return OpenAIError(status, message, headers=headers).response()
