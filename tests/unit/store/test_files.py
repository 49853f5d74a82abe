"""Stored uploads on disk: what an interrupted transfer leaves behind is cleaned by age."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from stenograph.store.files import FileStorage


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_abandoned_partial_uploads_and_scratch_files_are_removed_by_age(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "uploads")
    stale_part = storage.root / "0123abcd.part"
    fresh_part = storage.root / "4567ef01.part"
    stale_scratch = storage.scratch_path("dead-job.download")
    finished_upload = storage.root / "89abcdef"
    for path in (stale_part, fresh_part, stale_scratch, finished_upload):
        path.write_bytes(b"x" * 10)
    for path in (stale_part, stale_scratch, finished_upload):
        _age(path, 7200)

    assert storage.remove_abandoned(older_than_seconds=3600) == 2
    assert not stale_part.exists() and not stale_scratch.exists()
    assert fresh_part.exists()  # an upload still being written
    assert finished_upload.exists()  # stored uploads are not this method's business
    assert storage.remove_abandoned(older_than_seconds=3600) == 0


def test_redacted_audio_files_by_transcript_and_attempt(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path)
    transcript_id = "0b5c2f38-4a5e-4a0e-9f6e-0d1b2c3d4e5f"
    other = "1b5c2f38-4a5e-4a0e-9f6e-0d1b2c3d4e5f"
    first = storage.redacted_stem(transcript_id, 1)
    for name in (
        f"{first.name}.mp3",
        f"{transcript_id}.2.wav",
        f"{transcript_id}.3.mp3.part",
        f"{other}.1.wav",
    ):
        (first.parent / name).write_bytes(b"x")
    assert storage.redacted_path(f"{transcript_id}.2.wav").is_file()
    for bad in ("../x.mp3", f"{transcript_id}.mp3", f"{transcript_id}.1.ogg"):
        with pytest.raises(ValueError):
            storage.redacted_path(bad)
    with pytest.raises(ValueError):
        storage.redacted_stem("../../etc", 1)
    assert storage.redacted_files(older_than_seconds=60) == []  # all fresh
    old = time.time() - 120
    for path in first.parent.iterdir():
        os.utime(path, (old, old))
    assert sorted(storage.redacted_files(older_than_seconds=60)) == sorted(
        [
            (transcript_id, f"{transcript_id}.1.mp3"),
            (transcript_id, f"{transcript_id}.2.wav"),
            (other, f"{other}.1.wav"),
        ]
    )
    assert storage.remove_abandoned(older_than_seconds=60) == 1  # the .part
    storage.delete_redacted(transcript_id, keep=f"{transcript_id}.2.wav")
    assert sorted(p.name for p in first.parent.iterdir()) == sorted(
        [f"{other}.1.wav", f"{transcript_id}.2.wav"]
    )
    storage.delete_redacted(transcript_id)
    assert [p.name for p in first.parent.iterdir()] == [f"{other}.1.wav"]
