"""The job queue (Huey). It carries only transcript ids; the database row is the truth.

Embedded default: SqliteHuey in the data directory with a consumer running as threads inside
the API process. Fleet: RedisHuey (``STENOGRAPH_QUEUE_URL=redis://...``) with ``stenograph worker``
processes anywhere.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer, Worker

from stenograph.config import Settings
from stenograph.store.transcripts import REDACTED_AUDIO_WEBHOOK, TRANSCRIPT_WEBHOOK

QUEUE_NAME = "stenograph"
# One task per kind of notification (its messages carry (transcript id, attempt)).
WEBHOOK_TASKS = {TRANSCRIPT_WEBHOOK: "webhook", REDACTED_AUDIO_WEBHOOK: "redacted_audio_webhook"}
WEBHOOK_TASK = WEBHOOK_TASKS[TRANSCRIPT_WEBHOOK]


def make_huey(settings: Settings, name: str = QUEUE_NAME) -> Huey:
    if settings.queue_url and settings.queue_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=settings.queue_url, results=False)
    if settings.queue_url:
        raise ValueError(f"STENOGRAPH_QUEUE_URL must be a redis:// URL, got {settings.queue_url!r}")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(settings.data_dir / "queue.db"), results=False)


class _WakeableWorker(Worker):
    """Polls like Huey's worker, but a job enqueued in this process wakes it at once."""

    wake: threading.Event
    delay: float  # set by Worker.__init__ (huey has no type hints)

    def sleep(self) -> None:
        if self.wake.wait(min(self.delay, self.max_delay)):
            self.wake.clear()
            self.delay = self.default_delay
        else:
            self.delay *= self.backoff


class _EmbeddedConsumer(Consumer):
    """A consumer that leaves signal handling to its host (uvicorn or the worker command)."""

    worker_class = _WakeableWorker

    def __init__(self, *args: object, wake: threading.Event, **kwargs: object) -> None:
        self.wake = wake
        super().__init__(*args, **kwargs)

    def _create_worker(self) -> Worker:
        worker = super()._create_worker()
        worker.wake = self.wake
        return worker

    def _set_signal_handlers(self) -> None:
        pass


class JobQueue:
    def __init__(
        self,
        settings: Settings,
        run_job: Callable[[str], None],
        deliver_webhook: Callable[[str, int, str], float | None] | None = None,
        name: str = QUEUE_NAME,  # tests sharing one Redis use names of their own
    ) -> None:
        self.huey = make_huey(settings, name)
        self._task = self.huey.task(name="transcribe")(run_job)
        self._deliver_webhook = deliver_webhook  # (transcript id, attempt, kind) -> next delay

        def transcript_webhook(transcript_id: str, attempt: int) -> None:
            self._run_webhook(transcript_id, attempt, TRANSCRIPT_WEBHOOK)

        def redacted_audio_webhook(transcript_id: str, attempt: int) -> None:
            self._run_webhook(transcript_id, attempt, REDACTED_AUDIO_WEBHOOK)

        self._webhook_tasks = {
            TRANSCRIPT_WEBHOOK: self.huey.task(name=WEBHOOK_TASKS[TRANSCRIPT_WEBHOOK])(transcript_webhook),
            REDACTED_AUDIO_WEBHOOK: self.huey.task(name=WEBHOOK_TASKS[REDACTED_AUDIO_WEBHOOK])(
                redacted_audio_webhook
            ),
        }
        self._consumer: Consumer | None = None
        self._wake = threading.Event()  # set on enqueue: wakes this process's idle consumer threads

    def enqueue(self, transcript_id: str) -> None:
        self._task(transcript_id)
        self._wake.set()

    def waiting_webhooks(self, kind: str = TRANSCRIPT_WEBHOOK) -> set[str]:
        """Transcript ids with a webhook message of ``kind`` waiting in the queue or scheduled for
        a retry. Reads every message: for the reaper, and only when some delivery is overdue."""
        tasks = [*self.huey.pending(), *self.huey.scheduled()]
        name = WEBHOOK_TASKS[kind]
        return {str(task.args[0]) for task in tasks if task.name == name and task.args}

    def depth(self) -> int:
        """Messages waiting in the queue (transcriptions and webhook deliveries), all processes'."""
        return int(self.huey.pending_count())

    def enqueue_webhook(
        self, transcript_id: str, attempt: int = 1, delay: float = 0.0, kind: str = TRANSCRIPT_WEBHOOK
    ) -> None:
        """Queue webhook delivery attempt ``attempt`` of ``kind``. A delayed one waits in Huey's
        schedule, which is stored with the queue, so it survives a restart (the consumer's
        scheduler moves due tasks to the queue about once a second)."""
        task = self._webhook_tasks[kind]
        if delay > 0:
            task.schedule(args=(transcript_id, attempt), delay=delay)
        else:
            task(transcript_id, attempt)

    def _run_webhook(self, transcript_id: str, attempt: int, kind: str) -> None:
        if self._deliver_webhook is None:
            return
        delay = self._deliver_webhook(transcript_id, attempt, kind)
        if delay is not None:
            self.enqueue_webhook(transcript_id, attempt + 1, delay, kind)

    def start_consumer(self, workers: int) -> None:
        # A short max_delay keeps queue-to-start latency low; polling an idle queue is cheap.
        self._consumer = _EmbeddedConsumer(
            self.huey,
            workers=workers,
            worker_type="thread",
            periodic=False,
            max_delay=0.25,
            initial_delay=0.05,
            backoff=1.5,
            check_worker_health=False,
            shutdown_timeout=5,
            wake=self._wake,
        )
        self._consumer.start()

    def stop_consumer(self, graceful: bool = True) -> None:
        if self._consumer is not None:
            self._consumer.stop(graceful=graceful)
            self._consumer = None
