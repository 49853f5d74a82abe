"""The job runner's outcomes on a real SQLite database: an attempt cap for inputs that kill their
worker, and no internal exception text in a job's error. The pipeline is replaced by a stand-in
that fails (plumbing only; real transcriptions are in tests/e2e)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from stenograph.config import Settings
from stenograph.jobs import runner as runner_module
from stenograph.jobs.runner import JobRunner
from stenograph.store import keys, transcripts, uploads
from stenograph.store.db import Database
from stenograph.store.files import FileStorage
from stenograph.store.models import Transcript


@pytest.fixture()
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    database.migrate()
    return database


def uploaded_transcript(db: Database, storage: FileStorage) -> str:
    storage.path_for("a" * 32).write_bytes(b"RIFF....WAVE")
    with db.session() as s:
        project = keys.create_project(s, "p").id
        uploads.add(s, "a" * 32, project, 12)
        return transcripts.create(
            s,
            project_id=project,
            audio_url="http://localhost/v2/upload/" + "a" * 32,
            upload_id="a" * 32,
            request={},
            model="tiny.en",
        ).id


def load(db: Database, transcript_id: str) -> Transcript:
    with db.session() as s:
        row = transcripts.get(s, transcript_id)
        assert row is not None
        return row


def workers_died_holding(db: Database, transcript_id: str, times: int) -> None:
    """``times`` workers take the job and die holding it: their leases lapse."""
    for _ in range(times):
        with db.session() as s:
            assert transcripts.claim(s, transcript_id, lease_seconds=0.05) is not None
        time.sleep(0.1)


def make_runner(db: Database, tmp_path: Path, **settings: object) -> tuple[JobRunner, FileStorage]:
    storage = FileStorage(tmp_path / "uploads")
    return JobRunner(Settings(data_dir=tmp_path, **settings), db, storage), storage


def test_an_unexpected_exception_is_logged_and_the_job_error_says_nothing_internal(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    runner, storage = make_runner(db, tmp_path)
    transcript_id = uploaded_transcript(db, storage)

    def crash(*_args: object, **_kwargs: object) -> None:
        raise ValueError("could not open /var/lib/secret-host/internal.bin: token=abc123")

    monkeypatch.setattr(runner_module.pipeline, "transcribe", crash)
    with caplog.at_level(logging.ERROR, logger="stenograph.jobs.runner"):
        runner.run(transcript_id)

    row = load(db, transcript_id)
    assert row.status == "error" and row.error is not None
    assert "secret" not in row.error and "ValueError" not in row.error and "abc123" not in row.error
    assert "internal server error" in row.error and transcript_id in row.error
    assert "secret-host" in caplog.text  # the details are in the log, under the transcript's id


def test_a_job_whose_worker_died_on_every_attempt_ends_in_error_after_the_cap(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, storage = make_runner(db, tmp_path, max_job_attempts=3, job_lease_seconds=0.05)
    transcript_id = uploaded_transcript(db, storage)
    ran: list[str] = []
    monkeypatch.setattr(runner_module.pipeline, "transcribe", lambda *a, **k: ran.append("ran"))

    workers_died_holding(db, transcript_id, times=3)

    runner.run(transcript_id)  # the fourth start
    row = load(db, transcript_id)
    assert ran == []  # the pipeline was not run again
    assert row.status == "error" and row.error is not None
    assert "failed repeatedly" in row.error and "3 attempts" in row.error
    runner.run(transcript_id)  # a duplicate queue message changes nothing
    assert load(db, transcript_id).error == row.error and ran == []


def test_attempts_up_to_the_cap_still_run(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner, storage = make_runner(db, tmp_path, max_job_attempts=3, job_lease_seconds=0.05)
    transcript_id = uploaded_transcript(db, storage)
    ran: list[str] = []

    def fails_cleanly(*_args: object, **_kwargs: object) -> None:
        ran.append("ran")
        raise runner_module.PipelineError("The file is not audio.")

    monkeypatch.setattr(runner_module.pipeline, "transcribe", fails_cleanly)
    workers_died_holding(db, transcript_id, times=2)
    runner.run(transcript_id)  # the third attempt runs, and its own error is kept
    assert ran == ["ran"] and load(db, transcript_id).error == "The file is not audio."
