"""The URL-signing key: made once by the migration, shared by every process of the database,
replaced by STENOGRAPH_URL_SIGNING_SECRET when set, made again when deleted."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete

from stenograph.config import SettingsError, load_settings
from stenograph.store.db import Database
from stenograph.store.models import ServerSecret
from stenograph.store.server_secrets import URL_SIGNING_KEY, url_signing_key


def test_one_key_for_every_process_of_a_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    first, second = Database(url), Database(url)  # two servers of a fleet
    first.migrate()
    second.migrate()
    with first.session() as s:
        key = url_signing_key(s, None)
    with second.session() as s:
        assert url_signing_key(s, None) == key and len(key) >= 32
        assert url_signing_key(s, "c" * 32) == b"c" * 32  # the setting wins
    with first.session() as s:  # deleted to rotate it: a new one is made, once
        s.execute(delete(ServerSecret).where(ServerSecret.name == URL_SIGNING_KEY))
    with first.session() as s:
        rotated = url_signing_key(s, None)
    with second.session() as s:
        assert url_signing_key(s, None) == rotated != key
    first.dispose()
    second.dispose()


def test_a_short_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STENOGRAPH_URL_SIGNING_SECRET", "short")
    with pytest.raises(SettingsError, match="STENOGRAPH_URL_SIGNING_SECRET"):
        load_settings()
    monkeypatch.setenv("STENOGRAPH_URL_SIGNING_SECRET", "s" * 32)
    secret = load_settings().url_signing_secret
    assert secret is not None and secret.get_secret_value() == "s" * 32
