"""The application in-process (TestClient) on its own SQLite file, with completed transcripts
written straight into the store: for request-handling tests that need no transcription."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from stenograph.api.app import create_app
from stenograph.config import Settings
from stenograph.llm import LLMEngine
from stenograph.runtime import Runtime
from stenograph.store import keys, transcripts
from stenograph.store.db import Database


@dataclass
class InProcessApp:
    client: TestClient
    db: Database
    project_id: str

    @property
    def runtime(self) -> Runtime:
        return self.client.app.state.runtime  # type: ignore[attr-defined]

    def use_engine(self, engine: LLMEngine) -> None:
        self.runtime._llm = engine

    def completed_transcript(self, result: dict[str, Any]) -> str:
        """A completed transcript of this app's key with ``result`` as its stored JSON: its id."""
        with self.db.session() as session:
            transcript_id = transcripts.create(
                session, project_id=self.project_id, audio_url="https://example.com/a.wav",
                upload_id=None, request={}, model="m",
            ).id  # fmt: skip
        with self.db.session() as session:
            claim = transcripts.claim(session, transcript_id, 60)
            assert claim is not None
            transcripts.finish(session, transcript_id, claim.token, status="completed", result=result)
        return transcript_id


@contextmanager
def inprocess_app(data_dir: Path) -> Iterator[InProcessApp]:
    key = secrets.token_hex(16)
    settings = Settings(data_dir=data_dir, api_key=key, embedded_worker=False)
    with TestClient(create_app(settings), headers={"Authorization": key}) as client:
        db = Database(settings.resolved_database_url)
        try:
            with db.session() as session:
                project_id = keys.project_for_key(session, key)
            assert project_id is not None
            yield InProcessApp(client, db, project_id)
        finally:
            db.dispose()
