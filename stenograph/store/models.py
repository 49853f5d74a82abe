"""SQLAlchemy tables. Alembic migrations in ``migrations/`` own the schema; keep them in step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no offset, so store naive UTC there)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite stores naive UTC
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)  # PostgreSQL answers in the session's TimeZone


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON}


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class Upload(Base):
    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Transcript(Base):
    __tablename__ = "transcripts"

    # seq orders the list endpoints (newest first) and makes before_id/after_id exact.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    audio_url: Mapped[str] = mapped_column(Text)
    upload_id: Mapped[str | None] = mapped_column(String(32), default=None)
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)  # validated request options
    model: Mapped[str] = mapped_column(String(64))  # our model chosen at creation from the request
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)  # text, words, ...
    # redact_pii_return_unredacted: the transcript before redaction, kept apart from the result.
    unredacted: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True), default=None)
    speech_model_used: Mapped[str | None] = mapped_column(String(64), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    webhook_status_code: Mapped[int | None] = mapped_column(Integer, default=None)  # last answer
    # The webhook outbox: when the next delivery attempt is due (None: none owed), and attempts made.
    webhook_due_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)
    webhook_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The scheme and host the transcript was created through: the base of the URLs sent where no
    # request is at hand (the redacted-audio webhook), unless STENOGRAPH_PUBLIC_URL is set.
    origin_url: Mapped[str | None] = mapped_column(Text, default=None)
    # redact_pii_audio, stored with the job's outcome: None (not asked, or not finished), "ready"
    # (``redacted_audio_file`` in the storage's redacted/ folder), "no_speech" (no file: nothing was
    # said and return_redacted_no_speech_audio was not set), "failed", or "deleted".
    redacted_audio_status: Mapped[str | None] = mapped_column(String(16), default=None)
    redacted_audio_file: Mapped[str | None] = mapped_column(String(64), default=None)
    # The outbox of the redacted-audio notification (RedactedAudioNotification), as webhook_*.
    redacted_audio_webhook_due_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)
    redacted_audio_webhook_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ServerSecret(Base):
    """A secret shared by every process of a deployment (they share the database): e.g. the key
    that signs redacted-audio URLs. Made once, by the migration that created the table."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StreamingToken(Base):
    """A temporary streaming token: stored hashed, opens one session before ``expires_at``."""

    __tablename__ = "streaming_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # "v3" (Universal-Streaming) or "v2" (legacy realtime)
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    max_session_seconds: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class LemurRequest(Base):
    """A LeMUR request's answer (``response``: the JSON body without the request id) and the
    request's details; deleted by DELETE /lemur/v3/{request_id}."""

    __tablename__ = "lemur_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    endpoint: Mapped[str] = mapped_column(String(32))  # task, summary, question-answer, action-items
    request: Mapped[dict[str, Any]] = mapped_column()
    response: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
