"""LeMUR requests in the database (SQLite; the migration runs on PostgreSQL in test_store.py):
stored, read and purged by their own project only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stenograph.store import keys, lemur
from stenograph.store.db import Database


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    database.migrate()
    yield database
    database.dispose()


def test_a_request_is_stored_read_and_purged_by_its_project_only(db: Database) -> None:
    with db.session() as s:
        mine, theirs = keys.create_project(s, "mine").id, keys.create_project(s, "theirs").id
    with db.session() as s:
        request_id = lemur.create(
            s,
            mine,
            "task",
            {"prompt": "p"},
            {"response": "r", "usage": {"input_tokens": 1, "output_tokens": 2}},
        ).id
    with db.session() as s:
        row = lemur.get(s, request_id, mine)
        assert row is not None and row.response["response"] == "r" and row.request == {"prompt": "p"}
        assert lemur.get(s, request_id, theirs) is None
        assert lemur.get(s, "not-an-id", mine) is None
    with db.session() as s:
        assert not lemur.purge(s, request_id, theirs)
        assert lemur.purge(s, request_id, mine)
    with db.session() as s:
        assert lemur.get(s, request_id, mine) is None
        assert not lemur.purge(s, request_id, mine)
