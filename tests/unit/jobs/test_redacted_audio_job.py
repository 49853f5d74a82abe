"""Redacted audio in a job, on a real SQLite database and real files: made with the outcome, its
file removed when the outcome is dropped, by the hourly sweep when no row names it, and its webhook
delivered through its own outbox. The pipeline is a stand-in (real transcriptions: tests/e2e)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import av
import numpy as np
import pytest

from stenograph.assemblyai.redacted_audio import signature_valid
from stenograph.config import Settings
from stenograph.jobs import runner as runner_module
from stenograph.jobs.reaper import remove_stray_redacted_audio, requeue_overdue_webhooks
from stenograph.jobs.runner import JobRunner
from stenograph.jobs.webhooks import WebhookSender
from stenograph.pipeline.types import Redaction, TranscriptResult, Word
from stenograph.store import keys, transcripts, uploads
from stenograph.store.db import Database
from stenograph.store.files import FileStorage
from stenograph.store.models import Transcript
from stenograph.store.transcripts import REDACTED_AUDIO_WEBHOOK

UPLOAD = "b" * 32
PII_AUDIO = {"redact_pii": True, "redact_pii_policies": ["person_name"], "redact_pii_audio": True}


@pytest.fixture()
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    database.migrate()
    return database


@pytest.fixture()
def storage(tmp_path: Path) -> FileStorage:
    storage = FileStorage(tmp_path / "uploads")
    path = storage.path_for(UPLOAD)
    with av.open(str(path), "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=16000, layout="mono")
        tone = (np.sin(np.arange(32000) * 2 * np.pi * 300 / 16000) * 8000).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts = 16000, 0
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return storage


def create(db: Database, request: dict[str, Any]) -> str:
    with db.session() as s:
        project = keys.create_project(s, "p").id
        if uploads.owner(s, UPLOAD) is None:
            uploads.add(s, UPLOAD, project, 1)
        return transcripts.create(
            s,
            project_id=project,
            audio_url=f"http://localhost/v2/upload/{UPLOAD}",
            upload_id=UPLOAD,
            request=request,
            model="tiny.en",
            origin_url="http://stenograph.example:8000",
        ).id


def load(db: Database, transcript_id: str) -> Transcript:
    with db.session() as s:
        row = transcripts.get(s, transcript_id)
        assert row is not None
        return row


def fake_transcribe(words: list[Word], redactions: list[Redaction] | None):
    def transcribe(*_args: object, **_kwargs: object) -> TranscriptResult:
        return TranscriptResult(text=" ".join(w.text for w in words), words=words, redactions=redactions)

    return transcribe


SPOKEN = [Word("Hello", 100, 400, 0.9), Word("####", 500, 900, 0.9)]


def redacted_names(storage: FileStorage) -> list[str]:
    folder = storage.root / "redacted"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_the_job_stores_the_file_with_its_outcome_and_removes_earlier_attempts_files(
    db: Database, storage: FileStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    transcript_id = create(db, {**PII_AUDIO, "redact_pii_audio_quality": "wav"})
    # A worker died after writing its file (attempt 1): the next attempt's success removes it.
    storage.redacted_stem(transcript_id, 1).with_suffix(".1.wav").write_bytes(b"left over")
    with db.session() as s:
        assert transcripts.claim(s, transcript_id, lease_seconds=0.01) is not None
    time.sleep(0.05)
    monkeypatch.setattr(
        runner_module.pipeline, "transcribe", fake_transcribe(SPOKEN, [Redaction(500, 900, "person_name")])
    )
    JobRunner(Settings(data_dir=tmp_path), db, storage).run(transcript_id)
    row = load(db, transcript_id)
    assert row.status == "completed"
    assert (row.redacted_audio_status, row.redacted_audio_file) == ("ready", f"{transcript_id}.2.wav")
    assert redacted_names(storage) == [f"{transcript_id}.2.wav"]
    assert row.redacted_audio_webhook_due_at is None  # no webhook_url: no notification owed


def test_a_dropped_outcome_takes_its_file_with_it(
    db: Database, storage: FileStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    transcript_id = create(db, PII_AUDIO)
    real = runner_module.write_redacted_audio

    def deleted_meanwhile(*args: Any, **kwargs: Any) -> Any:
        written = real(*args, **kwargs)
        with db.session() as s:  # the transcript is deleted while its job still runs
            row = transcripts.get(s, transcript_id)
            assert row is not None
            transcripts.mark_deleted(s, row)
        return written

    monkeypatch.setattr(runner_module, "write_redacted_audio", deleted_meanwhile)
    monkeypatch.setattr(runner_module.pipeline, "transcribe", fake_transcribe(SPOKEN, []))
    JobRunner(Settings(data_dir=tmp_path), db, storage).run(transcript_id)
    assert load(db, transcript_id).status == "error"
    assert redacted_names(storage) == []


def test_no_speech_gets_no_file_unless_asked_and_a_failure_leaves_the_transcript(
    db: Database, storage: FileStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = JobRunner(Settings(data_dir=tmp_path), db, storage)
    monkeypatch.setattr(runner_module.pipeline, "transcribe", fake_transcribe([], []))
    silent = create(db, PII_AUDIO)
    runner.run(silent)
    assert (load(db, silent).redacted_audio_status, load(db, silent).redacted_audio_file) == (
        "no_speech",
        None,
    )
    asked = create(db, {**PII_AUDIO, "redact_pii_audio_options": {"return_redacted_no_speech_audio": True}})
    runner.run(asked)
    assert load(db, asked).redacted_audio_status == "ready"

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(runner_module, "write_redacted_audio", broken)
    failed = create(db, {**PII_AUDIO, "redact_pii_audio_options": {"return_redacted_no_speech_audio": True}})
    runner.run(failed)
    row = load(db, failed)
    assert (row.status, row.redacted_audio_status, row.redacted_audio_file) == ("completed", "failed", None)


def test_the_sweep_removes_files_no_row_names(
    db: Database, storage: FileStorage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module.pipeline, "transcribe", fake_transcribe(SPOKEN, []))
    kept = create(db, PII_AUDIO)
    JobRunner(Settings(data_dir=tmp_path), db, storage).run(kept)
    name = load(db, kept).redacted_audio_file
    assert name is not None
    gone = create(db, PII_AUDIO)
    stray = storage.redacted_stem(gone, 4).with_suffix(".4.mp3")  # a dead worker's, never stored
    stray.write_bytes(b"x")
    orphan = storage.redacted_stem("0" * 8 + "-0000-0000-0000-" + "0" * 12, 1).with_suffix(".1.wav")
    orphan.write_bytes(b"x")  # a row that no longer exists
    assert remove_stray_redacted_audio(db, storage, older_than_seconds=3600) == 0  # all too fresh
    old = time.time() - 7200
    for path in (storage.redacted_path(name), stray, orphan):
        os.utime(path, (old, old))
    assert remove_stray_redacted_audio(db, storage, older_than_seconds=3600) == 2
    assert redacted_names(storage) == [name]


def test_the_redacted_audio_webhook_has_its_own_outbox(
    db: Database,
    storage: FileStorage,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    receiver: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = receiver
    settings = Settings(data_dir=tmp_path, allow_private_urls=True)
    monkeypatch.setattr(runner_module.pipeline, "transcribe", fake_transcribe(SPOKEN, []))
    transcript_id = create(db, {**PII_AUDIO, "webhook_url": url})
    # The process stored the outcome, then died before it queued either delivery.
    JobRunner(settings, db, storage).run(transcript_id)
    row = load(db, transcript_id)
    assert row.webhook_due_at is not None and row.redacted_audio_webhook_due_at is not None

    sender = WebhookSender(settings, db, signing_key=b"k" * 32)
    queued: list[str] = []
    overdue = requeue_overdue_webhooks(db, queued.append, grace_seconds=0, kind=REDACTED_AUDIO_WEBHOOK)
    assert overdue == [transcript_id]
    assert sender.deliver(transcript_id, 1, REDACTED_AUDIO_WEBHOOK) is None
    assert sender.deliver(transcript_id, 1, REDACTED_AUDIO_WEBHOOK) is None  # a duplicate sends nothing
    assert len(received) == 1 and set(received[0]) == {"status", "redacted_audio_url"}
    assert received[0]["status"] == "redacted_audio_ready"
    link = urlsplit(received[0]["redacted_audio_url"])
    name = f"{transcript_id}.1.mp3"
    assert (
        f"{link.scheme}://{link.netloc}{link.path}"
        == f"http://stenograph.example:8000/v2/redacted-audio/{name}"
    )
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert signature_valid(name, query["expires"], query["signature"], b"k" * 32)
    assert 86_000 < int(query["expires"]) - time.time() <= 86_400

    row = load(db, transcript_id)
    assert row.redacted_audio_webhook_due_at is None and row.redacted_audio_webhook_attempts == 1
    assert row.webhook_due_at is not None and row.webhook_status_code is None  # the other is apart
    assert sender.deliver(transcript_id, 1) is None
    assert received[1] == {"transcript_id": transcript_id, "status": "completed"}
    assert load(db, transcript_id).webhook_status_code == 200
