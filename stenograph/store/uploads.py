"""Upload rows: which project owns which stored file."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from stenograph.store.models import Upload


def add(session: Session, upload_id: str, project_id: str, size_bytes: int) -> Upload:
    row = Upload(id=upload_id, project_id=project_id, size_bytes=size_bytes)
    session.add(row)
    session.flush()
    return row


def owned_by(session: Session, upload_id: str, project_id: str) -> bool:
    return owner(session, upload_id) == project_id


def owner(session: Session, upload_id: str) -> str | None:
    """The project an upload belongs to, or None when there is no such upload."""
    return session.scalar(select(Upload.project_id).where(Upload.id == upload_id))


def remove(session: Session, upload_id: str) -> None:
    session.execute(delete(Upload).where(Upload.id == upload_id))
