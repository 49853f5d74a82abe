"""One process's parts, built from the settings and handed to whatever needs them: the database,
file storage, the job queue and runner, webhooks, the streaming service, the pool of synchronous
(OpenAI-route) transcriptions, and where models run. The API reaches it through a typed dependency
(``api/deps.py``); nothing below it reads global settings."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, CollectorRegistry, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from sqlalchemy import text

from stenograph.assemblyai.models import packaged_model_for, use_aliases
from stenograph.config import Settings
from stenograph.jobs.queue import JobQueue
from stenograph.jobs.reaper import Reaper, remove_stray_redacted_audio
from stenograph.jobs.runner import JobRunner
from stenograph.jobs.webhooks import WebhookSender
from stenograph.llm import LLMEngine
from stenograph.llm.factory import LLMSettings, build_engine
from stenograph.pipeline.audio import AudioLimits
from stenograph.pipeline.models import (
    MULTILINGUAL_MODEL,
    ModelSettings,
    UserModel,
    model_files_problem,
    use_models,
    user_models,
)
from stenograph.store import keys, transcripts
from stenograph.store.db import Database
from stenograph.store.files import FileStorage
from stenograph.store.models import utcnow
from stenograph.store.server_secrets import url_signing_key
from stenograph.store.transcripts import WEBHOOK_KINDS
from stenograph.streaming.service import StreamingService

# Partial uploads and scratch files untouched this long were left by a process that died.
ABANDONED_FILE_SECONDS = 6 * 3600

log = logging.getLogger(__name__)


def audio_limits(settings: Settings) -> AudioLimits:
    """What a file may hold before the pipeline refuses it."""
    return AudioLimits(max_seconds=settings.max_audio_seconds)


def model_settings(settings: Settings) -> ModelSettings:
    """Where and how this process runs its models."""
    return ModelSettings(
        device=settings.device,  # already stripped and lower-cased by Settings
        cpu_threads=settings.cpu_threads,
        cache_dir=settings.resolved_model_cache_dir,
        streaming_threads=settings.streaming_threads,
    )


class ModelConfigError(ValueError):
    """STENOGRAPH_MODELS names a model that cannot be used; the message says which and why."""


def use_configured_models(settings: Settings) -> list[UserModel]:
    """Register the models STENOGRAPH_MODELS brings and its AssemblyAI aliases for this process,
    each directory checked; ModelConfigError when one cannot be used (the server must not start)."""
    catalogue = settings.model_catalogue
    before = user_models()
    try:
        brought = use_models(catalogue.models)
        use_aliases(catalogue.aliases)
    except ValueError as exc:
        raise ModelConfigError(f"STENOGRAPH_MODELS: {exc}") from None
    for model in brought if brought != before else ():  # logged once (the command checks first)
        kind = "multilingual" if model.multilingual else "English-only"
        log.info("model %s (%s) from %s", model.name, kind, model.path)
    return brought


def served_models(settings: Settings) -> list[str]:
    """The models a request may need without naming one: the default, the streaming model and
    the multilingual one (language detection)."""
    names = [packaged_model_for(settings.default_model) or settings.default_model]
    names.append(packaged_model_for(settings.streaming_model) or settings.streaming_model)
    names.append(MULTILINGUAL_MODEL)
    return list(dict.fromkeys(names))


def llm_settings(settings: Settings) -> LLMSettings:
    """Which language model this process runs, and its limits."""
    return LLMSettings(
        cache_dir=settings.resolved_model_cache_dir,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key.get_secret_value() if settings.llm_api_key else None,
        model=settings.llm_model,
        model_path=settings.llm_model_path,
        context_tokens=settings.llm_context_tokens,
        threads=settings.llm_threads,
        max_waiting=settings.llm_max_waiting,
        time_limit_s=settings.llm_time_limit_seconds,
        max_tokens=settings.llm_max_tokens,
    )


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        use_configured_models(settings)
        self.model_settings = model_settings(settings)
        self.audio_limits = audio_limits(settings)
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.resolved_database_url)
        self.db.migrate()
        self.storage = FileStorage(settings.resolved_uploads_dir)
        self.remove_abandoned_files()
        configured = settings.url_signing_secret
        with self.db.session() as session:
            # Signs and checks redacted-audio URLs: the same on every process sharing the database.
            self.url_signing_key = url_signing_key(
                session, configured.get_secret_value() if configured else None
            )
        self.webhooks = WebhookSender(settings, self.db, self.url_signing_key)
        self.runner = JobRunner(
            settings,
            self.db,
            self.storage,
            on_finished=self._job_finished,
            model_settings=self.model_settings,
            audio_limits=self.audio_limits,
            llm=lambda: self.llm,
        )
        self.queue = JobQueue(settings, self.runner.run, deliver_webhook=self.webhooks.deliver)
        self._reaper: Reaper | None = None
        self.streaming = StreamingService(
            max_sessions=settings.streaming_max_sessions,
            inference_threads=settings.streaming_threads,
            admit_lag_s=settings.streaming_admit_lag_seconds,
            shed_lag_s=settings.streaming_shed_lag_seconds,
            model_settings=self.model_settings,
        )
        self.sync_transcriptions = ThreadPoolExecutor(
            max_workers=settings.sync_transcription_threads, thread_name_prefix="sync-transcription"
        )
        self.metrics_registry = self._metrics_registry()
        self._metrics_server: WSGIServer | None = None
        self._llm: LLMEngine | None = None
        self._llm_lock = threading.Lock()

    @property
    def llm(self) -> LLMEngine:
        """The process's language-model engine, built on first use (joining the packaged model's
        parts the first time ever takes a few seconds; the model loads on the first generation)."""
        if self._llm is None:
            with self._llm_lock:
                if self._llm is None:
                    self._llm = build_engine(llm_settings(self.settings))
        return self._llm

    def _job_finished(self, transcript_id: str) -> None:
        for kind in WEBHOOK_KINDS:
            if self.webhooks.is_owed(transcript_id, kind):
                self.queue.enqueue_webhook(transcript_id, kind=kind)

    def remove_abandoned_files(self) -> None:
        removed = self.storage.remove_abandoned(ABANDONED_FILE_SECONDS)
        if removed:
            log.info("removed %d abandoned partial upload(s) and scratch file(s)", removed)
        remove_stray_redacted_audio(self.db, self.storage, ABANDONED_FILE_SECONDS)

    def start_worker(self) -> None:
        """Consume jobs in this process (threads) and reap expired leases."""
        self.queue.start_consumer(self.settings.workers)
        self._reaper = Reaper(
            self.db,
            self.queue.enqueue,
            self.queue.depth,
            interval=self.settings.reaper_interval_seconds,
            grace=self.settings.job_lease_seconds,
            enqueue_webhook=self.queue.enqueue_webhook,
            waiting_webhooks=self.queue.waiting_webhooks,
            housekeeping=self.remove_abandoned_files,
        )
        self._reaper.start()

    def shutdown(self) -> None:
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server.server_close()
        if self._reaper is not None:
            self._reaper.stop()
        self.queue.stop_consumer()
        self.streaming.shutdown()
        self.sync_transcriptions.shutdown(wait=False, cancel_futures=True)
        if self._llm is not None:
            self._llm.shutdown()
        self.db.dispose()

    # ------------------------------------------------------------------ operations

    def readiness(self) -> dict[str, str]:
        """Each part a request needs, "ok" or why not: the database, the queue, and the files of
        the models served by default (checked on disk, never loaded)."""
        checks: dict[str, str] = {}
        try:
            with self.db.reader() as connection:
                connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable: {type(exc).__name__}"
        try:
            self.queue.depth()
            checks["queue"] = "ok"
        except Exception as exc:
            checks["queue"] = f"unreachable: {type(exc).__name__}"
        problems = [
            p
            for name in served_models(self.settings)
            if (p := model_files_problem(name, self.model_settings))
        ]
        checks["models"] = "; ".join(problems) if problems else "ok"
        return checks

    def _metrics_registry(self) -> CollectorRegistry:
        """What /metrics shows: this process's counters (and prometheus-client's process and
        Python collectors) and the runtime's state read when scraped."""
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_Forward(REGISTRY))
        registry.register(RuntimeCollector(self))
        return registry

    def start_metrics_server(self) -> None:
        """Serve /metrics on STENOGRAPH_METRICS_PORT (a thread of prometheus-client's), if set."""
        port = self.settings.metrics_port
        if port is None or self._metrics_server is not None:
            return
        self._metrics_server, _ = start_http_server(
            port, addr=self.settings.metrics_host, registry=self.metrics_registry
        )
        log.info("metrics on http://%s:%d/metrics", self.settings.metrics_host, port)

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


class _Forward:
    """Another registry's metrics, inside this one."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self._registry.collect()


class RuntimeCollector:
    """Gauges read when scraped: jobs by status, queue depth and the age of the oldest queued job
    from the database rows (the truth, the same for every process of a fleet), the queue's
    messages (Huey's), and this process's open live sessions."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[Metric]:
        runtime = self._runtime
        with runtime.db.session() as session:
            counts = transcripts.job_counts(session)
        jobs = GaugeMetricFamily(
            "stenograph_jobs", "Transcripts in the database by status", labels=["status"]
        )
        for status, n in counts.by_status.items():
            jobs.add_metric([status], n)
        yield jobs
        yield GaugeMetricFamily(
            "stenograph_queue_depth", "Jobs queued (rows in status queued)", value=counts.by_status["queued"]
        )
        age = 0.0 if counts.oldest_queued_at is None else (utcnow() - counts.oldest_queued_at).total_seconds()
        yield GaugeMetricFamily(
            "stenograph_queue_oldest_age_seconds",
            "Age of the oldest queued job (0: none queued)",
            value=max(0.0, age),
        )
        try:
            messages = float(runtime.queue.depth())
        except Exception as exc:  # unreachable queue: /ready says so; the metric is left out
            log.warning("metrics: the queue's depth could not be read: %s", type(exc).__name__)
        else:
            yield GaugeMetricFamily(
                "stenograph_queue_messages",
                "Messages waiting in the queue (transcriptions and webhook deliveries)",
                value=messages,
            )
        yield GaugeMetricFamily(
            "stenograph_streaming_sessions_open",
            "Live sessions open in this process",
            value=runtime.streaming.active,
        )
