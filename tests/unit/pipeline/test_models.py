"""The packaged Whisper models: names, the choice for a language, and preparation of the base model."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from stenograph.pipeline import models
from stenograph.pipeline.languages import UnsupportedLanguageError, whisper_language
from stenograph.pipeline.models import BASE_MODEL_SHA256, ModelSettings, choose_model, model_directory
from stenograph.pipeline.types import UnknownSpeechModelError


@pytest.mark.parametrize(
    ("code", "expected"), [(None, None), ("en", "en"), ("en_us", "en"), ("pt-BR", "pt"), ("DE", "de")]
)
def test_whisper_language(code: str | None, expected: str | None) -> None:
    assert whisper_language(code) == expected


def test_unsupported_language() -> None:
    with pytest.raises(UnsupportedLanguageError, match="language_code"):
        whisper_language("xx")


def test_tiny_directory_is_packaged() -> None:
    directory = model_directory("tiny.en")
    assert (directory / "model.bin").is_file() and (directory / "tokenizer.json").is_file()


@pytest.fixture
def tmp_model_cache(tmp_path: Path) -> Path:
    return tmp_path / "models"


def in_cache(cache: Path) -> ModelSettings:
    return ModelSettings(cache_dir=cache)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def test_base_is_joined_and_verified(tmp_model_cache: Path) -> None:
    directory = model_directory("base", in_cache(tmp_model_cache))
    assert directory == tmp_model_cache / "whisper-base"
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"):
        assert (directory / name).is_file(), name
    assert _sha256(directory / "model.bin") == BASE_MODEL_SHA256
    assert not list(directory.glob("*.tmp-*"))

    mtime = (directory / "model.bin").stat().st_mtime_ns
    # second call: verified marker present, no rebuild
    assert model_directory("base", in_cache(tmp_model_cache)) == directory
    assert (directory / "model.bin").stat().st_mtime_ns == mtime


def test_base_rebuilt_when_marker_missing(tmp_model_cache: Path) -> None:
    directory = model_directory("base", in_cache(tmp_model_cache))
    (directory / ".verified-sha256").unlink()
    (directory / "model.bin").write_bytes(b"truncated")
    assert model_directory("base", in_cache(tmp_model_cache)) == directory
    assert (directory / "model.bin").stat().st_size > 100_000_000


def test_concurrent_preparation(tmp_model_cache: Path) -> None:
    results: list[Path] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(model_directory("base", in_cache(tmp_model_cache)))
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
        model_directory("base", in_cache(tmp_model_cache))
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

    code = (
        "from pathlib import Path; from stenograph.pipeline.models import ModelSettings, model_directory; "
        f"print(model_directory('base', ModelSettings(cache_dir=Path({str(tmp_model_cache)!r}))))"
    )
    root = Path(__file__).resolve().parents[3]
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
    assert models.is_english_only("tiny") and models.is_english_only("tiny.en")
    assert not models.is_english_only("base")
    assert models.MULTILINGUAL_MODEL in models.MODEL_NAMES
    with pytest.raises(UnknownSpeechModelError):
        models.is_english_only("nano")  # an AssemblyAI name: stenograph.assemblyai.models maps it


@pytest.mark.parametrize(
    ("requested", "language", "detect", "expected"),
    [
        ("tiny.en", None, False, "tiny.en"),
        ("tiny.en", "en_us", False, "tiny.en"),
        ("tiny.en", "EN-gb", False, "tiny.en"),
        ("tiny.en", "de", False, "base"),
        ("tiny.en", "", False, "base"),  # an empty code is not English: no English-only model for it
        ("tiny.en", None, True, "base"),
        ("tiny.en", "en", True, "base"),
        ("base", None, False, "base"),
        ("base", "en", False, "base"),
        ("base", "fr", True, "base"),
    ],
)
def test_choose_model(requested: str, language: str | None, detect: bool, expected: str) -> None:
    assert choose_model(requested, language, detect) == expected
    assert choose_model(expected, language, detect) == expected  # the choice is stable
