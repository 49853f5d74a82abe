"""Stored rows for tests of the store and the job machinery."""

from __future__ import annotations

from typing import Any

from stenograph.store import keys, transcripts
from stenograph.store.db import Database


def queued_transcripts(db: Database, count: int, request: dict[str, Any] | None = None) -> list[str]:
    """``count`` queued transcripts of a new project (audio at a public URL): their ids, oldest first."""
    with db.session() as s:
        project = keys.create_project(s, "p").id
        return [
            transcripts.create(
                s,
                project_id=project,
                audio_url="https://example.com/a.wav",
                upload_id=None,
                request=request or {},
                model="m",
            ).id
            for _ in range(count)
        ]
