"""Temporary streaming tokens: stored as SHA-256 hashes with an expiry; each opens one session.

Claiming is one conditional ``UPDATE`` (unused and unexpired), so two API nodes sharing the database
cannot both open a session with the same token.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from stenograph.store.db import rows_matched
from stenograph.store.keys import hash_key
from stenograph.store.models import StreamingToken, utcnow

KINDS = ("v3", "v2")


@dataclass(frozen=True)
class ClaimedToken:
    project_id: str
    max_session_seconds: int | None


def create_token(
    session: Session,
    project_id: str,
    *,
    kind: str,
    expires_in_seconds: int,
    max_session_seconds: int | None = None,
) -> str:
    """A new token (returned in plain text, the only time it exists) valid for ``expires_in_seconds``."""
    if kind not in KINDS:
        raise ValueError(f"unknown token kind {kind!r}")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        StreamingToken(
            token_hash=hash_key(token),
            project_id=project_id,
            kind=kind,
            expires_at=now + dt.timedelta(seconds=expires_in_seconds),
            max_session_seconds=max_session_seconds,
            created_at=now,
        )
    )
    session.flush()
    return token


def claim_token(session: Session, token: str, *, kind: str) -> ClaimedToken | None:
    """Mark an unused, unexpired token of ``kind`` used and return what it grants, else None."""
    now = utcnow()
    token_hash = hash_key(token)
    claimed = session.execute(
        update(StreamingToken)
        .where(
            StreamingToken.token_hash == token_hash,
            StreamingToken.kind == kind,
            StreamingToken.used_at.is_(None),
            StreamingToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(claimed) != 1:
        return None
    row = session.execute(
        select(StreamingToken.project_id, StreamingToken.max_session_seconds).where(
            StreamingToken.token_hash == token_hash
        )
    ).one()
    return ClaimedToken(project_id=row.project_id, max_session_seconds=row.max_session_seconds)


def purge_expired(session: Session, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete tokens that expired more than ``older_than`` ago."""
    result = session.execute(delete(StreamingToken).where(StreamingToken.expires_at < utcnow() - older_than))
    return rows_matched(result)
