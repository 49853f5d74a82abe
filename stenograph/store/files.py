"""Uploaded audio on the local file system (a directory every worker can read)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path


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
        partial = final.with_suffix(".part")
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
