"""The reaper against a real Huey queue (SQLite) and database: a backlog gets no duplicate
messages, lost messages and dead workers' jobs get exactly one each."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from sqlalchemy import update

from stenograph.config import Settings
from stenograph.jobs.queue import JobQueue
from stenograph.jobs.reaper import requeue_stale
from stenograph.store import keys, transcripts
from stenograph.store.db import Database
from stenograph.store.models import Transcript

BACKLOG = 40


def setup(tmp_path: Path) -> tuple[Database, JobQueue, list[str]]:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    queue = JobQueue(Settings(data_dir=tmp_path), run_job=lambda _id: None)
    with db.session() as s:
        project = keys.create_project(s, "p").id
        ids = [
            transcripts.create(
                s,
                project_id=project,
                audio_url="https://example.com/a.wav",
                upload_id=None,
                request={},
                model="m",
            ).id
            for _ in range(BACKLOG)
        ]
    for transcript_id in ids:
        queue.enqueue(transcript_id)
    return db, queue, ids


def age_everything(db: Database, seconds: float) -> None:
    with db.session() as s:
        s.execute(
            update(Transcript).values(updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds))
        )


def test_a_waiting_backlog_gets_no_duplicate_messages(tmp_path: Path) -> None:
    db, queue, _ = setup(tmp_path)
    age_everything(db, 3600)  # all waited past the grace period: the one worker is busy
    for _ in range(5):
        assert requeue_stale(db, queue.enqueue, queue.depth, grace_seconds=60) == []
    assert queue.depth() == BACKLOG


def test_lost_messages_are_replaced_once(tmp_path: Path) -> None:
    db, queue, ids = setup(tmp_path)
    queue.huey.flush()  # the queue lost every message (e.g. Redis restarted without persistence)
    age_everything(db, 3600)
    assert requeue_stale(db, queue.enqueue, queue.depth, grace_seconds=60) == ids
    assert queue.depth() == BACKLOG
    for _ in range(3):
        assert requeue_stale(db, queue.enqueue, queue.depth, grace_seconds=60) == []
    assert queue.depth() == BACKLOG


def test_a_dead_workers_job_gets_one_new_message_however_long_the_queue(tmp_path: Path) -> None:
    db, queue, ids = setup(tmp_path)
    with db.session() as s:
        assert transcripts.claim(s, ids[0], lease_seconds=0.05) is not None  # then the worker dies
    time.sleep(0.1)
    assert requeue_stale(db, queue.enqueue, queue.depth, grace_seconds=60) == [ids[0]]
    for _ in range(3):
        assert requeue_stale(db, queue.enqueue, queue.depth, grace_seconds=60) == []
    assert queue.depth() == BACKLOG + 1  # one new message, and no more
