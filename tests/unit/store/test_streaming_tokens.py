"""Temporary streaming tokens in the store: hashed, single use, expiring."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def test_tokens_are_hashed_single_use_and_expire(tmp_path: Path) -> None:
    from stenograph.store import keys, streaming_tokens
    from stenograph.store.db import Database
    from stenograph.store.models import StreamingToken

    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    db.migrate()
    with db.session() as session:
        project = keys.add_key(session, "k" * 32).project_id
        token = streaming_tokens.create_token(session, project, kind="v3", expires_in_seconds=60)
        short = streaming_tokens.create_token(session, project, kind="v3", expires_in_seconds=60)
        session.get(StreamingToken, 2).expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        stored = [row.token_hash for row in session.query(StreamingToken)]
    assert token not in stored and keys.hash_key(token) in stored
    with db.session() as session:
        assert streaming_tokens.claim_token(session, token, kind="v2") is None
        claimed = streaming_tokens.claim_token(session, token, kind="v3")
        assert claimed is not None and claimed.project_id == project
        assert streaming_tokens.claim_token(session, token, kind="v3") is None
        assert streaming_tokens.claim_token(session, short, kind="v3") is None
        assert keys.project_for_key(session, token) is None  # not an API key
    db.dispose()
