"""The webhook outbox on a real database with a real HTTP receiver: a webhook owed is stored with
the outcome, so one that a dying process never queued is still delivered, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stenograph.config import Settings
from stenograph.jobs.reaper import requeue_overdue_webhooks
from stenograph.jobs.webhooks import WebhookSender
from stenograph.store import keys, transcripts
from stenograph.store.db import Database


def finished_with_webhook(db: Database, url: str) -> str:
    with db.session() as s:
        project = keys.create_project(s, "p").id
        transcript_id = transcripts.create(
            s,
            project_id=project,
            audio_url="https://example.com/a.wav",
            upload_id=None,
            request={"webhook_url": url},
            model="m",
        ).id
    with db.session() as s:
        claim = transcripts.claim(s, transcript_id, 30)
        assert claim is not None
        assert transcripts.finish(
            s, transcript_id, claim.token, status="completed", result={"text": "hi"}, webhook_owed=True
        )
    return transcript_id


def test_a_webhook_never_queued_by_a_dead_process_is_delivered_once_by_the_reaper(
    tmp_path: Path, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    url, received = receiver
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    sender = WebhookSender(Settings(data_dir=tmp_path, allow_private_urls=True), db)
    # The process stored the outcome, then died before it queued the delivery.
    transcript_id = finished_with_webhook(db, url)

    queued: list[str] = []
    assert requeue_overdue_webhooks(db, queued.append, grace_seconds=0) == [transcript_id]
    for message in queued:
        assert sender.deliver(message) is None  # answered: delivery over
    assert received == [{"transcript_id": transcript_id, "status": "completed"}]

    assert requeue_overdue_webhooks(db, queued.append, grace_seconds=0) == []
    assert sender.deliver(transcript_id) is None  # a duplicate message sends nothing
    assert len(received) == 1
    with db.session() as s:
        row = transcripts.get(s, transcript_id)
        assert row is not None and (row.webhook_due_at, row.webhook_status_code) == (None, 200)


def test_a_delivery_in_progress_is_not_handed_to_another_process(
    tmp_path: Path, receiver: tuple[str, list[dict[str, Any]]]
) -> None:
    url, _ = receiver
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    transcript_id = finished_with_webhook(db, url)
    with db.session() as s:
        assert transcripts.claim_webhook(s, transcript_id, hold_seconds=60) == 1
    with db.session() as s:  # a second message for it, while the first sender is mid-request
        assert transcripts.claim_webhook(s, transcript_id, hold_seconds=60) is None
    assert requeue_overdue_webhooks(db, lambda _id: None, grace_seconds=0) == []
