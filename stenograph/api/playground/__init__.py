"""The web playground: ``GET /`` serves a page of plain HTML, CSS and JavaScript (files of
``static/``, packaged with the server; no build step) that drives the public API from the browser.

No API key is needed for the page or its files: they hold nothing but code. The page asks for a key,
keeps it in the browser's ``sessionStorage`` and sends it with each API call, as any client would.
Only the files present in ``static/`` with a known type are served (no path is ever joined from the
request), under a Content-Security-Policy that allows nothing from other origins.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
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
# (HTTP and WebSocket); audio from object URLs of the browser's own files and recordings.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self' ws: wss:",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'none'",
    ]
)
HEADERS = {
    "Cache-Control": "no-cache",  # revalidated each load: a new server version shows at once
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _suffix(name: str) -> str:
    return name[name.rfind(".") :] if "." in name else ""


# Read once: the packaged files, by name (a few tens of KiB). Nothing else is ever served.
ASSETS: dict[str, tuple[bytes, str]] = {
    entry.name: (entry.read_bytes(), MEDIA_TYPES[_suffix(entry.name)])
    for entry in STATIC.iterdir()
    if entry.is_file() and _suffix(entry.name) in MEDIA_TYPES
}


def _response(name: str) -> Response:
    found = ASSETS.get(name)
    if found is None:
        raise ApiError(404, "Not found")
    body, media_type = found
    return Response(body, media_type=media_type, headers=HEADERS)


@router.get("/")
async def playground_page() -> Response:
    return _response("index.html")


@router.get(PREFIX + "/{name}")
async def playground_asset(name: str) -> Response:
    if name == "index.html":  # the page lives at / only
        raise ApiError(404, "Not found")
    return _response(name)
