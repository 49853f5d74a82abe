"""Small reads run inline on a local SQLite file and on the thread pool for a server database."""

from __future__ import annotations

import threading
from pathlib import Path

import anyio

from stenograph.api.reads import point_read
from stenograph.store.db import Database


def thread_of_read(db: Database) -> tuple[int, int]:
    async def main() -> tuple[int, int]:
        return threading.get_ident(), await point_read(db, threading.get_ident)

    return anyio.run(main)


def test_a_read_on_sqlite_runs_on_the_event_loop(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    loop_thread, read_thread = thread_of_read(db)
    assert db.reads_are_local and read_thread == loop_thread


def test_a_read_on_a_server_database_runs_on_a_thread() -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connected to here
    loop_thread, read_thread = thread_of_read(db)
    assert not db.reads_are_local and read_thread != loop_thread
