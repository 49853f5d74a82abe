"""Running one transcript job: claim the row, fetch the audio, run the pipeline, store the outcome."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from stenograph import pipeline
from stenograph.assemblyai.options import pipeline_options
from stenograph.assemblyai.requests import load_options
from stenograph.assemblyai.transcripts import result_json, unredacted_json
from stenograph.assemblyai.webhooks import webhook_target
from stenograph.config import Settings
from stenograph.jobs.outbound import OutboundError, download_to_file
from stenograph.pipeline import AudioLimits, PipelineError
from stenograph.pipeline.audio import DEFAULT_AUDIO_LIMITS
from stenograph.pipeline.models import DEFAULT_MODEL_SETTINGS, ModelSettings
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


class JobRunner:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        storage: FileStorage,
        on_finished: Callable[[str], None] | None = None,
        model_settings: ModelSettings = DEFAULT_MODEL_SETTINGS,
        audio_limits: AudioLimits = DEFAULT_AUDIO_LIMITS,
    ) -> None:
        self.settings = settings
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
        finish = partial(self._finish, transcript_id, claim.token, webhook_owed=owes_webhook(row.request))
        if claim.token > self.settings.max_job_attempts:
            log.error(
                "transcript %s: worker died in each of %d attempts; giving up", transcript_id, claim.token - 1
            )
            finish(status=transcripts.ERROR, error=repeated_failure(claim.token - 1))
            return
        log.info("transcript %s: attempt %d with %s", transcript_id, claim.token, row.model)
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
            except (PipelineError, OutboundError) as exc:
                finish(status=transcripts.ERROR, error=str(exc))
                return
            except Exception:  # details go to the log only: they may name paths, hosts or internals
                log.exception("transcript %s failed", transcript_id)
                finish(status=transcripts.ERROR, error=internal_error(transcript_id))
                return
        finish(
            status=transcripts.COMPLETED,
            result=result_json(result, params),
            unredacted=unredacted_json(result),
            speech_model_used=result.speech_model_used,
        )

    def _finish(self, transcript_id: str, token: int, **outcome: Any) -> None:
        with self.db.session() as session:
            stored = transcripts.finish(session, transcript_id, token, **outcome)
        if not stored:
            log.info(
                "transcript %s: claim %d lost (deleted or re-claimed); result dropped",
                transcript_id,
                token,
            )
            return
        if self.on_finished is not None:
            try:
                self.on_finished(transcript_id)
            except Exception:  # the outcome is stored; a lost notification must not undo it
                log.exception("transcript %s: finish notification failed", transcript_id)

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
