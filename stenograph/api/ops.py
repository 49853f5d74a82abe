"""The operator's endpoints: ``/health`` (the process answers), ``/ready`` (the database, the queue
and the default models' files are there) and ``/metrics`` (Prometheus). None reveals a secret;
/health and /ready never need a key. /metrics is served here unless STENOGRAPH_METRICS_PORT moves
it to a port of its own, and needs a key when STENOGRAPH_METRICS_REQUIRE_KEY is set."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import current_project
from stenograph.api.deps import RuntimeDep

router = APIRouter(include_in_schema=False)
READY_TIMEOUT_SECONDS = 5.0


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready")
async def ready(runtime: RuntimeDep) -> Any:
    """200 when every part is "ok"; 503 with each part's state (the reason) otherwise."""
    try:
        checks = await asyncio.wait_for(run_in_threadpool(runtime.readiness), READY_TIMEOUT_SECONDS)
    except TimeoutError:
        checks = {"error": f"the checks took over {READY_TIMEOUT_SECONDS:g} s"}
    failing = {part: state for part, state in checks.items() if state != "ok"}
    if failing:
        reason = "; ".join(f"{part}: {state}" for part, state in failing.items())
        return JSONResponse({"status": "not ready", "error": reason, "checks": checks}, status_code=503)
    return {"status": "ready", "checks": checks}


metrics_router = APIRouter(include_in_schema=False)


@metrics_router.get("/metrics")
async def metrics(request: Request, runtime: RuntimeDep) -> Response:
    if runtime.settings.metrics_require_key:
        await current_project(request)  # 401 without a valid key
    body = await run_in_threadpool(generate_latest, runtime.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
