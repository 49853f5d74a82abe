"""``stenograph doctor``: what the server would use, checked. Each check prints a line; the
problems are returned for the command to list and exit 1 on. Nothing secret is printed (database
and queue URLs without their passwords)."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from sqlalchemy import make_url, text

from stenograph.config import Settings
from stenograph.jobs.queue import make_huey
from stenograph.pipeline.models import (
    CudaUnavailableError,
    ModelDirectoryError,
    check_model,
    cuda_check,
    cuda_remedy,
    model_names,
    placement,
)
from stenograph.runtime import ModelConfigError, model_settings, served_models, use_configured_models
from stenograph.store.db import Database

Echo = Callable[[str], None]


def safe_url(url: str) -> str:
    """``url`` with any password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("://", 1)[0] + "://…" if "://" in url else "(unparsable URL)"


def check_device(settings: Settings, echo: Echo) -> list[str]:
    """Where models would run. A GPU that is seen but cannot run them is a problem unless
    STENOGRAPH_DEVICE=cpu: with ``cuda`` every job would fail, with ``auto`` they run on the CPU."""
    check = cuda_check()
    try:
        where = placement(model_settings(settings))
    except CudaUnavailableError as exc:
        echo(f"device: UNUSABLE: {exc}")
        return [f"device: {exc}"]
    threads = where.cpu_threads or "all cores"
    echo(
        f"device: {where.device} ({where.compute_type}, CPU threads: {threads}; "
        f"STENOGRAPH_DEVICE={settings.device}, CUDA devices: {check.devices})"
    )
    if check.problem is None:
        return []
    echo(f"  the GPU does not work: {check.problem}")
    if settings.device == "cpu":
        return []
    return [
        f"device: STENOGRAPH_DEVICE=auto runs on the CPU: the GPU does not work ({check.problem}); "
        f"to use it, {cuda_remedy(check.problem)}; or set STENOGRAPH_DEVICE=cpu"
    ]


def check_models(settings: Settings, echo: Echo) -> list[str]:
    try:
        use_configured_models(settings)
    except ModelConfigError as exc:
        echo(f"models: {exc}")
        return [str(exc)]
    problems: list[str] = []
    served = set(served_models(settings))
    echo("models:")
    for name in model_names():
        try:
            found = check_model(name, model_settings(settings))
        except (ModelDirectoryError, RuntimeError, OSError, ImportError) as exc:
            echo(f"  {name}: MISSING: {exc}")
            problems.append(f"model {name}: {exc}")
            continue
        verdict = "" if found.expected is None else " (verified)" if found.ok else " (MISMATCH)"
        role = " [served by default]" if name in served else ""
        echo(f"  {name}{role}: {found.directory} sha256 {found.sha256}{verdict}")
        if not found.ok:
            problems.append(f"model {name}: sha256 {found.sha256}, expected {found.expected}")
    return problems


def check_database(settings: Settings, echo: Echo) -> list[str]:
    url = settings.resolved_database_url
    try:
        db = Database(url)
        try:
            with db.reader() as connection:
                connection.execute(text("SELECT 1"))
        finally:
            db.dispose()
    except Exception as exc:
        echo(f"database: UNREACHABLE {safe_url(url)}: {type(exc).__name__}")
        return [f"database {safe_url(url)} unreachable: {type(exc).__name__}: {_first_line(exc)}"]
    echo(f"database: ok ({safe_url(url)})")
    return []


def check_queue(settings: Settings, echo: Echo) -> list[str]:
    shown = safe_url(settings.queue_url) if settings.queue_url else f"SQLite in {settings.data_dir}"
    try:
        depth = int(make_huey(settings).pending_count())
    except Exception as exc:
        echo(f"queue: UNREACHABLE {shown}: {type(exc).__name__}")
        return [f"queue {shown} unreachable: {type(exc).__name__}: {_first_line(exc)}"]
    echo(f"queue: ok ({shown}; {depth} message(s) waiting)")
    return []


def check_disk(settings: Settings, echo: Echo, min_free_bytes: int) -> list[str]:
    uploads = settings.resolved_uploads_dir
    try:
        uploads.mkdir(parents=True, exist_ok=True)
        usage = shutil.disk_usage(uploads)
    except OSError as exc:
        echo(f"uploads: UNUSABLE {uploads}: {exc.strerror or exc}")
        return [f"uploads directory {uploads}: {exc.strerror or exc}"]
    free_gib = usage.free / 1024**3
    echo(f"uploads: {uploads}, {free_gib:.1f} GiB free of {usage.total / 1024**3:.1f} GiB")
    if usage.free < min_free_bytes:
        return [
            f"uploads directory {uploads}: {free_gib:.2f} GiB free, under {min_free_bytes / 1024**3:g} GiB"
        ]
    return []


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]


def run_checks(settings: Settings, echo: Echo, min_free_bytes: int = 1024**3) -> list[str]:
    """Every check in turn (each runs whatever the others found); the problems found."""
    return [
        *check_device(settings, echo),
        *check_models(settings, echo),
        *check_database(settings, echo),
        *check_queue(settings, echo),
        *check_disk(settings, echo, min_free_bytes),
    ]
