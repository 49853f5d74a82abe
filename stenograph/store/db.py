"""Engine, sessions and schema migration for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def rows_matched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE statement matched (its result is a cursor result)."""
    return cast(CursorResult[Any], result).rowcount or 0


def _enable_sqlite_wal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Connections kept open: one for each thread of the API's thread pool (AnyIO's default of 40, where
# every sync route and dependency runs), so a burst of requests reuses connections instead of
# opening and closing one per request. Connections open only when needed, so a worker process that
# uses three never holds more.
POOL_SIZE = 40
POOL_OVERFLOW = 10


def make_engine(url: str) -> Engine:
    pool = {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        else:
            pool = {}  # an in-memory database lives in one connection (SingletonThreadPool)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)
        event.listen(engine, "connect", _enable_sqlite_wal)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool)


# Any fixed number: processes of a fleet starting together on one PostgreSQL database take this
# lock in turn, so one migrates and the others find the schema current (without it they raced on
# Alembic's version row and some died on a duplicate key).
MIGRATION_LOCK_KEY = 0x5374656E  # "Sten"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent, safe to run from many processes)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # held until this transaction ends
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        # A point read on an SQLite file in WAL mode (readers never wait for the writer) costs
        # tens of microseconds, less than handing it to a thread; a server database costs a round trip.
        self.reads_are_local = url.startswith("sqlite")
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        migrate(self.engine)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reader(self) -> Iterator[Connection]:
        """A plain connection for a small read on a hot path: a third of a session's cost
        (no unit of work, no ORM objects); nothing written through it is committed."""
        with self.engine.connect() as connection:
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()
