"""Transcript rows: the source of truth for every job. The queue only carries ids.

A worker claims a row by an atomic conditional UPDATE that also bumps ``attempts``; that
number is the worker's fencing token, so a worker whose lease expired (and whose job was
claimed again by another) cannot overwrite the newer result.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, and_, bindparam, exists, func, or_, select, update
from sqlalchemy.orm import Session

from stenograph.store.db import rows_matched
from stenograph.store.models import Transcript, Upload, utcnow

QUEUED, PROCESSING, COMPLETED, ERROR = "queued", "processing", "completed", "error"
STATUSES = (QUEUED, PROCESSING, COMPLETED, ERROR)
FINISHED = (COMPLETED, ERROR)
DELETED_AUDIO_URL = "http://deleted_by_user"
# Transcript.redacted_audio_status
REDACTED_AUDIO_READY, REDACTED_AUDIO_NO_SPEECH = "ready", "no_speech"
REDACTED_AUDIO_FAILED, REDACTED_AUDIO_DELETED = "failed", "deleted"
DELETED_TEXT = "Deleted by user."


@dataclass(frozen=True)
class Claim:
    transcript: Transcript
    token: int  # the attempts value this claim set


def create(
    session: Session,
    *,
    project_id: str,
    audio_url: str,
    upload_id: str | None,
    request: dict[str, Any],
    model: str,
    origin_url: str | None = None,
) -> Transcript:
    row = Transcript(
        model=model,
        origin_url=origin_url,
        id=str(uuid.uuid4()),
        project_id=project_id,
        status=QUEUED,
        audio_url=audio_url,
        upload_id=upload_id,
        request=request,
    )
    session.add(row)
    session.flush()
    return row


def possible_id(transcript_id: str) -> bool:
    """Whether ``transcript_id`` could name a row: ids are canonical UUIDs made by :func:`create`.
    Anything else is no row without asking the database (PostgreSQL refuses a NUL in a parameter)."""
    try:
        return str(uuid.UUID(transcript_id)) == transcript_id
    except ValueError:
        return False


def get(session: Session, transcript_id: str, project_id: str | None = None) -> Transcript | None:
    if not possible_id(transcript_id):
        return None
    query = select(Transcript).where(Transcript.id == transcript_id)
    if project_id is not None:
        query = query.where(Transcript.project_id == project_id)
    return session.scalar(query)


@dataclass(frozen=True)
class Version:
    """What says whether a row changed: ``updated_at`` moves with every change the API shows,
    except the webhook's answer, which has its own column."""

    status: str
    updated_at: dt.datetime
    webhook_status_code: int | None


# Built once: on the polling path, building the statement cost more than running it.
_VERSION = select(Transcript.status, Transcript.updated_at, Transcript.webhook_status_code).where(
    Transcript.id == bindparam("transcript_id"), Transcript.project_id == bindparam("project_id")
)


def version(session: Session | Connection, transcript_id: str, project_id: str) -> Version | None:
    """A row's version without loading its (possibly large) result."""
    if not possible_id(transcript_id):
        return None
    found = session.execute(_VERSION, {"transcript_id": transcript_id, "project_id": project_id}).first()
    return None if found is None else Version(*found)


class UnknownCursorError(LookupError):
    pass


@dataclass(frozen=True)
class Page:
    items: list[Transcript]
    has_older: bool
    has_newer: bool


def list_page(
    session: Session,
    *,
    project_id: str,
    limit: int,
    status: str | None = None,
    created_on: dt.date | None = None,
    before_id: str | None = None,
    after_id: str | None = None,
) -> Page:
    """Newest first. ``before_id`` pages toward older rows, ``after_id`` toward newer ones."""
    filters = [Transcript.project_id == project_id]
    if status:
        filters.append(Transcript.status == status)
    if created_on:
        day_start = dt.datetime.combine(created_on, dt.time(), tzinfo=dt.UTC)
        filters.append(Transcript.created_at >= day_start)
        if created_on < dt.date.max:  # the calendar's last day has no next day to end before
            filters.append(Transcript.created_at < day_start + dt.timedelta(days=1))

    def cursor_seq(field: str, transcript_id: str) -> int:
        seq = (
            session.scalar(
                select(Transcript.seq).where(
                    Transcript.id == transcript_id, Transcript.project_id == project_id
                )
            )
            if possible_id(transcript_id)
            else None
        )
        if seq is None:
            raise UnknownCursorError(f"{field}: no transcript with id {transcript_id}")
        return seq

    query = select(Transcript).where(*filters)
    if before_id:
        query = query.where(Transcript.seq < cursor_seq("before_id", before_id))
    if after_id:
        query = query.where(Transcript.seq > cursor_seq("after_id", after_id))
    if after_id and not before_id:
        items = list(reversed(session.scalars(query.order_by(Transcript.seq.asc()).limit(limit)).all()))
    else:
        items = list(session.scalars(query.order_by(Transcript.seq.desc()).limit(limit)).all())
    if not items:
        return Page(items, has_older=False, has_newer=False)

    def any_where(condition) -> bool:
        return bool(session.scalar(select(exists().where(*filters, condition))))

    return Page(
        items,
        has_older=any_where(Transcript.seq < items[-1].seq),
        has_newer=any_where(Transcript.seq > items[0].seq),
    )


def claim(session: Session, transcript_id: str, lease_seconds: float) -> Claim | None:
    """Take a queued row, or a processing row whose lease expired. None when not claimable."""
    now = utcnow()
    claimable = and_(
        Transcript.id == transcript_id,
        or_(
            Transcript.status == QUEUED,
            and_(Transcript.status == PROCESSING, Transcript.lease_expires_at < now),
        ),
    )
    result = session.execute(
        update(Transcript)
        .where(claimable)
        .values(
            status=PROCESSING,
            attempts=Transcript.attempts + 1,
            lease_expires_at=now + dt.timedelta(seconds=lease_seconds),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if rows_matched(result) != 1:
        return None
    row = session.scalar(
        select(Transcript).where(Transcript.id == transcript_id).execution_options(populate_existing=True)
    )
    assert row is not None
    return Claim(row, row.attempts)


def _held(transcript_id: str, token: int):
    return and_(Transcript.id == transcript_id, Transcript.status == PROCESSING, Transcript.attempts == token)


def renew_lease(session: Session, transcript_id: str, token: int, lease_seconds: float) -> bool:
    now = utcnow()
    result = session.execute(
        update(Transcript)
        .where(_held(transcript_id, token))
        .values(lease_expires_at=now + dt.timedelta(seconds=lease_seconds), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_matched(result) == 1


def finish(
    session: Session,
    transcript_id: str,
    token: int,
    *,
    status: str,
    result: dict[str, Any] | None = None,
    unredacted: dict[str, Any] | None = None,
    speech_model_used: str | None = None,
    error: str | None = None,
    webhook_owed: bool = False,
    redacted_audio_status: str | None = None,
    redacted_audio_file: str | None = None,
    redacted_audio_webhook_owed: bool = False,
) -> bool:
    """Write a job's outcome in one statement, only while this worker still holds the claim; the
    webhooks owed (the transcript's, the redacted audio's) are recorded as due in the same
    statement (the outbox)."""
    now = utcnow()
    written = session.execute(
        update(Transcript)
        .where(_held(transcript_id, token))
        .values(
            status=status,
            result=result,
            unredacted=unredacted,
            speech_model_used=speech_model_used,
            error=error,
            lease_expires_at=None,
            updated_at=now,
            completed_at=now,
            webhook_due_at=now if webhook_owed else None,
            redacted_audio_status=redacted_audio_status,
            redacted_audio_file=redacted_audio_file,
            redacted_audio_webhook_due_at=now if redacted_audio_webhook_owed else None,
        )
        .execution_options(synchronize_session=False)
    )
    return rows_matched(written) == 1


# A delivery counts as due slightly early: the queue's scheduler may run a retry a moment before it.
WEBHOOK_DUE_TOLERANCE = dt.timedelta(seconds=2)

# The notifications a transcript may owe, each with its own outbox columns (due at, attempts made).
TRANSCRIPT_WEBHOOK, REDACTED_AUDIO_WEBHOOK = "transcript", "redacted_audio"
WEBHOOK_KINDS = (TRANSCRIPT_WEBHOOK, REDACTED_AUDIO_WEBHOOK)
_OUTBOX = {
    TRANSCRIPT_WEBHOOK: (Transcript.webhook_due_at, Transcript.webhook_attempts),
    REDACTED_AUDIO_WEBHOOK: (
        Transcript.redacted_audio_webhook_due_at,
        Transcript.redacted_audio_webhook_attempts,
    ),
}


def claim_webhook(
    session: Session, transcript_id: str, hold_seconds: float, kind: str = TRANSCRIPT_WEBHOOK
) -> int | None:
    """Take the transcript's due webhook delivery of ``kind``: the attempt number (1-based), else
    None (none owed, or another process is sending it or will retry it later). While held, the
    delivery is not due again for ``hold_seconds``: should this process die mid-request, it
    becomes due after."""
    due_at, attempts = _OUTBOX[kind]
    now = utcnow()
    due = and_(
        Transcript.id == transcript_id,
        due_at.is_not(None),
        due_at <= now + WEBHOOK_DUE_TOLERANCE,
    )
    result = session.execute(
        update(Transcript)
        .where(due)
        .values({due_at: now + dt.timedelta(seconds=hold_seconds), attempts: attempts + 1})
        .execution_options(synchronize_session=False)
    )
    if rows_matched(result) != 1:
        return None
    return session.scalar(select(attempts).where(Transcript.id == transcript_id))


def schedule_webhook(
    session: Session, transcript_id: str, delay_seconds: float | None, kind: str = TRANSCRIPT_WEBHOOK
) -> None:
    """After an attempt: the next one is due in ``delay_seconds``, or none is (None)."""
    due = None if delay_seconds is None else utcnow() + dt.timedelta(seconds=delay_seconds)
    session.execute(
        update(Transcript)
        .where(Transcript.id == transcript_id)
        .values({_OUTBOX[kind][0]: due})
        .execution_options(synchronize_session=False)
    )


def overdue_webhooks(
    session: Session,
    *,
    grace_seconds: float,
    waiting: Callable[[], Collection[str]] = frozenset,
    kind: str = TRANSCRIPT_WEBHOOK,
) -> list[str]:
    """Deliveries of ``kind`` due for longer than the grace period (their process died, or their
    message was lost), less those with a message ``waiting`` (only asked when some are overdue):
    their ids, each made due again only after another grace period, so a pass re-queues each at
    most once per grace period."""
    due_at = _OUTBOX[kind][0]
    now = utcnow()
    overdue = and_(due_at.is_not(None), due_at < now - dt.timedelta(seconds=grace_seconds))
    ids = list(session.scalars(select(Transcript.id).where(overdue).order_by(Transcript.seq)))
    if ids:
        # A message behind a long backlog is late, not lost: another would be a duplicate.
        has_message = set(waiting())
        ids = [transcript_id for transcript_id in ids if transcript_id not in has_message]
    return _taken(session, ids, overdue, **{due_at.key: now})


def record_webhook_status(session: Session, transcript_id: str, status_code: int) -> None:
    """Store the HTTP status code the latest webhook delivery attempt got back."""
    session.execute(
        update(Transcript)
        .where(Transcript.id == transcript_id)
        .values(webhook_status_code=status_code)
        .execution_options(synchronize_session=False)
    )


def mark_deleted(session: Session, row: Transcript) -> str | None:
    """Blank a transcript as AssemblyAI does; returns the id of an upload no other transcript
    uses any more (its file must go), else None."""
    upload_id = row.upload_id
    if row.status in (QUEUED, PROCESSING):
        row.status = ERROR
        row.error = "Transcript deleted by user before it finished."
        row.completed_at = utcnow()
    row.audio_url = DELETED_AUDIO_URL
    row.upload_id = None
    if row.redacted_audio_status is not None:  # its file goes with it (the caller removes it)
        row.redacted_audio_status = REDACTED_AUDIO_DELETED
    row.redacted_audio_file = None
    row.redacted_audio_webhook_due_at = None
    row.result = {"text": DELETED_TEXT}
    row.unredacted = None
    if isinstance(row.request, dict) and "redact_static_entities" in row.request:
        # The terms to hide are PII themselves.
        row.request = {k: v for k, v in row.request.items() if k != "redact_static_entities"}
    row.lease_expires_at = None
    row.updated_at = utcnow()
    if upload_id is None:
        return None
    # Deletions of the transcripts of one upload take turns (PostgreSQL: a lock on the upload's
    # row; SQLite has one writer at a time), so the last of two at once sees that it is the last.
    session.execute(select(Upload.id).where(Upload.id == upload_id).with_for_update())
    session.flush()
    still_used = session.scalar(select(Transcript.id).where(Transcript.upload_id == upload_id).limit(1))
    return None if still_used is not None else upload_id


def requeue_expired(session: Session) -> list[str]:
    """Processing rows whose worker stopped renewing the lease go back to ``queued`` (their queue
    message was consumed, so each needs exactly one new one): their ids, oldest first. The
    attempt counter stays, so the old worker, should it still run, is fenced off."""
    now = utcnow()
    expired = and_(Transcript.status == PROCESSING, Transcript.lease_expires_at < now)
    ids = list(session.scalars(select(Transcript.id).where(expired).order_by(Transcript.seq)))
    return _taken(session, ids, expired, status=QUEUED, lease_expires_at=None, updated_at=now)


def _taken(session: Session, ids: list[str], condition: Any, **values: Any) -> list[str]:
    """The ids whose row this session changed by a conditional UPDATE: the reapers of several
    processes may have read the same ids, and each must be handed to one of them only. (One
    statement per id, in the order given: RETURNING would need SQLite 3.35.)"""
    taken = []
    for transcript_id in ids:
        result = session.execute(
            update(Transcript)
            .where(Transcript.id == transcript_id, condition)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if rows_matched(result) == 1:
            taken.append(transcript_id)
    return taken


def stale_queued(session: Session, *, grace_seconds: float) -> list[str]:
    """Queued rows last (re-)enqueued longer ago than the grace period, oldest first."""
    cutoff = utcnow() - dt.timedelta(seconds=grace_seconds)
    query = select(Transcript.id).where(Transcript.status == QUEUED, Transcript.updated_at < cutoff)
    return list(session.scalars(query.order_by(Transcript.seq)))


def touch_queued(
    session: Session, transcript_ids: list[str], *, older_than_seconds: float | None = None
) -> list[str]:
    """Mark queued rows as enqueued now: their grace period starts again. With
    ``older_than_seconds``, only rows still that stale (another reaper may have just re-queued
    them). Returns the ids marked: the ones to enqueue."""
    condition = Transcript.status == QUEUED
    if older_than_seconds is not None:
        cutoff = utcnow() - dt.timedelta(seconds=older_than_seconds)
        condition = and_(condition, Transcript.updated_at < cutoff)
    return _taken(session, transcript_ids, condition, updated_at=utcnow())


def redacted_files_in_use(session: Session, transcript_ids: Collection[str]) -> set[tuple[str, str]]:
    """Of ``transcript_ids``, the (id, file name) of the redacted audio each row names as ready."""
    found: set[tuple[str, str]] = set()
    ids = list(transcript_ids)
    for first in range(0, len(ids), 500):  # bounded IN lists
        query = select(Transcript.id, Transcript.redacted_audio_file).where(
            Transcript.id.in_(ids[first : first + 500]),
            Transcript.redacted_audio_status == REDACTED_AUDIO_READY,
            Transcript.redacted_audio_file.is_not(None),
        )
        found.update((transcript_id, name) for transcript_id, name in session.execute(query) if name)
    return found


@dataclass(frozen=True)
class RedactedAudioState:
    """What the redacted-audio routes need of a row, without its (possibly large) result."""

    status: str
    deleted: bool
    error: str | None
    request: dict[str, Any]
    redacted_audio_status: str | None
    redacted_audio_file: str | None


def redacted_audio_state(
    session: Session, transcript_id: str, project_id: str | None = None
) -> RedactedAudioState | None:
    if not possible_id(transcript_id):
        return None
    query = select(
        Transcript.status,
        Transcript.audio_url,
        Transcript.error,
        Transcript.request,
        Transcript.redacted_audio_status,
        Transcript.redacted_audio_file,
    ).where(Transcript.id == transcript_id)
    if project_id is not None:
        query = query.where(Transcript.project_id == project_id)
    found = session.execute(query).first()
    if found is None:
        return None
    columns = tuple[str, str, str | None, dict[str, Any] | None, str | None, str | None]
    status, audio_url, error, request, audio_status, audio_file = cast(columns, tuple(found))
    return RedactedAudioState(
        status, audio_url == DELETED_AUDIO_URL, error, request or {}, audio_status, audio_file
    )


@dataclass(frozen=True)
class JobCounts:
    """The jobs the rows hold, for metrics: how many in each status, and when the oldest still
    queued was created (None: none queued)."""

    by_status: dict[str, int]
    oldest_queued_at: dt.datetime | None


def job_counts(session: Session) -> JobCounts:
    counted = session.execute(select(Transcript.status, func.count()).group_by(Transcript.status))
    by_status = dict.fromkeys(STATUSES, 0) | {str(status): int(n) for status, n in counted}
    oldest = session.scalar(select(func.min(Transcript.created_at)).where(Transcript.status == QUEUED))
    return JobCounts(by_status, oldest)
