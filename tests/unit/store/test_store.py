"""Store layer against real databases: SQLite (a WAL file) and PostgreSQL (a throwaway database).

PostgreSQL is expected on 127.0.0.1:5432 with trust auth and a ``test`` database to connect to;
when nothing listens there the PostgreSQL cases are skipped (CI has a server, so they run there).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import select, text, update

from stenograph.store import keys, transcripts, uploads
from stenograph.store.db import MIGRATIONS_DIR, Database
from stenograph.store.files import FileStorage, UploadTooLargeError
from stenograph.store.models import ApiKey, Transcript
from tests.support.postgres import throwaway_database
from tests.support.race import all_at_once

TABLES = ("transcripts", "uploads", "api_keys", "projects")  # children first


# --------------------------------------------------------------------------- backends


@pytest.fixture(scope="module")
def pg_server() -> Iterator[tuple[str, str]]:
    """A fresh database for this module: yields (user, SQLAlchemy URL) and drops it afterwards."""
    with throwaway_database() as server:
        yield server


@pytest.fixture(scope="module")
def pg_db(pg_server: tuple[str, str]) -> Iterator[Database]:
    database = Database(pg_server[1])
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty Database on each backend."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'store.db'}")
        database.migrate()
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        yield database
        database.dispose()
    else:
        database = request.getfixturevalue("pg_db")
        with database.engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        yield database


# --------------------------------------------------------------------------- helpers


def new_project(db: Database, name: str = "p") -> str:
    with db.session() as s:
        return keys.create_project(s, name).id


def new_transcript(db: Database, project_id: str, *, upload_id: str | None = None) -> str:
    with db.session() as s:
        row = transcripts.create(
            s,
            project_id=project_id,
            audio_url="https://example.com/a.wav",
            upload_id=upload_id,
            request={"language_code": "en"},
            model="tiny.en",
        )
        return row.id


def load(db: Database, transcript_id: str) -> Transcript:
    with db.session() as s:
        row = transcripts.get(s, transcript_id)
        assert row is not None
        return row


def claim(db: Database, transcript_id: str, lease_seconds: float = 30) -> transcripts.Claim | None:
    with db.session() as s:
        return transcripts.claim(s, transcript_id, lease_seconds)


def finish(db: Database, transcript_id: str, token: int, text_: str = "hello") -> bool:
    with db.session() as s:
        return transcripts.finish(
            s,
            transcript_id,
            token,
            status=transcripts.COMPLETED,
            result={"text": text_},
            speech_model_used="m",
        )


def set_columns(db: Database, transcript_id: str, **values) -> None:
    with db.session() as s:
        s.execute(update(Transcript).where(Transcript.id == transcript_id).values(**values))


def assert_utc(value: dt.datetime | None) -> None:
    assert value is not None
    assert value.tzinfo is not None and value.utcoffset() == dt.timedelta(0), repr(value)
    assert abs(dt.datetime.now(dt.UTC) - value) < dt.timedelta(minutes=5), repr(value)


# --------------------------------------------------------------------------- schema


def test_sqlite_file_uses_wal(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'nested' / 'wal.db'}")
    try:
        database.migrate()
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        database.dispose()


def test_migrate_is_idempotent(db: Database) -> None:
    db.migrate()
    db.migrate()
    with db.engine.connect() as conn:
        head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
    project = new_project(db)
    assert load(db, new_transcript(db, project)).status == transcripts.QUEUED


# --------------------------------------------------------------------------- keys


def test_keys_lifecycle(db: Database) -> None:
    key_a, key_b = keys.generate_key(), keys.generate_key()
    assert len(key_a) == 32
    with db.session() as s:
        assert not keys.has_any_key(s)
        row_a = keys.add_key(s, key_a, name="first")
        project = row_a.project_id
        row_b = keys.add_key(s, key_b, project_id=project, name="second")
        ids = (row_a.id, row_b.id)
    with db.session() as s:
        assert keys.has_any_key(s)
        assert keys.project_for_key(s, key_a) == project
        assert keys.project_for_key(s, key_b) == project
        assert keys.project_for_key(s, keys.generate_key()) is None
        with pytest.raises(LookupError):
            keys.add_key(s, keys.generate_key(), project_id="nope")

    with db.session() as s:
        assert keys.revoke_key(s, ids[0]) is True
    with db.session() as s:
        assert keys.revoke_key(s, ids[0]) is False  # already revoked
        assert keys.revoke_key(s, 10_000) is False  # unknown
        assert keys.project_for_key(s, key_a) is None
        assert keys.project_for_key(s, key_b) == project
        listed = keys.list_keys(s)
    assert [(k.id, k.name, k.prefix, k.revoked, k.project_id, k.project_name) for k in listed] == [
        (ids[0], "first", key_a[:6], True, project, "first"),
        (ids[1], "second", key_b[:6], False, project, "first"),
    ]


def test_ensure_key_is_idempotent_and_unrevokes(db: Database) -> None:
    key = keys.generate_key()
    with db.session() as s:
        first = keys.ensure_key(s, key)
        first_id, project = first.id, first.project_id
    with db.session() as s:
        again = keys.ensure_key(s, key)
        assert (again.id, again.project_id) == (first_id, project)
        assert keys.revoke_key(s, first_id)
    with db.session() as s:
        assert keys.project_for_key(s, key) is None
        assert keys.ensure_key(s, key).id == first_id
    with db.session() as s:
        assert keys.project_for_key(s, key) == project
        assert len(keys.list_keys(s)) == 1
        assert s.scalar(select(ApiKey.name)) == "seeded"


def test_keys_are_stored_hashed(db: Database) -> None:
    key = keys.generate_key()
    with db.session() as s:
        keys.add_key(s, key, name="k")
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM api_keys")).all()
    assert len(rows) == 1
    values = [str(v) for v in rows[0]]
    assert not any(key in v for v in values)
    assert hashlib.sha256(key.encode()).hexdigest() in values


# --------------------------------------------------------------------------- transcripts: rows


def test_create_and_get_with_project_scoping(db: Database) -> None:
    mine, theirs = new_project(db, "mine"), new_project(db, "theirs")
    tid = new_transcript(db, mine, upload_id="abc123")
    with db.session() as s:
        row = transcripts.get(s, tid)
        assert row is not None
        assert (row.project_id, row.status, row.upload_id, row.model) == (mine, "queued", "abc123", "tiny.en")
        assert row.request == {"language_code": "en"}
        assert row.result is None and row.attempts == 0 and row.lease_expires_at is None
        assert transcripts.get(s, tid, mine) is not None
        assert transcripts.get(s, tid, theirs) is None
        assert transcripts.get(s, "00000000-0000-0000-0000-000000000000") is None


def test_datetimes_come_back_aware_utc(db: Database) -> None:
    tid = new_transcript(db, new_project(db))
    row = load(db, tid)
    assert_utc(row.created_at)
    assert_utc(row.updated_at)
    claimed = claim(db, tid, lease_seconds=30)
    assert claimed is not None
    row = load(db, tid)
    assert_utc(row.lease_expires_at)
    assert dt.timedelta(seconds=20) < row.lease_expires_at - row.updated_at <= dt.timedelta(seconds=30)
    assert finish(db, tid, claimed.token)
    row = load(db, tid)
    assert_utc(row.completed_at)
    assert row.lease_expires_at is None


def test_postgres_datetimes_utc_under_non_utc_session_timezone(pg_db: Database) -> None:
    """A server (or role) whose TimeZone is not UTC must still yield UTC datetimes."""
    database = Database(pg_db.url + "?options=-c%20timezone%3DAsia/Kolkata")
    try:
        tid = new_transcript(database, new_project(database))
        assert_utc(load(database, tid).created_at)
    finally:
        database.dispose()


# --------------------------------------------------------------------------- transcripts: listing


def test_list_page_walks_both_ways(db: Database) -> None:
    project, other = new_project(db, "a"), new_project(db, "b")
    ids = []
    for _ in range(5):  # interleave another project's rows: they must never show up
        ids.append(new_transcript(db, project))
        new_transcript(db, other)
    t1, t2, t3, t4, t5 = ids

    def page(**kwargs) -> tuple[list[str], bool, bool]:
        with db.session() as s:
            got = transcripts.list_page(s, project_id=project, limit=2, **kwargs)
        return [r.id for r in got.items], got.has_older, got.has_newer

    assert page() == ([t5, t4], True, False)
    assert page(before_id=t4) == ([t3, t2], True, True)
    assert page(before_id=t2) == ([t1], False, True)
    assert page(before_id=t1) == ([], False, False)
    assert page(after_id=t1) == ([t3, t2], True, True)
    assert page(after_id=t3) == ([t5, t4], True, False)
    assert page(after_id=t5) == ([], False, False)
    assert page(before_id=t5, after_id=t2) == ([t4, t3], True, True)
    with db.session() as s:
        everything = transcripts.list_page(s, project_id=project, limit=10)
    assert ([r.id for r in everything.items], everything.has_older, everything.has_newer) == (
        [t5, t4, t3, t2, t1],
        False,
        False,
    )


def test_list_page_filters(db: Database) -> None:
    project = new_project(db)
    t1, t2, t3 = (new_transcript(db, project) for _ in range(3))
    assert claim(db, t2) is not None
    two_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    set_columns(db, t1, created_at=two_days_ago)

    def page(**kwargs) -> tuple[list[str], bool, bool]:
        with db.session() as s:
            got = transcripts.list_page(s, project_id=project, limit=10, **kwargs)
        return [r.id for r in got.items], got.has_older, got.has_newer

    assert page(status="processing") == ([t2], False, False)
    assert page(status="queued") == ([t3, t1], False, False)
    assert page(status="completed") == ([], False, False)
    assert page(created_on=two_days_ago.date()) == ([t1], False, False)
    assert page(created_on=dt.datetime.now(dt.UTC).date()) == ([t3, t2], False, False)
    assert page(created_on=(two_days_ago - dt.timedelta(days=1)).date()) == ([], False, False)
    assert page(status="queued", created_on=dt.datetime.now(dt.UTC).date()) == ([t3], False, False)
    # flags respect the filters: the newest queued row has only t1 (queued) below it
    with db.session() as s:
        got = transcripts.list_page(s, project_id=project, limit=1, status="queued")
    assert ([r.id for r in got.items], got.has_older, got.has_newer) == ([t3], True, False)


def test_list_page_rejects_unknown_or_foreign_cursor(db: Database) -> None:
    project, other = new_project(db, "a"), new_project(db, "b")
    new_transcript(db, project)
    foreign = new_transcript(db, other)
    with db.session() as s:
        for cursor in ("00000000-0000-0000-0000-000000000000", foreign):
            with pytest.raises(transcripts.UnknownCursorError, match="before_id"):
                transcripts.list_page(s, project_id=project, limit=5, before_id=cursor)
            with pytest.raises(transcripts.UnknownCursorError, match="after_id"):
                transcripts.list_page(s, project_id=project, limit=5, after_id=cursor)


# --------------------------------------------------------------------------- transcripts: claims


def test_claim_is_exclusive_while_lease_lives(db: Database) -> None:
    tid = new_transcript(db, new_project(db))
    first = claim(db, tid, lease_seconds=30)
    assert first is not None and first.token == 1
    assert first.transcript.status == transcripts.PROCESSING and first.transcript.attempts == 1
    assert claim(db, tid, lease_seconds=30) is None
    assert claim(db, "00000000-0000-0000-0000-000000000000") is None
    assert load(db, tid).attempts == 1


def test_expired_lease_is_reclaimed_and_fences_the_old_worker(db: Database) -> None:
    tid = new_transcript(db, new_project(db))
    old = claim(db, tid, lease_seconds=-1)  # lease already over
    assert old is not None and old.token == 1
    new = claim(db, tid, lease_seconds=30)
    assert new is not None and new.token == 2 > old.token

    with db.session() as s:
        assert transcripts.renew_lease(s, tid, old.token, 30) is False
        assert transcripts.renew_lease(s, tid, new.token, 60) is True
    assert load(db, tid).lease_expires_at > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=45)

    assert finish(db, tid, old.token, "stale") is False
    row = load(db, tid)
    assert (row.status, row.result, row.completed_at) == (transcripts.PROCESSING, None, None)

    assert finish(db, tid, new.token, "fresh") is True
    row = load(db, tid)
    assert (row.status, row.result, row.speech_model_used) == ("completed", {"text": "fresh"}, "m")
    assert finish(db, tid, old.token, "stale") is False
    assert finish(db, tid, new.token, "again") is False  # no longer processing
    with db.session() as s:
        assert transcripts.renew_lease(s, tid, new.token, 30) is False
    assert load(db, tid).result == {"text": "fresh"}
    assert claim(db, tid) is None  # completed rows are never claimable


def test_tiny_lease_expires(db: Database) -> None:
    tid = new_transcript(db, new_project(db))
    assert claim(db, tid, lease_seconds=0.5) is not None
    assert claim(db, tid, lease_seconds=30) is None
    time.sleep(0.6)
    again = claim(db, tid, lease_seconds=30)
    assert again is not None and again.token == 2


def test_record_webhook_status(db: Database) -> None:
    tid = new_transcript(db, new_project(db))
    assert load(db, tid).webhook_status_code is None
    with db.session() as s:
        transcripts.record_webhook_status(s, tid, 503)
        transcripts.record_webhook_status(s, tid, 200)
    assert load(db, tid).webhook_status_code == 200


def test_version_read_on_a_plain_connection_matches_the_row(db: Database) -> None:
    """The GET route keys its rendered-body cache by the version it reads on a plain connection
    and stores bodies under the ORM row's values: they must be equal, or the cache never hits."""
    project = new_project(db)
    tid = new_transcript(db, project)
    held = claim(db, tid)
    assert held is not None and finish(db, tid, held.token)
    row = load(db, tid)
    with db.reader() as connection:
        current = transcripts.version(connection, tid, project)
        assert transcripts.version(connection, tid, new_project(db)) is None
    assert current == transcripts.Version(row.status, row.updated_at, row.webhook_status_code)
    assert current.status in transcripts.FINISHED


def test_finish_with_error_status(db: Database) -> None:
    tid = new_transcript(db, new_project(db))
    held = claim(db, tid)
    assert held is not None
    with db.session() as s:
        assert transcripts.finish(s, tid, held.token, status=transcripts.ERROR, error="boom")
    row = load(db, tid)
    assert (row.status, row.error, row.result, row.lease_expires_at) == ("error", "boom", None, None)


@pytest.mark.parametrize("claimed_first", [False, True], ids=["queued", "processing"])
def test_mark_deleted_blanks_and_fences_the_worker(db: Database, claimed_first: bool) -> None:
    tid = new_transcript(db, new_project(db), upload_id="deadbeef")
    held = claim(db, tid) if claimed_first else None
    with db.session() as s:
        row = transcripts.get(s, tid)
        assert row is not None
        assert transcripts.mark_deleted(s, row) == "deadbeef"
    row = load(db, tid)
    assert row.status == transcripts.ERROR
    assert row.audio_url == transcripts.DELETED_AUDIO_URL == "http://deleted_by_user"
    assert row.result == {"text": transcripts.DELETED_TEXT} == {"text": "Deleted by user."}
    assert row.upload_id is None and row.lease_expires_at is None and row.error
    assert_utc(row.completed_at)

    assert finish(db, tid, held.token if held else 1, "late") is False
    assert claim(db, tid) is None
    assert load(db, tid).result == {"text": "Deleted by user."}


def test_mark_deleted_keeps_completed_status(db: Database) -> None:
    tid = new_transcript(db, new_project(db))
    held = claim(db, tid)
    assert held is not None and finish(db, tid, held.token)
    with db.session() as s:
        row = transcripts.get(s, tid)
        assert row is not None
        assert transcripts.mark_deleted(s, row) is None
    row = load(db, tid)
    assert (row.status, row.audio_url, row.result) == (
        "completed",
        "http://deleted_by_user",
        {"text": "Deleted by user."},
    )


def test_expired_leases_go_back_to_queued_once_and_stale_queued_rows_by_age(db: Database) -> None:
    project = new_project(db)
    fresh_queued, old_queued, live, expired, done = (new_transcript(db, project) for _ in range(5))
    set_columns(db, old_queued, updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=120))
    assert claim(db, live, lease_seconds=30) is not None
    held_expired = claim(db, expired, lease_seconds=-1)
    assert held_expired is not None
    held = claim(db, done)
    assert held is not None and finish(db, done, held.token)

    def stale(grace: float) -> list[str]:
        with db.session() as s:
            return transcripts.stale_queued(s, grace_seconds=grace)

    with db.session() as s:
        assert transcripts.requeue_expired(s) == [expired]
    with db.session() as s:
        assert transcripts.requeue_expired(s) == []  # once: it is queued now, with a new message
    row = load(db, expired)
    assert (row.status, row.lease_expires_at, row.attempts) == (transcripts.QUEUED, None, 1)
    with db.session() as s:  # the old worker is fenced off
        assert not transcripts.renew_lease(s, expired, held_expired.token, 30)

    assert stale(60) == [old_queued]
    assert stale(3600) == []
    with db.session() as s:
        transcripts.touch_queued(s, [old_queued, live])
        transcripts.touch_queued(s, [])
    assert stale(60) == []  # the grace restarted
    assert load(db, live).status == transcripts.PROCESSING
    set_columns(db, fresh_queued, updated_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61))
    assert stale(60) == [fresh_queued]


def race_to_claim(db: Database, transcript_id: str, workers: int) -> list[transcripts.Claim | None]:
    """``workers`` threads, released together, each claim the same row in its own session."""
    return all_at_once(workers, lambda: claim(db, transcript_id, lease_seconds=30))


def test_concurrent_claims_have_one_winner(db: Database) -> None:
    project = new_project(db)
    for tid in [new_transcript(db, project) for _ in range(3)]:
        winners = [r for r in race_to_claim(db, tid, workers=8) if r is not None]
        assert len(winners) == 1
        assert winners[0].token == 1
        assert load(db, tid).attempts == 1


# --------------------------------------------------------------------------- uploads


def test_upload_rows(db: Database) -> None:
    mine, theirs = new_project(db, "mine"), new_project(db, "theirs")
    with db.session() as s:
        row = uploads.add(s, "abc123", mine, 42)
        assert row.size_bytes == 42
        assert_utc(row.created_at)
    with db.session() as s:
        assert uploads.owned_by(s, "abc123", mine)
        assert not uploads.owned_by(s, "abc123", theirs)
        assert not uploads.owned_by(s, "zzz", mine)
        uploads.remove(s, "abc123")
        uploads.remove(s, "abc123")  # removing twice is harmless
    with db.session() as s:
        assert not uploads.owned_by(s, "abc123", mine)


# --------------------------------------------------------------------------- FileStorage


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        await asyncio.sleep(0)
        yield part


def test_file_storage_save_and_delete(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "uploads")
    upload_id, size = asyncio.run(storage.save_stream(_chunks(b"abc", b"", b"defg"), max_bytes=7))
    assert size == 7 and upload_id.isalnum() and len(upload_id) == 32
    path = storage.path_for(upload_id)
    assert path.parent == storage.root and path.read_bytes() == b"abcdefg"
    assert [p.name for p in storage.root.iterdir()] == [upload_id]  # no .part left behind

    empty_id, empty_size = asyncio.run(storage.save_stream(_chunks(), max_bytes=0))
    assert empty_size == 0 and storage.path_for(empty_id).read_bytes() == b""

    storage.delete(upload_id)
    assert not path.exists()
    storage.delete(upload_id)  # deleting twice is harmless


def test_file_storage_size_limit_leaves_nothing(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "uploads")
    with pytest.raises(UploadTooLargeError, match="10 bytes"):
        asyncio.run(storage.save_stream(_chunks(b"x" * 6, b"y" * 6), max_bytes=10))
    assert list(storage.root.iterdir()) == []


def test_file_storage_cleans_up_when_the_stream_fails(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "uploads")

    async def broken() -> AsyncIterator[bytes]:
        yield b"some"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        asyncio.run(storage.save_stream(broken(), max_bytes=100))
    assert list(storage.root.iterdir()) == []


@pytest.mark.parametrize("bad", ["", "../etc", "a/b", "a.b", "..", "abc def", "x\x00y", "/abs"])
def test_file_storage_path_for_rejects_non_alphanumeric(tmp_path: Path, bad: str) -> None:
    storage = FileStorage(tmp_path / "uploads")
    with pytest.raises(ValueError):
        storage.path_for(bad)
    with pytest.raises(ValueError):
        storage.delete(bad)


def test_deleting_the_transcripts_of_one_upload_together_frees_it_once(pg_db: Database) -> None:
    """Two deletions at once of the last two transcripts of an upload: one of them takes it along
    (without a lock on the upload, each sees the other still using it and the file stays forever)."""
    with pg_db.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    project = new_project(pg_db)
    for trial in range(20):
        upload_id = f"up{trial}"
        with pg_db.session() as s:
            uploads.add(s, upload_id, project, 1)
        pair = [new_transcript(pg_db, project, upload_id=upload_id) for _ in range(2)]
        barrier = threading.Barrier(2)
        freed: list[str | None] = []

        def delete(transcript_id: str, barrier: threading.Barrier, freed: list[str | None]) -> None:
            barrier.wait(timeout=10)
            with pg_db.session() as s:
                row = transcripts.get(s, transcript_id)
                assert row is not None
                freed.append(transcripts.mark_deleted(s, row))

        threads = [threading.Thread(target=delete, args=(tid, barrier, freed)) for tid in pair]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(freed, key=str) == [None, upload_id], f"trial {trial}: {freed}"
