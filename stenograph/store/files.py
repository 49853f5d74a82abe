"""Uploaded audio on the local file system (a directory every worker can read)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

PARTIAL_SUFFIX = ".part"


class UploadTooLargeError(Exception):
    pass


class FileStorage:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, upload_id: str) -> Path:
        if not upload_id.isalnum():  # ids are uuid hex: never let one walk out of the root
            raise ValueError("invalid upload id")
        return self.root / upload_id

    async def save_stream(self, chunks: AsyncIterator[bytes], max_bytes: int) -> tuple[str, int]:
        """Write a request body to a new file; returns (upload_id, size). Nothing is left on failure."""
        upload_id = uuid.uuid4().hex
        final = self.path_for(upload_id)
        partial = final.with_suffix(PARTIAL_SUFFIX)
        size = 0
        try:
            with partial.open("wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadTooLargeError(f"Upload exceeds the maximum size of {max_bytes} bytes")
                    out.write(chunk)
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return upload_id, size

    def delete(self, upload_id: str) -> None:
        self.path_for(upload_id).unlink(missing_ok=True)

    def scratch_path(self, name: str) -> Path:
        """A place for a worker's temporary download."""
        scratch = self.root / "tmp"
        scratch.mkdir(exist_ok=True)
        return scratch / name

    def remove_abandoned(self, older_than_seconds: float) -> int:
        """Delete partial uploads and scratch files untouched for ``older_than_seconds``: what a
        process killed mid-upload or mid-job left behind. A transfer in progress writes its file
        continuously, so its modification time stays fresh. Returns how many files went."""
        cutoff = time.time() - older_than_seconds
        removed = 0
        for path in self._abandonable():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # another process removed it first
                continue
        return removed

    def _abandonable(self) -> Iterator[Path]:
        yield from self.root.glob(f"*{PARTIAL_SUFFIX}")
        scratch = self.root / "tmp"
        if scratch.is_dir():
            yield from (path for path in scratch.iterdir() if path.is_file())
