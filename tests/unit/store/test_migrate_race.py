"""Several processes of a fleet starting at once on an empty PostgreSQL database all migrate it
without error (a first start raced on Alembic's version row before migrations were serialised)."""

from __future__ import annotations

import subprocess
import sys
import time

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from stenograph.store.db import MIGRATIONS_DIR
from tests.support.live_server import REPO_ROOT
from tests.support.postgres import throwaway_database

PROCESSES = 6
TRIALS = 3

MIGRATE = """
import sys, time
from stenograph.store.db import Database
start = float(sys.argv[2])
while time.time() < start:  # every process begins its migration in the same instant
    time.sleep(0.001)
Database(sys.argv[1]).migrate()
"""


def test_processes_starting_together_on_an_empty_database_all_migrate_it() -> None:
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    for _ in range(TRIALS):
        with throwaway_database() as (_, url):
            start = time.time() + 3  # after every interpreter has imported what it needs
            processes = [
                subprocess.Popen(
                    [sys.executable, "-c", MIGRATE, url, str(start)],
                    cwd=REPO_ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                )
                for _ in range(PROCESSES)
            ]
            outputs = [p.communicate(timeout=120)[0].decode(errors="replace") for p in processes]
            failed = [out[-800:] for p, out in zip(processes, outputs, strict=True) if p.returncode != 0]
            assert failed == [], failed[0]
            engine = create_engine(url)
            with engine.connect() as conn:
                assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
            engine.dispose()
