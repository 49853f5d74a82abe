"""Stored uploads on disk: what an interrupted transfer leaves behind is cleaned by age."""

from __future__ import annotations

import os
import time
from pathlib import Path

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
