"""Models "brought" by an operator for tests: copies of the packaged ones under other names, made
of symbolic links to the packaged files (nothing large is copied)."""

from __future__ import annotations

from pathlib import Path

from stenograph.pipeline.models import ModelSettings, model_directory


def linked_copy(source: Path, target: Path) -> Path:
    """``target`` made a directory of links to every file of ``source``."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file() and not path.name.startswith("."):
            (target / path.name).symlink_to(path.resolve())
    return target


def tiny_copy(target: Path) -> Path:
    """The packaged tiny.en (English-only) as a directory of its own."""
    return linked_copy(model_directory("tiny.en"), target)


def base_copy(target: Path, cache: Path) -> Path:
    """The packaged base (multilingual), joined in ``cache`` first, as a directory of its own."""
    return linked_copy(model_directory("base", ModelSettings(cache_dir=cache)), target)
