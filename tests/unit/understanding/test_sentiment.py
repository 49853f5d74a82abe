"""sentiment_analysis: VADER's compound score into AssemblyAI's three labels."""

from __future__ import annotations

import pytest

from stenograph.understanding.sentiment import THRESHOLD, classify, label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thank you so much, that was wonderful.", "POSITIVE"),
        ("This is the worst service I have ever had.", "NEGATIVE"),
        ("The meeting is on the second floor.", "NEUTRAL"),
        ("The delivery was late again.", "NEGATIVE"),  # a spoken complaint VADER's own lexicon misses
    ],
)
def test_clear_sentences(text: str, expected: str) -> None:
    ((sentiment, confidence),) = classify([text])
    assert sentiment == expected
    assert 0.5 <= confidence <= 1


def test_confidence_grows_into_each_band() -> None:
    assert label(0.0) == ("NEUTRAL", 1.0)
    assert label(THRESHOLD)[0] == "NEUTRAL" and label(-THRESHOLD)[0] == "NEUTRAL"
    assert label(1.0) == ("POSITIVE", 1.0) and label(-1.0) == ("NEGATIVE", 1.0)
    assert label(0.3)[1] < label(0.9)[1]
    assert label(0.01)[1] > label(0.09)[1]  # surer of neutral nearer zero
