"""Models an operator brings: CTranslate2 Whisper directories checked, registered under their names,
and chosen like the packaged ones (English-only ones give way to base for other languages)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from stenograph.pipeline import models
from stenograph.pipeline.models import (
    BASE_MODEL_SHA256,
    ModelDirectoryError,
    ModelSettings,
    check_model,
    choose_model,
    inspect_model_directory,
    model_files_problem,
    use_models,
)
from stenograph.pipeline.types import UnknownSpeechModelError
from tests.support.brought_models import tiny_copy


@pytest.fixture(autouse=True)
def no_models_brought() -> Iterator[None]:
    use_models({})
    yield
    use_models({})


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return tiny_copy(tmp_path / "mini")


@pytest.fixture
def polyglot(tmp_path: Path, mini: Path) -> Path:
    """tiny.en's files with a multilingual-sized vocabulary (51865 tokens): what CTranslate2 reads
    a model's languages from."""
    target = tmp_path / "polyglot"
    target.mkdir()
    for name in ("model.bin", "config.json", "tokenizer.json"):
        (target / name).symlink_to((mini / name).resolve())
    lines = (mini / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    (target / "vocabulary.txt").write_text("\n".join([*lines, "<|extra|>"]) + "\n", encoding="utf-8")
    return target


def test_a_copy_of_tiny_is_an_english_only_whisper_model(mini: Path) -> None:
    found = inspect_model_directory("mini", mini)
    assert found.path == mini and not found.multilingual


def test_the_vocabulary_size_decides_multilingual(polyglot: Path) -> None:
    assert inspect_model_directory("polyglot", polyglot).multilingual


def test_a_missing_directory_fails_with_its_name_and_path(tmp_path: Path) -> None:
    with pytest.raises(ModelDirectoryError, match=r"model 'big' \(.*nowhere\): the directory does not exist"):
        use_models({"big": tmp_path / "nowhere"})


def test_a_directory_missing_files_names_them(tmp_path: Path, mini: Path) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(mini / "config.json", partial / "config.json")
    with pytest.raises(
        ModelDirectoryError, match=r"missing model\.bin, tokenizer\.json, vocabulary\.txt or vocabulary\.json"
    ):
        inspect_model_directory("partial", partial)


def test_a_model_bin_of_another_kind_is_refused(tmp_path: Path, mini: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (other / name).symlink_to((mini / name).resolve())
    (other / "model.bin").write_bytes(b"\x06\x00\x00\x00\x0c\x00TransformerS\x00" + b"\x00" * 64)
    with pytest.raises(
        ModelDirectoryError, match=r"model.bin is not a CTranslate2 Whisper model \(TransformerS\)"
    ):
        inspect_model_directory("other", other)
    (other / "model.bin").unlink()
    (other / "model.bin").write_bytes(b"PK\x03\x04 a zip file")
    with pytest.raises(ModelDirectoryError, match="not a CTranslate2 Whisper model"):
        inspect_model_directory("other", other)


def test_a_config_of_another_model_is_refused(tmp_path: Path, mini: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    for name in ("model.bin", "tokenizer.json", "vocabulary.txt"):
        (other / name).symlink_to((mini / name).resolve())
    (other / "config.json").write_text('{"bos_token": "<s>"}')
    with pytest.raises(ModelDirectoryError, match=r"config\.json is not a CTranslate2 Whisper model's"):
        inspect_model_directory("other", other)


@pytest.mark.parametrize(
    ("name", "message"), [("base", "packaged"), ("TINY", "packaged"), ("a b", "letters")]
)
def test_names_that_cannot_be_taken(mini: Path, name: str, message: str) -> None:
    with pytest.raises(ModelDirectoryError, match=message):
        use_models({name: mini})


def test_nothing_changes_when_one_model_fails(tmp_path: Path, mini: Path) -> None:
    use_models({"mini": mini})
    with pytest.raises(ModelDirectoryError):
        use_models({"other": mini, "broken": tmp_path / "nowhere"})
    assert models.model_names() == ["tiny.en", "base", "mini"]


def test_brought_models_are_chosen_like_packaged_ones(mini: Path, polyglot: Path) -> None:
    with pytest.raises(UnknownSpeechModelError):
        models.packaged_model("mini")
    use_models({"Mini": mini, "polyglot": polyglot})  # names are case-insensitive
    assert models.model_names() == ["tiny.en", "base", "mini", "polyglot"]
    assert models.packaged_model("MINI") == "mini"
    assert models.model_directory("mini") == mini.resolve()
    assert models.is_english_only("mini") and not models.is_english_only("polyglot")
    assert choose_model("mini", "en") == "mini"
    assert choose_model("mini", "de") == models.MULTILINGUAL_MODEL  # English-only gives way
    assert choose_model("mini", None, detect=True) == models.MULTILINGUAL_MODEL
    assert choose_model("polyglot", "de") == "polyglot"
    assert choose_model("polyglot", None, detect=True) == "polyglot"


def test_checksums_and_readiness(tmp_path: Path, mini: Path) -> None:
    use_models({"mini": mini})
    tiny = check_model("tiny.en")
    found = check_model("mini")
    assert tiny.sha256 == models.TINY_MODEL_SHA256 and tiny.ok
    assert found.sha256 == tiny.sha256 and found.expected is None and found.ok
    base = check_model("base", ModelSettings(cache_dir=tmp_path / "cache"))
    assert base.sha256 == BASE_MODEL_SHA256 and base.ok
    assert model_files_problem("mini") is None
    assert model_files_problem("base", ModelSettings(cache_dir=tmp_path / "not-joined-yet")) is None
    (mini / "model.bin").unlink()
    assert "missing model.bin" in (model_files_problem("mini") or "")
    assert "unknown model" in (model_files_problem("huge") or "")
