"""Log lines as JSON (STENOGRAPH_LOG_FORMAT=json): one object a line, the extra fields as keys."""

from __future__ import annotations

import json
import logging

from stenograph.logs import JsonFormatter


def _record(**extra: object) -> logging.LogRecord:
    record = logging.LogRecord(
        "stenograph.jobs.runner", logging.INFO, __file__, 1, "transcript %s: %s", ("t1", "queued"), None
    )
    record.__dict__.update(extra)
    return record


def test_a_json_line_has_the_message_and_the_extra_fields() -> None:
    line = JsonFormatter().format(_record(transcript_id="t1", status="queued", unrelated="x"))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "transcript t1: queued"
    assert entry["level"] == "INFO" and entry["logger"] == "stenograph.jobs.runner"
    assert entry["transcript_id"] == "t1" and entry["status"] == "queued"
    assert "unrelated" not in entry and entry["time"].endswith("+00:00")


def test_an_exception_stays_on_one_line() -> None:
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        import sys

        record = _record()
        record.exc_info = sys.exc_info()
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in entry["exc_info"]
