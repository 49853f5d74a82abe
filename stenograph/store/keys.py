"""API keys: stored as SHA-256 hashes, each belonging to a project."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import Session

from stenograph.store.models import ApiKey, Project, utcnow


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> str:
    return secrets.token_hex(16)  # 32 hex characters, the shape of an AssemblyAI key


@dataclass(frozen=True)
class KeyInfo:
    id: int
    project_id: str
    project_name: str
    prefix: str
    name: str
    revoked: bool


def create_project(session: Session, name: str) -> Project:
    project = Project(id=uuid.uuid4().hex, name=name)
    session.add(project)
    session.flush()
    return project


def add_key(session: Session, key: str, *, project_id: str | None = None, name: str = "") -> ApiKey:
    """Store ``key`` (hashed) for a project; a new project is made when none is given."""
    if project_id is None:
        project_id = create_project(session, name or "default").id
    elif session.get(Project, project_id) is None:
        raise LookupError(f"no project {project_id}")
    api_key = ApiKey(project_id=project_id, key_hash=hash_key(key), key_prefix=key[:6], name=name)
    session.add(api_key)
    session.flush()
    return api_key


def ensure_key(session: Session, key: str, name: str = "seeded") -> ApiKey:
    """Idempotently store a key given by configuration (``STENOGRAPH_API_KEY``)."""
    existing = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    if existing is not None:
        if existing.revoked_at is not None:
            existing.revoked_at = None
        return existing
    return add_key(session, key, name=name)


# Built once: on the polling path, building the statement cost more than running it.
_PROJECT_FOR_KEY = select(ApiKey.project_id).where(
    ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None)
)


def project_for_key(session: Session | Connection, key: str) -> str | None:
    """The project id a valid, unrevoked key belongs to, else None."""
    return session.scalar(_PROJECT_FOR_KEY, {"key_hash": hash_key(key)})


def has_any_key(session: Session) -> bool:
    return session.scalar(select(ApiKey.id).where(ApiKey.revoked_at.is_(None)).limit(1)) is not None


def list_keys(session: Session) -> list[KeyInfo]:
    rows = session.execute(
        select(ApiKey, Project.name).join(Project, Project.id == ApiKey.project_id).order_by(ApiKey.id)
    )
    return [
        KeyInfo(key.id, key.project_id, project_name, key.key_prefix, key.name, key.revoked_at is not None)
        for key, project_name in rows
    ]


def revoke_key(session: Session, key_id: int) -> bool:
    row = session.get(ApiKey, key_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True
