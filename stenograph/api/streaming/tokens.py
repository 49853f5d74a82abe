"""Temporary streaming tokens: ``GET /v3/token`` (v3) and ``POST /v2/realtime/token`` (legacy v2)."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.jsonio import read_json_body, validated
from stenograph.store import streaming_tokens

router = APIRouter()


class StreamingTokenResponse(BaseModel):
    token: str
    expires_in_seconds: int


@router.get("/v3/token", response_model=StreamingTokenResponse)
def create_streaming_token(
    runtime: RuntimeDep,
    project_id: ProjectId,
    expires_in_seconds: int = Query(..., ge=1, le=600),
    max_session_duration_seconds: int | None = Query(None, ge=60, le=10800),
) -> StreamingTokenResponse:
    with runtime.db.session() as session:
        token = streaming_tokens.create_token(
            session,
            project_id,
            kind="v3",
            expires_in_seconds=expires_in_seconds,
            max_session_seconds=max_session_duration_seconds,
        )
    return StreamingTokenResponse(token=token, expires_in_seconds=expires_in_seconds)


class RealtimeTokenRequest(BaseModel):
    model_config = ConfigDict(strict=True)
    expires_in: int = Field(..., ge=60, le=360_000)


class RealtimeTokenResponse(BaseModel):
    token: str


@router.post(
    "/v2/realtime/token",
    response_model=RealtimeTokenResponse,
    # The body is read by read_json_body (bounded, parsed off the event loop); this documents it.
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": RealtimeTokenRequest.model_json_schema()}},
            "required": True,
        }
    },
)
async def create_realtime_token(
    request: Request, runtime: RuntimeDep, project_id: ProjectId
) -> RealtimeTokenResponse:
    body = await read_json_body(request, partial(validated, RealtimeTokenRequest))

    def create() -> str:
        with runtime.db.session() as session:
            return streaming_tokens.create_token(
                session, project_id, kind="v2", expires_in_seconds=body.expires_in
            )

    return RealtimeTokenResponse(token=await run_in_threadpool(create))
