"""``speech_understanding.request.custom_formatting``: dates, phone numbers and e-mail addresses
rewritten to the caller's patterns, deterministically (no LLM).

Patterns:
- ``date``: ``yyyy``, ``yy``, ``mm``/``m`` (month number), ``dd``/``d`` (day), ``month`` (January),
  ``mon`` (Jan), anything else kept as written: ``mm/dd/yyyy``, ``dd.mm.yy``, ``month d, yyyy``.
  A date said without a year is formatted only when the pattern has no year.
- ``phone_number``: ``x`` stands for a digit, anything else is kept: ``(xxx)xxx-xxxx``. A number
  with a different count of digits is left as it was said.
- ``email``: an address (``username@domain.com``) written in lower case, or in upper case when the
  pattern is; an address read out ("jane dot doe at example dot com") is written as an address.
"""

from __future__ import annotations

import datetime as dt
import re

_DATE_TOKENS = re.compile(r"yyyy|yy|month|mon|mm|m|dd|d", re.IGNORECASE)
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip


class PatternError(ValueError):
    """A pattern this module cannot use; the message says why."""


def check_date_pattern(pattern: str) -> None:
    tokens = {t.lower() for t in _DATE_TOKENS.findall(pattern)}
    if not tokens & {"m", "mm", "mon", "month"} or not tokens & {"d", "dd", "yy", "yyyy"}:
        raise PatternError(
            f"'{pattern}' needs a month (mm, m, mon, month) and a day or year (dd, d, yyyy, yy)"
        )


def check_phone_pattern(pattern: str) -> None:
    if pattern.lower().count("x") < 7:
        raise PatternError(f"'{pattern}' needs at least 7 'x', one per digit")


def check_email_pattern(pattern: str) -> None:
    if "@" not in pattern:
        raise PatternError(f"'{pattern}' is not an address pattern (username@domain.com)")


def format_date(spoken: str, pattern: str) -> str | None:
    """The date in ``spoken`` ("March 7, 1961", "7/14/1985", "December 18th") in ``pattern``, or
    None when it is not a date this can read (or has no year the pattern needs)."""
    from dateutil import parser  # type: ignore[import-untyped]

    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", spoken.strip(" .,?!"))
    try:
        first = parser.parse(text, default=dt.datetime(1904, 1, 1))
        second = parser.parse(text, default=dt.datetime(1908, 2, 2))
    except (ValueError, OverflowError):
        return None
    if first.month != second.month:
        return None  # no month said
    has_year = first.year == second.year
    tokens = {t.lower() for t in _DATE_TOKENS.findall(pattern)}
    if tokens & {"yy", "yyyy"} and not has_year:
        return None
    if tokens & {"d", "dd"} and first.day != second.day:
        return None  # no day said
    values = {
        "yyyy": f"{first.year:04d}",
        "yy": f"{first.year % 100:02d}",
        "month": _MONTHS[first.month - 1],
        "mon": _MONTHS[first.month - 1][:3],
        "mm": f"{first.month:02d}",
        "m": str(first.month),
        "dd": f"{first.day:02d}",
        "d": str(first.day),
    }
    return _DATE_TOKENS.sub(lambda m: values[m.group(0).lower()], pattern)


def format_phone(spoken: str, pattern: str) -> str | None:
    digits = re.sub(r"\D", "", spoken)
    slots = sum(1 for char in pattern if char in "xX")
    if len(digits) != slots:
        return None
    filled = iter(digits)
    return "".join(next(filled) if char in "xX" else char for char in pattern)


def format_email(address: str, pattern: str) -> str | None:
    address = address.strip(" .,?!")
    if "@" not in address:
        return None
    return address.upper() if pattern.isupper() else address.lower()
