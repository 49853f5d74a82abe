"""Secrets shared by every process of a deployment, kept in the database they all share."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stenograph.store.models import ServerSecret

URL_SIGNING_KEY = "redacted_audio_url_signing"  # made by migration 0007


def shared_secret(session: Session, name: str) -> str:
    """The secret ``name``, made now if it is missing (say, deleted to rotate it: every URL signed
    with the old one stops working). Of processes making it at once, the first insert wins and the
    others read it."""
    value = session.scalar(select(ServerSecret.value).where(ServerSecret.name == name))
    if value is not None:
        return value
    try:
        with session.begin_nested():
            session.add(ServerSecret(name=name, value=secrets.token_urlsafe(32)))
    except IntegrityError:
        pass
    value = session.scalar(select(ServerSecret.value).where(ServerSecret.name == name))
    assert value is not None
    return value


def url_signing_key(session: Session, configured: str | None) -> bytes:
    """The key that signs redacted-audio URLs: ``configured`` (STENOGRAPH_URL_SIGNING_SECRET) when
    set, else the one shared through the database."""
    return (configured or shared_secret(session, URL_SIGNING_KEY)).encode()
