"""Settings from the environment: a bad value stops the server with a message naming the variable."""

from __future__ import annotations

from pathlib import Path

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


def test_models_inline_json_and_a_toml_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from stenograph.config import read_model_catalogue

    inline = read_model_catalogue('{"models": {"turbo": "/srv/turbo"}, "aliases": {"best": "turbo"}}')
    assert inline.models == {"turbo": Path("/srv/turbo")} and inline.aliases == {"best": "turbo"}
    config = tmp_path / "models.toml"
    config.write_text('[models]\nturbo = "turbo-ct2"\ndistil = "/srv/distil"\n\n[aliases]\nbest = "turbo"\n')
    from_file = read_model_catalogue(str(config))
    assert from_file.models == {"turbo": tmp_path / "turbo-ct2", "distil": Path("/srv/distil")}
    assert from_file.aliases == {"best": "turbo"}
    assert read_model_catalogue(None).models == {} and read_model_catalogue("  ").aliases == {}
    monkeypatch.setenv("STENOGRAPH_MODELS", str(config))
    assert load_settings().model_catalogue == from_file


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"model": {}}', "expected"),
        ('{"models": {"turbo": 3}}', "models: expected a table of names to non-empty strings"),
        ('{"models": {}, "aliases": ["best"]}', "aliases: expected"),
        ("/nowhere/models.toml", "cannot read the models file /nowhere/models.toml"),
    ],
)
def test_bad_models_stop_the_server_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, message: str
) -> None:
    monkeypatch.setenv("STENOGRAPH_MODELS", value)
    with pytest.raises(SettingsError, match="STENOGRAPH_MODELS") as caught:
        load_settings()
    assert message in str(caught.value)


def test_a_models_file_that_is_not_toml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "models.toml"
    config.write_text("[models\n")
    monkeypatch.setenv("STENOGRAPH_MODELS", str(config))
    with pytest.raises(SettingsError, match="is not valid TOML"):
        load_settings()


def test_log_format_and_metrics_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert settings.log_format == "text" and settings.metrics_port is None
    assert not settings.metrics_require_key
    monkeypatch.setenv("STENOGRAPH_LOG_FORMAT", "JSON")
    monkeypatch.setenv("STENOGRAPH_METRICS_PORT", "9108")
    monkeypatch.setenv("STENOGRAPH_METRICS_REQUIRE_KEY", "1")
    settings = load_settings()
    assert settings.log_format == "json" and settings.metrics_port == 9108 and settings.metrics_require_key
    monkeypatch.setenv("STENOGRAPH_LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match="STENOGRAPH_LOG_FORMAT"):
        load_settings()
