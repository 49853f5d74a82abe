"""Re-queues jobs whose worker died (expired lease) or whose queue message was lost."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from stenograph.store import transcripts
from stenograph.store.db import Database

log = logging.getLogger(__name__)


def requeue_stale(db: Database, enqueue: Callable[[str], None], queued_grace_seconds: float) -> list[str]:
    with db.session() as session:
        ids = transcripts.ids_needing_queue(session, queued_grace_seconds=queued_grace_seconds)
        transcripts.touch_queued(session, ids)
    for transcript_id in ids:
        enqueue(transcript_id)
    if ids:
        log.info("reaper re-queued %d job(s)", len(ids))
    return ids


class Reaper:
    def __init__(self, db: Database, enqueue: Callable[[str], None], interval: float, grace: float) -> None:
        self._db, self._enqueue, self._interval, self._grace = db, enqueue, interval, grace
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="reaper", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while True:
            try:
                requeue_stale(self._db, self._enqueue, self._grace)
            except Exception:
                log.exception("reaper pass failed")
            if self._stop.wait(self._interval):
                return
