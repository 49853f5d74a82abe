"""Logging set-up for the commands (stdlib ``logging``): one line a record, as text or as JSON
(``STENOGRAPH_LOG_FORMAT=json``). Fields given with ``extra=`` (``transcript_id``, ``route``, ...)
become JSON keys; text lines carry them in the message already. Imports nothing of ours."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Fields our log calls pass with ``extra=`` that the JSON lines carry as keys of their own.
EXTRA_FIELDS = (
    "transcript_id",
    "status",
    "model",
    "attempt",
    "method",
    "path",
    "route",
    "status_code",
    "duration_ms",
    "audio_seconds",
    "client",
)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the extra fields
    set on the record, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    """Send every logger's records (uvicorn's and Huey's too) to stderr in ``log_format``."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
