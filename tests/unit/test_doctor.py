"""`stenograph doctor`'s checks, in-process: what each prints, and the problems it returns."""

from __future__ import annotations

from pathlib import Path

from stenograph.config import Settings
from stenograph.doctor import check_database, check_disk, check_queue, safe_url


def test_urls_are_shown_without_their_password() -> None:
    shown = safe_url("postgresql+psycopg://steno:hunter2@db.internal:5432/steno")
    assert "hunter2" not in shown and "db.internal" in shown
    assert "pw" not in safe_url("redis://:pw@cache:6379/0")


def test_an_unreachable_database_and_queue_are_problems_without_secrets(tmp_path: Path) -> None:
    printed: list[str] = []
    settings = Settings(
        data_dir=tmp_path,
        database_url="postgresql+psycopg://steno:hunter2@127.0.0.1:1/steno?connect_timeout=2",
        queue_url="redis://:hunter2@127.0.0.1:1/0",
    )
    problems = check_database(settings, printed.append) + check_queue(settings, printed.append)
    assert len(problems) == 2
    assert "unreachable" in problems[0] and "unreachable" in problems[1]
    assert all("hunter2" not in line for line in [*printed, *problems])


def test_disk_space_under_the_minimum_is_a_problem(tmp_path: Path) -> None:
    printed: list[str] = []
    settings = Settings(data_dir=tmp_path)
    assert check_disk(settings, printed.append, min_free_bytes=1) == []
    assert "GiB free" in printed[0]
    assert "under" in check_disk(settings, printed.append, min_free_bytes=1 << 60)[0]
