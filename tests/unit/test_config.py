"""Settings from the environment: a bad value stops the server with a message naming the variable."""

from __future__ import annotations

import pytest

from stenograph.config import SettingsError, load_settings


def test_an_unknown_device_names_the_variable_and_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STENOGRAPH_DEVICE", "gpu")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("invalid setting: STENOGRAPH_DEVICE:")
    assert "'cuda'" in message and "'cpu'" in message


def test_sync_transcription_threads_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STENOGRAPH_SYNC_TRANSCRIPTION_THREADS", "3")
    assert load_settings().sync_transcription_threads == 3
    monkeypatch.setenv("STENOGRAPH_SYNC_TRANSCRIPTION_THREADS", "0")
    with pytest.raises(SettingsError, match="STENOGRAPH_SYNC_TRANSCRIPTION_THREADS"):
        load_settings()


def test_max_audio_seconds_bounds_what_the_pipeline_decodes(monkeypatch: pytest.MonkeyPatch) -> None:
    from stenograph.runtime import audio_limits

    monkeypatch.setenv("STENOGRAPH_MAX_AUDIO_SECONDS", "5400")
    assert audio_limits(load_settings()).max_seconds == 5400
    monkeypatch.setenv("STENOGRAPH_MAX_AUDIO_SECONDS", "0")
    with pytest.raises(SettingsError, match="STENOGRAPH_MAX_AUDIO_SECONDS"):
        load_settings()
