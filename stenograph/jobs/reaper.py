"""Re-queues jobs whose worker died (expired lease) or whose queue message was lost, and runs the
periodic housekeeping of a worker process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection
from functools import partial

from stenograph.store import transcripts
from stenograph.store.db import Database
from stenograph.store.files import FileStorage
from stenograph.store.transcripts import TRANSCRIPT_WEBHOOK, WEBHOOK_KINDS

log = logging.getLogger(__name__)


def requeue_overdue_webhooks(
    db: Database,
    enqueue_webhook: Callable[[str], None],
    grace_seconds: float,
    waiting: Callable[[], Collection[str]] = frozenset,
    kind: str = TRANSCRIPT_WEBHOOK,
) -> list[str]:
    """Deliveries of ``kind`` a dead process left overdue (or whose message was lost): one new
    message each, unless ``waiting`` (the ids with a webhook message of that kind in the queue) has it."""
    with db.session() as session:
        overdue = transcripts.overdue_webhooks(
            session, grace_seconds=grace_seconds, waiting=waiting, kind=kind
        )
    for transcript_id in overdue:
        enqueue_webhook(transcript_id)
    if overdue:
        log.info("reaper: re-queued %d overdue %s webhook delivery(ies)", len(overdue), kind)
    return overdue


def remove_stray_redacted_audio(db: Database, storage: FileStorage, older_than_seconds: float) -> int:
    """Delete redacted audio no transcript names as ready: left by an attempt whose worker died
    after writing it, or by a transcript deleted meanwhile. Only files untouched for
    ``older_than_seconds``: a job stores its file's name just after writing it. How many went."""
    files = storage.redacted_files(older_than_seconds)
    if not files:
        return 0
    with db.session() as session:
        in_use = transcripts.redacted_files_in_use(session, {transcript_id for transcript_id, _ in files})
    stray = [(transcript_id, name) for transcript_id, name in files if (transcript_id, name) not in in_use]
    for transcript_id, name in stray:
        storage.delete_redacted(transcript_id, only=name)
    if stray:
        log.info("removed %d redacted audio file(s) no transcript uses", len(stray))
    return len(stray)


def requeue_stale(
    db: Database, enqueue: Callable[[str], None], queue_depth: Callable[[], int], grace_seconds: float
) -> list[str]:
    """One pass; the ids enqueued.

    A job whose lease expired gets one new message (its old one was consumed). A job still queued
    after the grace period gets one only when the queue is empty: the queue is first in, first out,
    so while messages wait, its own may be among them (re-queueing every waiting job of a backlog
    on every pass is what flooded the queue with duplicates); once the queue is empty, a job still
    queued has lost its message.
    """
    with db.session() as session:
        expired = transcripts.requeue_expired(session)
    depth = queue_depth()
    lost: list[str] = []
    if depth == 0:
        with db.session() as session:
            lost = [
                i for i in transcripts.stale_queued(session, grace_seconds=grace_seconds) if i not in expired
            ]
            lost = transcripts.touch_queued(session, lost, older_than_seconds=grace_seconds)
    for reason, ids in (("its worker's lease expired", expired), ("its queue message was lost", lost)):
        for transcript_id in ids:
            enqueue(transcript_id)
            log.info(
                "transcript %s: queued again (%s)",
                transcript_id,
                reason,
                extra={"transcript_id": transcript_id, "status": "queued"},
            )
    log.info(
        "reaper: queue depth %d; re-queued %d job(s) of expired leases and %d of lost messages",
        depth,
        len(expired),
        len(lost),
    )
    return [*expired, *lost]


class Reaper:
    def __init__(
        self,
        db: Database,
        enqueue: Callable[[str], None],
        queue_depth: Callable[[], int],
        interval: float,
        grace: float,
        # (transcript id, kind=...) and (kind) -> ids with a message: for each kind of notification
        enqueue_webhook: Callable[..., None] | None = None,
        waiting_webhooks: Callable[[str], Collection[str]] = lambda _kind: frozenset(),
        housekeeping: Callable[[], None] | None = None,
        housekeeping_interval: float = 3600.0,
    ) -> None:
        self._db, self._enqueue, self._queue_depth = db, enqueue, queue_depth
        self._enqueue_webhook, self._waiting_webhooks = enqueue_webhook, waiting_webhooks
        self._interval, self._grace = interval, grace
        self._housekeeping, self._housekeeping_interval = housekeeping, housekeeping_interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="reaper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        last_housekeeping = time.monotonic()
        while True:
            try:
                requeue_stale(self._db, self._enqueue, self._queue_depth, self._grace)
                if self._enqueue_webhook is not None:
                    for kind in WEBHOOK_KINDS:
                        requeue_overdue_webhooks(
                            self._db,
                            partial(self._enqueue_webhook, kind=kind),
                            self._grace,
                            partial(self._waiting_webhooks, kind),
                            kind=kind,
                        )
            except Exception:
                log.exception("reaper pass failed")
            if self._housekeeping and time.monotonic() - last_housekeeping >= self._housekeeping_interval:
                last_housekeeping = time.monotonic()
                try:
                    self._housekeeping()
                except Exception:
                    log.exception("housekeeping failed")
            if self._stop.wait(self._interval):
                return
