"""custom_formatting: dates, phone numbers and addresses to the caller's patterns; and the
orchestrator's step that finds them in the words and rewrites text and utterances."""

from __future__ import annotations

import pytest

from stenograph.pipeline.transcribe import custom_formatted
from stenograph.pipeline.types import TranscribeOptions, Word
from stenograph.understanding.formatting import (
    PatternError,
    check_date_pattern,
    check_email_pattern,
    check_phone_pattern,
    format_date,
    format_email,
    format_phone,
)


@pytest.mark.parametrize(
    ("spoken", "pattern", "expected"),
    [
        ("March 7, 1961", "mm/dd/yyyy", "03/07/1961"),
        ("7/14/1985", "dd.mm.yy", "14.07.85"),
        ("December 18th", "month d", "December 18"),
        ("December 18th", "mm/dd/yyyy", None),  # no year said
        ("the weather", "mm/dd/yyyy", None),
        ("June 3, 2024", "yyyy-mm-dd", "2024-06-03"),
        ("June 3, 2024", "mon d yyyy", "Jun 3 2024"),
    ],
)
def test_dates(spoken: str, pattern: str, expected: str | None) -> None:
    assert format_date(spoken, pattern) == expected


def test_phone_numbers_and_addresses() -> None:
    assert format_phone("415-555-0132", "(xxx)xxx-xxxx") == "(415)555-0132"
    assert format_phone("4155550132", "xxx.xxx.xxxx") == "415.555.0132"
    assert format_phone("555-1234", "(xxx)xxx-xxxx") is None
    assert format_email("Jane.Doe@Example.com.", "username@domain.com") == "jane.doe@example.com"
    assert format_email("jane@example.com", "USERNAME@DOMAIN.COM") == "JANE@EXAMPLE.COM"


@pytest.mark.parametrize(
    ("check", "pattern"),
    [
        (check_date_pattern, "yyyy"),
        (check_date_pattern, "whenever"),
        (check_phone_pattern, "(xx)"),
        (check_email_pattern, "username"),
    ],
)
def test_unusable_patterns_are_refused(check, pattern: str) -> None:
    with pytest.raises(PatternError):
        check(pattern)


def words_of(text: str) -> list[Word]:
    return [Word(token, i * 500, i * 500 + 400, 0.9) for i, token in enumerate(text.split())]


def test_the_text_is_rewritten_where_each_entity_was_said() -> None:
    words = words_of(
        "Call me at four one five five five five zero one three two, or write to jane dot doe at "
        "example dot com. I was born on March 7, 1961."
    )
    options = TranscribeOptions(
        custom_formatting=(
            ("date", "mm/dd/yyyy"),
            ("phone_number", "(xxx)xxx-xxxx"),
            ("email", "username@domain.com"),
        )
    )
    formatted = custom_formatted(words, None, options.custom_formatting)
    assert formatted.text == (
        "Call me at (415)555-0132, or write to jane.doe@example.com. I was born on 03/07/1961."
    )
    assert formatted.mapping == {
        "four one five five five five zero one three two": "(415)555-0132",
        "jane dot doe at example dot com": "jane.doe@example.com",
        "March 7, 1961": "03/07/1961",
    }
    assert formatted.utterances is None


def test_only_the_asked_kinds_are_rewritten() -> None:
    words = words_of("Call 415-555-0132 on March 7, 1961.")
    formatted = custom_formatted(words, None, (("date", "yyyy-mm-dd"),))
    assert formatted.text == "Call 415-555-0132 on 1961-03-07."
