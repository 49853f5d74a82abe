"""Webhook delivery: when a transcript ends ``completed`` or ``error``, POST
``{"transcript_id": ..., "status": ...}`` to its ``webhook_url`` with the caller's auth header; when
its redacted audio is ready (``redact_pii_audio``), POST ``{"status": "redacted_audio_ready",
"redacted_audio_url": ...}`` (``RedactedAudioNotification``) there too. The two are independent
deliveries, each with its own outbox columns, queue task and retries.

Requests go through ``jobs/outbound.py``, so the address policy of ``audio_url`` downloads applies
and redirects are not followed. ``deliver`` makes one attempt and returns the delay before the
next one; the queue (``jobs/queue.py``) schedules it, so a slow receiver holds a worker for one
timeout at most, never for the whole retry schedule, and pending retries survive a restart.

Delivery is at least once: the outcome and the webhook owed are stored in one statement (the
outbox columns of the row), each attempt is claimed in the database first, and the reaper
re-queues deliveries a dead process left overdue; receivers deduplicate by ``transcript_id``.

Timeouts, connection failures and 5xx answers are retried with exponential backoff, at most
``MAX_ATTEMPTS`` attempts in all. Any other answer (2xx; 3xx, as redirects are not followed; 4xx)
ends delivery, as does a URL the address policy refuses. The last status code received is stored
as ``webhook_status_code`` (the transcript notification's only, as AssemblyAI reports it). A
deleted transcript gets no (further) webhook.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from stenograph import metrics
from stenograph.assemblyai.redacted_audio import ready_json, signed_url
from stenograph.assemblyai.webhooks import notification_json, webhook_target
from stenograph.config import Settings
from stenograph.jobs.outbound import OutboundError, check_url_allowed, post_json
from stenograph.store import transcripts
from stenograph.store.db import Database
from stenograph.store.models import Transcript
from stenograph.store.server_secrets import url_signing_key
from stenograph.store.transcripts import REDACTED_AUDIO_WEBHOOK, TRANSCRIPT_WEBHOOK

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
MAX_RETRY_DELAY_SECONDS = 300.0
# A delivery in progress is held for twice its request timeout plus this (connecting, reading the
# row) before the reaper may hand it to another process: it then counts as lost with its sender.
HOLD_MARGIN_SECONDS = 5.0


@dataclass(frozen=True)
class Webhook:
    url: str
    headers: dict[str, str]
    payload: dict[str, str]


def webhook_for(row: Transcript) -> Webhook | None:
    """The notification ``row`` is owed, or None: no webhook_url, not finished, or deleted."""
    finished = row.status in (transcripts.COMPLETED, transcripts.ERROR)
    if not finished or row.audio_url == transcripts.DELETED_AUDIO_URL:
        return None
    target = webhook_target(row.request)
    if target is None:
        return None
    return Webhook(target.url, target.headers, notification_json(row.id, row.status))


def redacted_audio_webhook_for(
    row: Transcript, *, base_url: str | None, key: bytes, url_seconds: int
) -> Webhook | None:
    """The redacted-audio notification ``row`` is owed, or None: no webhook_url, no redacted audio
    ready, deleted, or no base for the URL (``base_url``: STENOGRAPH_PUBLIC_URL, else the host the
    transcript was created through)."""
    if row.redacted_audio_status != transcripts.REDACTED_AUDIO_READY or row.redacted_audio_file is None:
        return None
    if row.audio_url == transcripts.DELETED_AUDIO_URL:
        return None
    target = webhook_target(row.request)
    base = base_url or row.origin_url
    if target is None or base is None:
        return None
    url = signed_url(base, row.redacted_audio_file, key, int(time.time()) + url_seconds)
    return Webhook(target.url, target.headers, ready_json(url))


def retry_delay(base_seconds: float, attempt: int) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): base, 2 x base, 4 x base, ...
    capped at MAX_RETRY_DELAY_SECONDS."""
    return min(base_seconds * 2 ** (attempt - 1), MAX_RETRY_DELAY_SECONDS)


def is_retried(status_code: int) -> bool:
    return status_code >= 500


class WebhookSender:
    def __init__(self, settings: Settings, db: Database, signing_key: bytes | None = None) -> None:
        self.settings = settings
        self.db = db
        self._signing_key = signing_key  # of redacted-audio URLs; read from the database if not given

    def signing_key(self) -> bytes:
        if self._signing_key is None:
            configured = self.settings.url_signing_secret
            with self.db.session() as session:
                self._signing_key = url_signing_key(
                    session, configured.get_secret_value() if configured else None
                )
        return self._signing_key

    def _owed(self, transcript_id: str, kind: str = TRANSCRIPT_WEBHOOK) -> Webhook | None:
        with self.db.session() as session:
            row = transcripts.get(session, transcript_id)
            if row is None:
                return None
            if kind == REDACTED_AUDIO_WEBHOOK:
                return redacted_audio_webhook_for(
                    row,
                    base_url=self.settings.public_url,
                    key=self.signing_key(),
                    url_seconds=self.settings.redacted_audio_url_seconds,
                )
            return webhook_for(row)

    def is_owed(self, transcript_id: str, kind: str = TRANSCRIPT_WEBHOOK) -> bool:
        """Whether the transcript asked for a webhook and is finished (and not deleted); for the
        redacted-audio notification, whether its redacted audio is ready too."""
        return self._owed(transcript_id, kind) is not None

    def deliver(self, transcript_id: str, attempt: int = 0, kind: str = TRANSCRIPT_WEBHOOK) -> float | None:
        """Make the transcript's due delivery attempt of ``kind``, if one is due (the outbox row
        says which; ``attempt`` is only the queue's guess). Returns the delay in seconds before the
        next attempt, or None when delivery is over (answered, refused, given up, not owed, or not
        due: another process holds it)."""
        hold = 2 * self.settings.webhook_timeout_seconds + HOLD_MARGIN_SECONDS
        with self.db.session() as session:
            claimed = transcripts.claim_webhook(session, transcript_id, hold, kind)
        if claimed is None:
            return None
        delay = self._attempt(transcript_id, claimed, kind)
        with self.db.session() as session:
            transcripts.schedule_webhook(session, transcript_id, delay, kind)
        return delay

    def _attempt(self, transcript_id: str, attempt: int, kind: str) -> float | None:
        webhook = self._owed(transcript_id, kind)  # read again each time: deleted rows get nothing
        if webhook is None:
            return None
        try:
            check_url_allowed(webhook.url, self.settings.allow_private_urls, action="Webhook to")
        except OutboundError as exc:  # the address policy: never sent, never retried
            metrics.WEBHOOK_DELIVERIES.labels(kind=kind, outcome="blocked").inc()
            log.warning("transcript %s: %s", transcript_id, exc, extra={"transcript_id": transcript_id})
            return None
        try:
            status_code = post_json(
                webhook.url,
                webhook.payload,
                webhook.headers,
                timeout_seconds=self.settings.webhook_timeout_seconds,
                allow_private=self.settings.allow_private_urls,
            )
        except OutboundError as exc:  # timeout or connection failure: retried
            metrics.WEBHOOK_DELIVERIES.labels(kind=kind, outcome="unreachable").inc()
            log.info("transcript %s: %s webhook attempt %d failed: %s", transcript_id, kind, attempt, exc)
        else:
            metrics.WEBHOOK_DELIVERIES.labels(kind=kind, outcome=metrics.webhook_outcome(status_code)).inc()
            if kind == TRANSCRIPT_WEBHOOK:
                with self.db.session() as session:
                    transcripts.record_webhook_status(session, transcript_id, status_code)
            log.info(
                "transcript %s: %s webhook attempt %d answered %d", transcript_id, kind, attempt, status_code
            )
            if not is_retried(status_code):
                return None
        if attempt >= MAX_ATTEMPTS:
            log.warning("transcript %s: %s webhook given up after %d attempts", transcript_id, kind, attempt)
            return None
        return retry_delay(self.settings.webhook_retry_base_seconds, attempt)
