"""All runtime configuration, read once from ``STENOGRAPH_*`` environment variables."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("stenograph", appauthor=False))


@dataclass(frozen=True)
class ModelCatalogue:
    """STENOGRAPH_MODELS read: model name -> CTranslate2 Whisper directory, and AssemblyAI model
    name -> model name (brought or packaged). Checked against the disk by the runtime, at start."""

    models: dict[str, Path] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)


def read_model_catalogue(value: str | None) -> ModelCatalogue:
    """STENOGRAPH_MODELS: inline JSON (starting with ``{``) or the path of a TOML file, both
    ``{"models": {name: directory}, "aliases": {assemblyai_name: name}}``. A relative directory in
    a file is relative to the file. ValueError says what is wrong."""
    if not value or not value.strip():
        return ModelCatalogue()
    text = value.strip()
    if text.startswith("{"):
        try:
            data: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON: {exc}") from None
        base = Path.cwd()
    else:
        path = Path(text).expanduser()
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValueError(f"cannot read the models file {path}: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path} is not valid TOML: {exc}") from None
        base = path.resolve().parent
    if not isinstance(data, dict) or set(data) - {"models", "aliases"}:
        raise ValueError('expected {"models": {name: directory}, "aliases": {assemblyai_name: name}}')
    tables = {key: data.get(key, {}) for key in ("models", "aliases")}
    for key, table in tables.items():
        if not isinstance(table, dict) or not all(isinstance(v, str) and v for v in table.values()):
            raise ValueError(f"{key}: expected a table of names to non-empty strings")
    return ModelCatalogue(
        models={name: base / Path(path).expanduser() for name, path in tables["models"].items()},
        aliases=dict(tables["aliases"]),
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STENOGRAPH_", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None  # default: SQLite in data_dir
    queue_url: str | None = None  # redis://... for a worker fleet; default: SQLite queue in data_dir
    uploads_dir: Path | None = None  # default: data_dir/uploads
    model_cache_dir: Path | None = None  # default: data_dir/models

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None  # base for absolute URLs; default: the request's own host
    api_key: str | None = None  # seeded at start when set

    default_model: str = "tiny.en"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    cpu_threads: int = 0  # 0: CTranslate2 picks (all cores)
    workers: int = 1  # in-process consumer threads
    # OpenAI-route transcriptions run while their request waits: at most this many at once, on
    # threads of their own (more wait their turn), so they never starve the API's other requests.
    sync_transcription_threads: int = Field(default=2, ge=1)
    # Sync API requests in flight at once (reading their upload, waiting for or on the pool); one
    # more is answered 503 with Retry-After, as AssemblyAI's capacity_exceeded.
    sync_max_in_flight: int = Field(default=8, ge=1)
    # A Sync API client that sends nothing of its upload for this long is answered 408.
    sync_upload_idle_seconds: float = Field(default=15.0, gt=0)
    embedded_worker: bool = True  # run a consumer inside the API process

    job_lease_seconds: float = 60.0
    # A job whose worker died this many times (an input that crashes it) ends in error, not in a loop.
    max_job_attempts: int = Field(default=3, ge=1)
    reaper_interval_seconds: float = 15.0

    max_upload_bytes: int = 2_200_000_000
    max_download_bytes: int = 2_200_000_000
    download_timeout_seconds: float = 300.0
    # Longest audio a job or request may hold (10 h); with the size limits above, it bounds a decode's memory.
    max_audio_seconds: float = Field(default=36_000.0, gt=0)
    allow_private_urls: bool = False
    webhook_timeout_seconds: float = 10.0  # per delivery attempt
    webhook_retry_base_seconds: float = 5.0  # first retry delay; doubles per attempt, capped

    rate_limit_per_minute: int = 0  # 0 disables rate limiting

    # Redacted audio (redact_pii_audio): its URLs need no API key but carry an HMAC signature and
    # an expiry. The signing key: this secret when set (the same on every server of a fleet), else
    # a random key the database migration made once and every process sharing the database reads.
    url_signing_secret: SecretStr | None = Field(default=None, min_length=32)
    redacted_audio_url_seconds: int = Field(default=86_400, ge=60, le=7 * 86_400)  # how long a URL works

    # Real-time streaming (/v3/ws, /v2/realtime/ws)
    streaming_model: str = "tiny.en"  # English sessions; multilingual ones use base
    streaming_max_sessions: int = 8  # concurrent sessions per server process; more are closed with 3009
    streaming_threads: int = 2  # inference threads shared by all sessions of a process
    streaming_max_session_seconds: int = 10800  # a session is closed with 3008 after this long
    streaming_max_audio_ahead_seconds: float = 30.0  # how far ahead of real time audio may be sent
    # Load shedding (0 turns either off): no new session while a session's undecoded speech has
    # waited this long, and the newest session closed (3009) while one's has waited this long.
    streaming_admit_lag_seconds: float = 1.0
    streaming_shed_lag_seconds: float = 2.0
    # Models you bring (README "Models you bring"): inline JSON or a TOML file's path.
    models: str | None = None

    # Operations: the log format, and where /metrics is served (README "Operations").
    log_format: Literal["text", "json"] = "text"
    metrics_require_key: bool = False  # /metrics on the API port answers only with an API key
    metrics_port: int | None = Field(default=None, ge=1, le=65535)  # /metrics on its own port instead
    metrics_host: str = "127.0.0.1"  # the interface of metrics_port
    ssl_certfile: Path | None = None  # serve HTTPS / wss:// with this certificate (PEM) ...
    ssl_keyfile: Path | None = None  # ... and this private key

    # Language models (the LLM Gateway, LeMUR): the packaged Qwen2.5-Coder-1.5B-Instruct run
    # in-process, unless llm_base_url names an OpenAI-compatible endpoint (with llm_model, and
    # llm_api_key when it needs one) or llm_model_path another local GGUF file.
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str | None = None
    llm_model_path: Path | None = None
    llm_context_tokens: int = Field(default=8192, ge=512, le=131_072)  # the local model's context
    llm_threads: int = Field(default=0, ge=0)  # 0: every core
    # One generation runs at a time; this many more may wait, and the next is a 429 with Retry-After.
    llm_max_waiting: int = Field(default=4, ge=0)
    llm_time_limit_seconds: float = Field(default=300.0, gt=0)  # per generation
    llm_max_tokens: int = Field(default=4096, ge=1)  # cap on any generation's output
    llm_repeat_penalty: float = Field(default=1.1, ge=1.0, le=2.0)  # 1.0: none (small models loop)

    @field_validator("device", mode="before")
    @classmethod
    def _device_in_any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_in_any_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("models")
    @classmethod
    def _models_readable(cls, value: str | None) -> str | None:
        read_model_catalogue(value)  # raises ValueError, which names the problem
        return value

    @property
    def model_catalogue(self) -> ModelCatalogue:
        return read_model_catalogue(self.models)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'stenograph.db'}"

    @property
    def resolved_uploads_dir(self) -> Path:
        return self.uploads_dir or self.data_dir / "uploads"

    @property
    def resolved_model_cache_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"


class SettingsError(ValueError):
    """The environment holds a setting the server cannot run with; the message names it."""


def load_settings() -> Settings:
    """Settings from the environment, or SettingsError naming each bad ``STENOGRAPH_*`` variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"STENOGRAPH_{'_'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        raise SettingsError(f"invalid setting: {problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
