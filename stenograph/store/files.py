"""Uploaded audio, and the redacted copies of transcripts' audio, on the local file system (a
directory every worker and server of a fleet can read)."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

PARTIAL_SUFFIX = ".part"
REDACTED_DIR = "redacted"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# <transcript id>.<attempt>.<mp3|wav>: each attempt at a job writes a file of its own, so a worker
# whose claim was lost never removes the file of the attempt that took over.
_REDACTED_NAME = re.compile(rf"^(?P<id>{_UUID})\.[0-9]{{1,9}}\.(mp3|wav)$")


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

    # Redacted audio: the files of a transcript are named after it, so its deletion finds them
    # whatever state its row or job is in.

    def redacted_stem(self, transcript_id: str, attempt: int) -> Path:
        """Where attempt ``attempt`` of a job writes its redacted audio, less the format's suffix."""
        name = f"{transcript_id}.{attempt}"
        if not _REDACTED_NAME.match(f"{name}.mp3"):
            raise ValueError("invalid transcript id")
        folder = self.root / REDACTED_DIR
        folder.mkdir(exist_ok=True)
        return folder / name

    def redacted_path(self, name: str) -> Path:
        """The stored redacted audio called ``name`` (as the row records it)."""
        if not _REDACTED_NAME.match(name):
            raise ValueError("invalid redacted audio name")
        return self.root / REDACTED_DIR / name

    def delete_redacted(
        self, transcript_id: str, *, keep: str | None = None, only: str | None = None
    ) -> None:
        """Remove a transcript's redacted audio files, finished or being written: all of them, all
        but ``keep``, or only ``only`` (a name as :meth:`redacted_path` takes)."""
        if not re.fullmatch(_UUID, transcript_id):
            raise ValueError("invalid transcript id")
        folder = self.root / REDACTED_DIR
        if only is not None:
            paths = [self.redacted_path(only), self.redacted_path(only).with_name(only + PARTIAL_SUFFIX)]
        else:
            paths = list(folder.glob(f"{transcript_id}.*")) if folder.is_dir() else []
        for path in paths:
            if keep is None or path.name != keep:
                path.unlink(missing_ok=True)

    def redacted_files(self, older_than_seconds: float) -> list[tuple[str, str]]:
        """(transcript id, name) of the finished redacted files untouched for ``older_than_seconds``."""
        folder = self.root / REDACTED_DIR
        if not folder.is_dir():
            return []
        cutoff = time.time() - older_than_seconds
        found = []
        for path in folder.iterdir():
            match = _REDACTED_NAME.match(path.name)
            try:
                if match and path.stat().st_mtime < cutoff:
                    found.append((match.group("id"), path.name))
            except FileNotFoundError:
                continue
        return found

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
        yield from (self.root / REDACTED_DIR).glob(f"*{PARTIAL_SUFFIX}")
        scratch = self.root / "tmp"
        if scratch.is_dir():
            yield from (path for path in scratch.iterdir() if path.is_file())
