"""The reaper against a real Huey queue (SQLite, and Redis as a fleet has it) and database: a
backlog gets no duplicate messages, lost messages and dead workers' jobs get exactly one each."""

from __future__ import annotations

import datetime as dt
import secrets
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from stenograph.config import Settings
from stenograph.jobs.queue import QUEUE_NAME, JobQueue
from stenograph.jobs.reaper import requeue_overdue_webhooks, requeue_stale
from stenograph.store import transcripts
from stenograph.store.db import Database
from stenograph.store.models import Transcript
from tests.support.rows import queued_transcripts

BACKLOG = 40


REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobQueue]:
    """The embedded queue (SqliteHuey), or a fleet's (RedisHuey, under a name of its own; skipped
    when no Redis listens)."""
    settings, name = Settings(data_dir=tmp_path), QUEUE_NAME
    if request.param == "redis":
        try:
            socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=2).close()
        except OSError as exc:
            pytest.skip(f"Redis not reachable at {REDIS_HOST}:{REDIS_PORT}: {exc}")
        settings = Settings(data_dir=tmp_path, queue_url=f"redis://{REDIS_HOST}:{REDIS_PORT}/0")
        name = f"stenograph-test-{secrets.token_hex(6)}"
    job_queue = JobQueue(settings, run_job=lambda _id: None, name=name)
    yield job_queue
    job_queue.huey.flush()


@pytest.fixture()
def backlog(tmp_path: Path, queue: JobQueue) -> Iterator[tuple[Database, JobQueue, list[str]]]:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    ids = queued_transcripts(db, BACKLOG)
    for transcript_id in ids:
        queue.enqueue(transcript_id)
    yield db, queue, ids
    db.dispose()


def age_everything(db: Database, seconds: float) -> None:
    with db.session() as s:
        s.execute(
            update(Transcript).values(updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds))
        )


def test_a_waiting_backlog_gets_no_duplicate_messages(backlog: tuple[Database, JobQueue, list[str]]) -> None:
    db, queue, _ = backlog
    age_everything(db, 3600)  # all waited past the grace period: the one worker is busy
    for _ in range(5):
        assert requeue_stale(db, queue.enqueue, queue.depth, grace_seconds=60) == []
    assert queue.depth() == BACKLOG


def test_lost_messages_are_replaced_once(backlog: tuple[Database, JobQueue, list[str]]) -> None:
    db, queue, ids = backlog
    queue.huey.flush()  # the queue lost every message (e.g. Redis restarted without persistence)
    age_everything(db, 3600)
    assert requeue_stale(db, queue.enqueue, queue.depth, grace_seconds=60) == ids
    assert queue.depth() == BACKLOG
    for _ in range(3):
        assert requeue_stale(db, queue.enqueue, queue.depth, grace_seconds=60) == []
    assert queue.depth() == BACKLOG


def test_a_dead_workers_job_gets_one_new_message_however_long_the_queue(
    backlog: tuple[Database, JobQueue, list[str]],
) -> None:
    db, queue, ids = backlog
    with db.session() as s:
        assert transcripts.claim(s, ids[0], lease_seconds=0.05) is not None  # then the worker dies
    time.sleep(0.1)
    assert requeue_stale(db, queue.enqueue, queue.depth, grace_seconds=60) == [ids[0]]
    for _ in range(3):
        assert requeue_stale(db, queue.enqueue, queue.depth, grace_seconds=60) == []
    assert queue.depth() == BACKLOG + 1  # one new message, and no more


def age_webhooks(db: Database, seconds: float) -> None:
    with db.session() as s:
        s.execute(
            update(Transcript)
            .where(Transcript.webhook_due_at.is_not(None))
            .values(webhook_due_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds))
        )


def webhook_messages(queue: JobQueue) -> list[str]:
    return [task.args[0] for task in queue.huey.pending() if task.name == "webhook"]


def test_a_webhook_waiting_behind_a_backlog_gets_no_duplicate_messages(
    backlog: tuple[Database, JobQueue, list[str]],
) -> None:
    db, queue, ids = backlog
    finished = ids[0]  # a job that finished with a webhook owed while the others wait
    with db.session() as s:
        claim = transcripts.claim(s, finished, 30)
        assert claim is not None
        s.execute(
            update(Transcript).where(Transcript.id == finished).values(request={"webhook_url": "http://x/"})
        )
        assert transcripts.finish(s, finished, claim.token, status="completed", result={}, webhook_owed=True)
    queue.enqueue_webhook(finished)  # its message, behind the backlog's
    for _ in range(5):  # the backlog takes far longer than the grace period to drain
        age_webhooks(db, 3600)
        requeue_overdue_webhooks(db, queue.enqueue_webhook, 60, queue.waiting_webhooks)
    assert webhook_messages(queue) == [finished]

    queue.huey.flush()  # its message lost after all (or taken by a process that died mid-POST)
    age_webhooks(db, 3600)
    assert requeue_overdue_webhooks(db, queue.enqueue_webhook, 60, queue.waiting_webhooks) == [finished]
    assert webhook_messages(queue) == [finished]
