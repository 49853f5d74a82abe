"""The web playground: ``GET /`` serves a page of plain HTML, CSS and JavaScript (files of
``static/``, packaged with the server; no build step) that drives the public API from the browser.

No API key is needed for the page or its files: they hold nothing but code. The page asks for a key,
keeps it in the browser's ``sessionStorage`` and sends it with each API call, as any client would.
Only the files present in ``static/`` with a known type are served (no path is ever joined from the
request), under a Content-Security-Policy that allows nothing from other origins.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stenograph.api.errors import ApiError

router = APIRouter(include_in_schema=False)

STATIC = resources.files(__package__) / "static"
PREFIX = "/playground"
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

# Scripts, styles, workers and audio worklets from our own origin only; the API on the same origin
# (HTTP, and the WebSocket on the host the page came from); audio from object URLs of the browser's
# own files and recordings.
POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob:",
    "connect-src 'self'{sockets}",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
)
_HOST = re.compile(r"^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$")


def content_security_policy(host: str | None) -> str:
    """The page's policy, its WebSocket allowed on ``host`` (browsers before CSP level 3 do not
    count ws: and wss: as 'self'). A Host header that is not a plain host[:port] adds nothing."""
    sockets = f" ws://{host} wss://{host}" if host and _HOST.match(host) else ""
    return "; ".join(POLICY).replace("{sockets}", sockets)


def _suffix(name: str) -> str:
    return name[name.rfind(".") :] if "." in name else ""


def _etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:32]}"'


# Read once: the packaged files, by name (a few tens of KiB): (bytes, media type, ETag). Nothing
# else is ever served.
ASSETS: dict[str, tuple[bytes, str, str]] = {
    entry.name: (body, MEDIA_TYPES[_suffix(entry.name)], _etag(body))
    for entry in STATIC.iterdir()
    if entry.is_file() and _suffix(entry.name) in MEDIA_TYPES
    for body in [entry.read_bytes()]
}


def _response(request: Request, name: str) -> Response:
    found = ASSETS.get(name)
    if found is None:
        raise ApiError(404, "Not found")
    body, media_type, etag = found
    headers = {
        "Cache-Control": "no-cache",  # revalidated on each load: a new server version shows at once
        "ETag": etag,
        "Content-Security-Policy": content_security_policy(request.headers.get("host")),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@router.api_route("/", methods=["GET", "HEAD"])
async def playground_page(request: Request) -> Response:
    return _response(request, "index.html")


@router.api_route(PREFIX + "/{name}", methods=["GET", "HEAD"])
async def playground_asset(request: Request, name: str) -> Response:
    if name == "index.html":  # the page lives at / only
        raise ApiError(404, "Not found")
    return _response(request, name)
