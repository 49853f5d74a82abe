"""Speech model name resolution and preparation of the packaged Whisper base model."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import stenograph.config
from stenograph.pipeline import models
from stenograph.pipeline.languages import UnsupportedLanguageError, whisper_language
from stenograph.pipeline.models import (
    BASE_MODEL_SHA256,
    accepted_speech_model_names,
    model_directory,
    resolve_speech_model,
)
from stenograph.pipeline.types import UnknownSpeechModelError


@pytest.mark.parametrize(
    ("speech_models", "speech_model", "expected"),
    [
        (["nano"], None, "tiny.en"),
        (["universal-2"], None, "tiny.en"),
        (["best"], None, "base"),
        (["universal-3-pro", "universal-2"], None, "base"),
        (["universal-3-5-pro"], None, "base"),
        (["slam-1"], "nano", "base"),  # the list wins over the legacy field
        (["foo", "nano"], None, "tiny.en"),  # unknown entries in a fallback list are skipped
        (["Universal-2"], None, "tiny.en"),
        (None, "universal", "base"),
        (None, "nano", "tiny.en"),
        ([], "best", "base"),
        (None, None, "tiny.en"),  # the default
        (None, "tiny.en", "tiny.en"),
        (None, "base", "base"),
    ],
)
def test_resolve(speech_models: list[str] | None, speech_model: str | None, expected: str) -> None:
    assert resolve_speech_model(speech_models, speech_model, "tiny.en") == expected


def test_resolve_default_alias() -> None:
    assert resolve_speech_model(None, None, "best") == "base"


def test_unknown_list() -> None:
    with pytest.raises(UnknownSpeechModelError, match=r"speech_models: unknown models 'foo', 'bar'") as err:
        resolve_speech_model(["foo", "bar"], None, "tiny.en")
    assert "Accepted values: " in str(err.value) and "nano" in str(err.value)


def test_unknown_legacy_field() -> None:
    with pytest.raises(UnknownSpeechModelError, match=r"speech_model: unknown model 'large'"):
        resolve_speech_model(None, "large", "tiny.en")


def test_unknown_default() -> None:
    with pytest.raises(UnknownSpeechModelError, match="STENOGRAPH_DEFAULT_MODEL"):
        resolve_speech_model(None, None, "whisper-huge")


def test_accepted_names() -> None:
    names = accepted_speech_model_names()
    assert names == sorted(names)
    assert {"nano", "best", "universal", "universal-2", "slam-1", "tiny.en", "base"} <= set(names)
    assert all(resolve_speech_model([n], None, "tiny.en") in models.MODEL_NAMES for n in names)


@pytest.mark.parametrize(
    ("code", "expected"), [(None, None), ("en", "en"), ("en_us", "en"), ("pt-BR", "pt"), ("DE", "de")]
)
def test_whisper_language(code: str | None, expected: str | None) -> None:
    assert whisper_language(code) == expected


def test_unsupported_language() -> None:
    with pytest.raises(UnsupportedLanguageError, match="language_code"):
        whisper_language("xx")


def test_tiny_directory_is_packaged() -> None:
    directory = model_directory("nano")
    assert (directory / "model.bin").is_file() and (directory / "tokenizer.json").is_file()


@pytest.fixture
def tmp_model_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    cache = tmp_path / "models"
    monkeypatch.setenv("STENOGRAPH_MODEL_CACHE_DIR", str(cache))
    stenograph.config.get_settings.cache_clear()
    yield cache
    stenograph.config.get_settings.cache_clear()  # monkeypatch restores the environment next


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def test_base_is_joined_and_verified(tmp_model_cache: Path) -> None:
    directory = model_directory("base")
    assert directory == tmp_model_cache / "whisper-base"
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        assert (directory / name).is_file(), name
    assert _sha256(directory / "model.bin") == BASE_MODEL_SHA256
    assert not list(directory.glob("*.tmp-*"))

    mtime = (directory / "model.bin").stat().st_mtime_ns
    assert model_directory("best") == directory  # second call: verified marker present, no rebuild
    assert (directory / "model.bin").stat().st_mtime_ns == mtime


def test_base_rebuilt_when_marker_missing(tmp_model_cache: Path) -> None:
    directory = model_directory("base")
    (directory / ".verified-sha256").unlink()
    (directory / "model.bin").write_bytes(b"truncated")
    assert model_directory("base") == directory
    assert (directory / "model.bin").stat().st_size > 100_000_000


def test_concurrent_preparation(tmp_model_cache: Path) -> None:
    results: list[Path] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(model_directory("base"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1
    assert not list(results[0].glob("*.tmp-*"))


def test_hash_mismatch(tmp_model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models, "BASE_MODEL_SHA256", "0" * 64)
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        model_directory("base")
    directory = tmp_model_cache / "whisper-base"
    assert not (directory / "model.bin").exists()
    assert not (directory / ".verified-sha256").exists()
    assert not list(directory.glob("*.tmp-*"))


def test_unknown_model_directory() -> None:
    with pytest.raises(UnknownSpeechModelError):
        model_directory("large-v3")


def test_two_processes_prepare_once(tmp_model_cache: Path) -> None:
    import subprocess
    import sys

    code = "from stenograph.pipeline.models import model_directory; print(model_directory('base'))"
    root = Path(__file__).resolve().parents[1]
    procs = [
        subprocess.Popen([sys.executable, "-c", code], cwd=root, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0].strip() for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outputs == [str(tmp_model_cache / "whisper-base")] * 2
    assert _sha256(tmp_model_cache / "whisper-base" / "model.bin") == BASE_MODEL_SHA256
    assert not list((tmp_model_cache / "whisper-base").glob("*.tmp-*"))


def test_is_english_only() -> None:
    assert models.is_english_only("nano") and models.is_english_only("tiny.en")
    assert not models.is_english_only("best") and not models.is_english_only("base")
    assert models.MULTILINGUAL_MODEL in models.MODEL_NAMES
