"""A throwaway PostgreSQL database for tests that run on both backends.

PostgreSQL is expected on 127.0.0.1:5432 with trust auth and a ``test`` database to connect to;
when nothing listens there the PostgreSQL cases are skipped (CI has a server, so they run there).
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADDRESS = f"{PG_HOST}:{PG_PORT}"
PG_USERS = ("postgres", "root")


def pg_user() -> str:
    """The first user the server lets into database ``test``; skips when nothing listens."""
    import psycopg

    try:
        socket.create_connection((PG_HOST, PG_PORT), timeout=2).close()
    except OSError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADDRESS}: {exc}")
    errors = []
    for user in PG_USERS:
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname="test", user=user, connect_timeout=2):
                return user
        except psycopg.OperationalError as exc:
            errors.append(f"{user}: {exc}".strip())
    pytest.fail(f"PostgreSQL at {PG_ADDRESS} accepted none of the users {PG_USERS}: {errors}")


@contextmanager
def throwaway_database() -> Iterator[tuple[str, str]]:
    """A fresh, empty database: yields (user, SQLAlchemy URL) and drops it afterwards (dispose the
    engines that used it first)."""
    import psycopg

    user = pg_user()
    name = f"stenograph_test_{secrets.token_hex(6)}"

    def admin() -> psycopg.Connection:
        return psycopg.connect(
            host=PG_HOST, port=PG_PORT, dbname="test", user=user, connect_timeout=2, autocommit=True
        )

    with admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield user, f"postgresql+psycopg://{user}@{PG_ADDRESS}/{name}"
    finally:
        with admin() as conn:
            try:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except psycopg.errors.SyntaxError:  # before PostgreSQL 13
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
