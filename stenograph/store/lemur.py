"""LeMUR requests: stored answers, read and purged by their owner's project only."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from stenograph.store.db import rows_matched
from stenograph.store.models import LemurRequest, utcnow


def _possible_id(request_id: str) -> bool:
    try:
        return str(uuid.UUID(request_id)) == request_id
    except ValueError:
        return False


def create(
    session: Session, project_id: str, endpoint: str, request: dict[str, Any], response: dict[str, Any]
) -> LemurRequest:
    row = LemurRequest(
        id=str(uuid.uuid4()),
        project_id=project_id,
        endpoint=endpoint,
        request=request,
        response=response,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def get(session: Session, request_id: str, project_id: str) -> LemurRequest | None:
    if not _possible_id(request_id):
        return None
    return session.scalar(
        select(LemurRequest).where(LemurRequest.id == request_id, LemurRequest.project_id == project_id)
    )


def purge(session: Session, request_id: str, project_id: str) -> bool:
    """Delete the request and its answer; False when the project has no such request."""
    if not _possible_id(request_id):
        return False
    result = session.execute(
        delete(LemurRequest).where(LemurRequest.id == request_id, LemurRequest.project_id == project_id)
    )
    return rows_matched(result) == 1
