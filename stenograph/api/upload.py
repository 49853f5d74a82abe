"""POST /v2/upload: the raw request body (chunked or not, any Content-Type) becomes a stored file."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from stenograph.api.auth import ProjectId
from stenograph.api.deps import RuntimeDep
from stenograph.api.errors import ApiError
from stenograph.api.urls import base_url
from stenograph.store import uploads
from stenograph.store.files import UploadTooLargeError

router = APIRouter()


@router.post("/v2/upload")
async def upload_file(request: Request, runtime: RuntimeDep, project_id: ProjectId) -> dict[str, str]:
    max_bytes = runtime.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:  # refused before a byte of the body is read
        raise ApiError(413, f"Upload exceeds the maximum size of {max_bytes} bytes")
    try:
        upload_id, size = await runtime.storage.save_stream(request.stream(), max_bytes)
    except UploadTooLargeError as exc:
        raise ApiError(413, str(exc)) from exc
    if size == 0:
        runtime.storage.delete(upload_id)
        raise ApiError(400, "Upload body is empty: send the audio file's bytes as the request body")

    def record() -> None:
        with runtime.db.session() as session:
            uploads.add(session, upload_id, project_id, size)

    try:
        await run_in_threadpool(record)
    except BaseException:
        runtime.storage.delete(upload_id)
        raise
    return {"upload_url": f"{base_url(request, runtime)}/v2/upload/{upload_id}"}
