"""Wires the store, the queue and the job runner together for a server or worker process."""

from __future__ import annotations

import logging

from stenograph.config import Settings
from stenograph.jobs.queue import JobQueue
from stenograph.jobs.reaper import Reaper
from stenograph.jobs.runner import JobRunner
from stenograph.jobs.webhooks import WebhookSender
from stenograph.store import keys
from stenograph.store.db import Database
from stenograph.store.files import FileStorage

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.resolved_database_url)
        self.db.migrate()
        self.storage = FileStorage(settings.resolved_uploads_dir)
        self.webhooks = WebhookSender(settings, self.db)
        self.runner = JobRunner(settings, self.db, self.storage, on_finished=self._job_finished)
        self.queue = JobQueue(settings, self.runner.run, deliver_webhook=self.webhooks.deliver)
        self._reaper: Reaper | None = None

    def _job_finished(self, transcript_id: str) -> None:
        if self.webhooks.is_owed(transcript_id):
            self.queue.enqueue_webhook(transcript_id)

    def start_worker(self) -> None:
        """Consume jobs in this process (threads) and reap expired leases."""
        self.queue.start_consumer(self.settings.workers)
        self._reaper = Reaper(
            self.db,
            self.queue.enqueue,
            interval=self.settings.reaper_interval_seconds,
            grace=self.settings.job_lease_seconds,
        )
        self._reaper.start()

    def shutdown(self) -> None:
        if self._reaper is not None:
            self._reaper.stop()
        self.queue.stop_consumer()
        self.db.dispose()

    def seed_keys(self) -> str | None:
        """Store STENOGRAPH_API_KEY; with no key at all, create one. Returns a newly created key,
        which is the only time its plain text exists."""
        with self.db.session() as session:
            if self.settings.api_key:
                keys.ensure_key(session, self.settings.api_key)
                return None
            if keys.has_any_key(session):
                return None
            new_key = keys.generate_key()
            keys.add_key(session, new_key, name="first key")
            return new_key
