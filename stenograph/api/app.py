"""The FastAPI application: routers, error shape, rate-limit headers, and the process runtime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from stenograph import __version__
from stenograph.api import exports, lemur, llm_gateway, ops, playground, redacted_audio, transcripts, upload
from stenograph.api import openai as openai_api
from stenograph.api import streaming as streaming_api
from stenograph.api import sync as sync_api
from stenograph.api.errors import install_error_handlers
from stenograph.api.observe import RequestObserver
from stenograph.api.ratelimit import RateLimiter, RateLimitHeaders
from stenograph.api.rendered import RenderedBodies, RenderedJSON
from stenograph.config import Settings, get_settings
from stenograph.runtime import Runtime

log = logging.getLogger("stenograph")
# Finished transcripts' JSON kept rendered per process (about 200 ten-minute transcripts).
RENDERED_TRANSCRIPTS_BYTES = 32 * 1024 * 1024


def announce_new_key(key: str) -> None:
    print(
        "\n  Stenograph created an API key (shown only this once):\n\n"
        f"      {key}\n\n  Manage keys with `stenograph keys`.\n",
        flush=True,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime(settings)
        new_key = runtime.seed_keys()
        if new_key:
            announce_new_key(new_key)
        if settings.embedded_worker:
            runtime.start_worker()
        runtime.start_metrics_server()  # with STENOGRAPH_METRICS_PORT only
        app.state.runtime = runtime
        try:
            yield
        finally:
            runtime.shutdown()

    app = FastAPI(
        title="Stenograph",
        version=__version__,
        lifespan=lifespan,
        docs_url="/docs",
        default_response_class=RenderedJSON,
    )
    app.state.rate_limiter = (
        RateLimiter(settings.rate_limit_per_minute) if settings.rate_limit_per_minute else None
    )
    app.state.rendered_transcripts = RenderedBodies(RENDERED_TRANSCRIPTS_BYTES)
    install_error_handlers(app)

    app.add_middleware(RateLimitHeaders)
    app.add_middleware(RequestObserver)  # outermost of ours: it sees every answer, errors too

    app.include_router(ops.router)  # /health, /ready
    if settings.metrics_port is None:  # else /metrics has a port of its own
        app.include_router(ops.metrics_router)
    app.include_router(upload.router)
    app.include_router(transcripts.router)
    app.include_router(redacted_audio.router)  # before exports: its /{subtitle_format} matches too
    app.include_router(exports.router)
    app.include_router(openai_api.router)
    app.include_router(streaming_api.router)
    app.include_router(sync_api.router)
    app.include_router(llm_gateway.router)
    app.include_router(lemur.router)
    app.include_router(playground.router)  # GET / and /playground/*: no key (the page asks for one)
    return app
