"""The orchestrator's topic and content-safety steps: segments of the transcript's own sentences,
timed on their words (the models themselves: tests/unit/understanding)."""

from __future__ import annotations

from stenograph.pipeline.transcribe import _content_safety, _topics
from stenograph.pipeline.types import Word

TEXT = "Hello there. He pulled a gun and shot the clerk. This is fucking awful."


def words() -> list[Word]:
    return [
        Word(text=t, start=i * 300, end=i * 300 + 250, confidence=0.9) for i, t in enumerate(TEXT.split())
    ]


def test_content_safety_segments_carry_their_sentences_and_times() -> None:
    found = _content_safety(words(), 50)
    (segment,) = found.segments
    assert (segment.text, segment.start, segment.end) == (TEXT, 0, 13 * 300 + 250)
    assert (segment.sentences_idx_start, segment.sentences_idx_end) == (0, 2)
    assert {"crime_violence", "profanity"} <= {label.label for label in segment.labels}
    assert set(found.summary) == {label.label for label in segment.labels}


def test_topic_segments_are_timed_on_their_words() -> None:
    found = _topics(words())
    (segment,) = found.segments
    assert (segment.text, segment.start, segment.end) == (TEXT, 0, 13 * 300 + 250)
    assert segment.labels and set(found.summary) == {label for label, _ in segment.labels}
