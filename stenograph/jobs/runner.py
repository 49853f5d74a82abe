"""Running one transcript job: claim the row, fetch the audio, run the pipeline, store the outcome."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from stenograph import metrics, pipeline
from stenograph.assemblyai.options import pipeline_options
from stenograph.assemblyai.redacted_audio import redacted_audio_request
from stenograph.assemblyai.requests import TranscriptOptionalParams, load_options
from stenograph.assemblyai.transcripts import result_json, unredacted_json
from stenograph.assemblyai.webhooks import webhook_target
from stenograph.config import Settings
from stenograph.jobs.outbound import OutboundError, download_to_file
from stenograph.llm import LLMEngine
from stenograph.llm.files import ModelFilesMissing
from stenograph.llmtasks import LLMTaskError, TaskRequest, run_tasks
from stenograph.pipeline import AudioLimits, PipelineError
from stenograph.pipeline.audio import DEFAULT_AUDIO_LIMITS
from stenograph.pipeline.models import DEFAULT_MODEL_SETTINGS, ModelSettings
from stenograph.pipeline.redacted_audio import widened, write_redacted_audio
from stenograph.pipeline.types import TranscriptResult
from stenograph.store import transcripts
from stenograph.store.db import Database
from stenograph.store.files import FileStorage

log = logging.getLogger(__name__)


def owes_webhook(stored_request: dict[str, Any] | None) -> bool:
    """Whether the finished job must notify a webhook (stored in the outbox with its outcome)."""
    try:
        return webhook_target(stored_request) is not None
    except Exception:  # a stored request that no longer validates fails its job elsewhere
        log.exception("stored request of a job could not be read for its webhook")
        return False


def repeated_failure(attempts: int) -> str:
    return (
        f"Transcription failed repeatedly: the worker stopped during each of {attempts} attempts. "
        "The file may be damaged or unusual; try converting it (e.g. to 16 kHz mono WAV) and submit it again."
    )


def internal_error(transcript_id: str) -> str:
    return (
        f"Transcription failed due to an internal server error. Please try again; if it keeps failing, "
        f"the server's log has the details under transcript {transcript_id}."
    )


@dataclass(frozen=True)
class RedactedAudio:
    """The redacted audio a job made (or why it made none), stored with its outcome."""

    status: str  # transcripts.REDACTED_AUDIO_*
    file: str | None = None  # the name in the storage's redacted/ folder


@dataclass(frozen=True)
class Observed:
    """What a job's end is logged and counted with: its model and when this process claimed it."""

    model: str
    started: float  # time.monotonic()

    def finished(
        self, transcript_id: str, status: str, error: str | None, audio_seconds: float | None
    ) -> None:
        seconds = time.monotonic() - self.started
        metrics.JOBS_FINISHED.labels(model=self.model, status=status).inc()
        metrics.JOB_DURATION.labels(model=self.model, status=status).observe(seconds)
        if audio_seconds:
            metrics.AUDIO_SECONDS.labels(model=self.model).inc(audio_seconds)
        fields = {
            "transcript_id": transcript_id,
            "status": status,
            "model": self.model,
            "duration_ms": round(seconds * 1000),
            "audio_seconds": audio_seconds,
        }
        if status == transcripts.COMPLETED:
            log.info(
                "transcript %s: completed in %.1f s (%.1f s of audio, model %s)",
                transcript_id,
                seconds,
                audio_seconds or 0.0,
                self.model,
                extra=fields,
            )
        else:
            log.info(
                "transcript %s: %s after %.1f s: %s", transcript_id, status, seconds, error, extra=fields
            )


class JobRunner:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        storage: FileStorage,
        on_finished: Callable[[str], None] | None = None,
        model_settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
        audio_limits: AudioLimits = DEFAULT_AUDIO_LIMITS,
        llm: Callable[[], LLMEngine] | None = None,
    ) -> None:
        self.settings = settings
        self.llm = llm  # the process's language-model engine, built on first use
        self.model_settings = model_settings
        self.audio_limits = audio_limits
        self.db = db
        self.storage = storage
        self.on_finished = on_finished  # called once the outcome is stored (webhook delivery)

    def run(self, transcript_id: str) -> None:
        with self.db.session() as session:
            claim = transcripts.claim(session, transcript_id, self.settings.job_lease_seconds)
        if claim is None:
            return  # done, deleted, or held by a live worker: the queue message was a duplicate
        row = claim.transcript
        started = time.monotonic()
        finish = partial(
            self._finish,
            transcript_id,
            claim.token,
            webhook_owed=owes_webhook(row.request),
            observed=Observed(row.model, started),
        )
        if claim.token > self.settings.max_job_attempts:
            log.error(
                "transcript %s: worker died in each of %d attempts; giving up", transcript_id, claim.token - 1
            )
            finish(status=transcripts.ERROR, error=repeated_failure(claim.token - 1))
            return
        log.info(
            "transcript %s: attempt %d with %s (processing)",
            transcript_id,
            claim.token,
            row.model,
            extra={
                "transcript_id": transcript_id,
                "status": "processing",
                "attempt": claim.token,
                "model": row.model,
            },
        )
        redacted: RedactedAudio | None = None
        with self._lease_kept(transcript_id, claim.token):
            try:
                params = load_options(row.request)
                with self._audio_file(row.id, row.upload_id, row.audio_url) as path:
                    result = pipeline.transcribe(
                        path,
                        pipeline_options(params, row.model),
                        models=self.model_settings,
                        limits=self.audio_limits,
                    )
                    # Made while the audio is still here (a download goes with the job), before
                    # the outcome is stored: the job's lease covers it, so a worker dying here
                    # leaves the whole job to be run again.
                    redacted = self._redacted_audio(transcript_id, claim.token, params, result, path)
                # Summaries, chapters, speaker identification, translation: on the finished
                # transcript, still under the lease; the transcript stays "processing" meanwhile.
                payload = self._llm_tasks(transcript_id, result_json(result, params), params)
            except (PipelineError, OutboundError, LLMTaskError) as exc:
                finish(status=transcripts.ERROR, error=str(exc))
                return
            except Exception:  # details go to the log only: they may name paths, hosts or internals
                log.exception("transcript %s failed", transcript_id)
                finish(status=transcripts.ERROR, error=internal_error(transcript_id))
                return
        stored = finish(
            status=transcripts.COMPLETED,
            result=payload,
            unredacted=unredacted_json(result),
            speech_model_used=result.speech_model_used,
            audio_seconds=result.audio_duration,
            redacted_audio_status=redacted.status if redacted else None,
            redacted_audio_file=redacted.file if redacted else None,
            redacted_audio_webhook_owed=bool(redacted and redacted.file and owes_webhook(row.request)),
        )
        if redacted is not None and redacted.file is not None:
            # Stored: earlier attempts' files are left-overs. Dropped: this attempt's file is one.
            kept = {"keep": redacted.file} if stored else {"only": redacted.file}
            self.storage.delete_redacted(transcript_id, **kept)

    def _llm_tasks(
        self, transcript_id: str, payload: dict[str, Any], params: TranscriptOptionalParams
    ) -> dict[str, Any]:
        tasks = TaskRequest.from_request(params.model_dump(exclude_none=True))
        if not tasks.wanted:
            return payload
        if self.llm is None:
            raise LLMTaskError(
                "This worker has no language model to run summaries, chapters or speech understanding"
            )
        try:
            engine = self.llm()
        except ModelFilesMissing as exc:  # the packaged model is not installed here
            raise LLMTaskError(f"The language model is not available on this worker: {exc}") from exc
        started = time.monotonic()
        done = run_tasks(payload, tasks, engine, repeat_penalty=self.settings.llm_repeat_penalty)
        log.info(
            "transcript %s: language-model tasks in %.1f s",
            transcript_id,
            time.monotonic() - started,
            extra={"transcript_id": transcript_id},
        )
        return done

    def _redacted_audio(
        self,
        transcript_id: str,
        attempt: int,
        params: TranscriptOptionalParams,
        result: TranscriptResult,
        source: Path,
    ) -> RedactedAudio | None:
        """The redacted copy of ``source`` the request asked for, written to storage. As AssemblyAI,
        audio without speech gets none unless return_redacted_no_speech_audio was set."""
        wanted = redacted_audio_request(params)
        if wanted is None:
            return None
        if not result.words and not wanted.return_no_speech:
            return RedactedAudio(transcripts.REDACTED_AUDIO_NO_SPEECH)
        try:
            written = write_redacted_audio(
                source,
                widened(result.redactions or ()),
                self.storage.redacted_stem(transcript_id, attempt),
                audio_format=wanted.format,
                method=wanted.method,
            )
        except Exception:  # the transcript stands; only its redacted audio is missing
            log.exception("transcript %s: redacted audio failed", transcript_id)
            return RedactedAudio(transcripts.REDACTED_AUDIO_FAILED)
        log.info(
            "transcript %s: redacted audio %s (%d span(s))",
            transcript_id,
            written.path.name,
            len(result.redactions or ()),
        )
        return RedactedAudio(transcripts.REDACTED_AUDIO_READY, written.path.name)

    def _finish(
        self,
        transcript_id: str,
        token: int,
        observed: Observed,
        audio_seconds: float | None = None,
        **outcome: Any,
    ) -> bool:
        """Store the outcome; whether it was stored (not: the claim was lost)."""
        with self.db.session() as session:
            stored = transcripts.finish(session, transcript_id, token, **outcome)
        if not stored:
            log.info(
                "transcript %s: claim %d lost (deleted or re-claimed); result dropped",
                transcript_id,
                token,
                extra={"transcript_id": transcript_id, "attempt": token},
            )
            return False
        observed.finished(transcript_id, outcome["status"], outcome.get("error"), audio_seconds)
        if self.on_finished is not None:
            try:
                self.on_finished(transcript_id)
            except Exception:  # the outcome is stored; a lost notification must not undo it
                log.exception("transcript %s: finish notification failed", transcript_id)
        return True

    @contextmanager
    def _audio_file(self, transcript_id: str, upload_id: str | None, audio_url: str) -> Iterator[Path]:
        if upload_id is not None:
            path = self.storage.path_for(upload_id)
            if not path.exists():
                raise PipelineError("The uploaded file is no longer available; upload it again.")
            yield path
            return
        path = self.storage.scratch_path(f"{transcript_id}.download")
        try:
            download_to_file(
                audio_url,
                path,
                max_bytes=self.settings.max_download_bytes,
                timeout_seconds=self.settings.download_timeout_seconds,
                allow_private=self.settings.allow_private_urls,
            )
            yield path
        finally:
            path.unlink(missing_ok=True)

    @contextmanager
    def _lease_kept(self, transcript_id: str, token: int) -> Iterator[None]:
        """Renew the lease while the job runs; if this process dies, the lease lapses and the
        reaper hands the job to another worker."""
        stop = threading.Event()
        interval = max(self.settings.job_lease_seconds / 3, 0.5)

        def heartbeat() -> None:
            while not stop.wait(interval):
                try:
                    with self.db.session() as session:
                        if not transcripts.renew_lease(
                            session, transcript_id, token, self.settings.job_lease_seconds
                        ):
                            return
                except Exception:
                    log.exception("transcript %s: lease renewal failed", transcript_id)

        thread = threading.Thread(target=heartbeat, name=f"lease-{transcript_id[:8]}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
