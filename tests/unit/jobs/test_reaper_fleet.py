"""Reapers of several worker processes passing at once over one PostgreSQL database (a fleet):
each dead worker's job, and each overdue webhook, is handed out once, not once per reaper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from stenograph.store import transcripts
from stenograph.store.db import Database
from stenograph.store.models import Transcript
from tests.support.postgres import throwaway_database
from tests.support.race import all_at_once
from tests.support.rows import queued_transcripts

REAPERS, JOBS, TRIALS = 4, 20, 5


@pytest.fixture(scope="module")
def pg() -> Iterator[Database]:
    with throwaway_database() as (_user, url):
        database = Database(url)
        database.migrate()
        yield database
        database.dispose()


def jobs_of_dead_workers(db: Database, *, webhook_owed: bool) -> list[str]:
    ids = queued_transcripts(db, JOBS)
    for transcript_id in ids:
        with db.session() as s:
            claim = transcripts.claim(s, transcript_id, lease_seconds=-1)  # then the worker died
            assert claim is not None
            if webhook_owed:
                assert transcripts.finish(
                    s, transcript_id, claim.token, status="completed", result={}, webhook_owed=True
                )
    if webhook_owed:
        with db.session() as s:
            old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
            s.execute(update(Transcript).where(Transcript.id.in_(ids)).values(webhook_due_at=old))
    return ids


def reapers_at_once(db: Database, one_pass: Callable[[Session], list[str]]) -> list[str]:
    """What ``REAPERS`` reapers, each in its own session, hand out in one pass made together."""

    def reap() -> list[str]:
        with db.session() as s:
            return one_pass(s)

    return [transcript_id for handed in all_at_once(REAPERS, reap) for transcript_id in handed]


def test_each_expired_lease_is_requeued_by_one_reaper(pg: Database) -> None:
    for trial in range(TRIALS):
        ids = jobs_of_dead_workers(pg, webhook_owed=False)
        handed_out = reapers_at_once(pg, transcripts.requeue_expired)
        assert sorted(handed_out) == sorted(ids), f"trial {trial}: {len(handed_out)} messages for {JOBS} jobs"


def test_each_overdue_webhook_is_requeued_by_one_reaper(pg: Database) -> None:
    for trial in range(TRIALS):
        ids = jobs_of_dead_workers(pg, webhook_owed=True)
        handed_out = reapers_at_once(pg, lambda s: transcripts.overdue_webhooks(s, grace_seconds=60))
        assert sorted(handed_out) == sorted(ids), (
            f"trial {trial}: {len(handed_out)} messages for {JOBS} webhooks"
        )


def test_each_lost_message_is_replaced_by_one_reaper(pg: Database) -> None:
    for trial in range(TRIALS):
        ids = jobs_of_dead_workers(pg, webhook_owed=False)
        with pg.session() as s:  # queued, and waited long past the grace period: messages lost
            old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
            s.execute(
                update(Transcript).where(Transcript.id.in_(ids)).values(status="queued", updated_at=old)
            )

        def one_pass(s) -> list[str]:
            stale = transcripts.stale_queued(s, grace_seconds=60)
            return transcripts.touch_queued(s, stale, older_than_seconds=60)

        handed_out = reapers_at_once(pg, one_pass)
        assert sorted(handed_out) == sorted(ids), f"trial {trial}: {len(handed_out)} messages for {JOBS} jobs"
