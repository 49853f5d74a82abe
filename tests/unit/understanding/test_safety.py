"""content_safety: swear words from the profanity list; the other labels from the packaged
sentence-embedding model (the real model)."""

from __future__ import annotations

import pytest

from stenograph.pipeline.textform import is_profane
from stenograph.understanding import safety


def labels_of(sentences: list[str], threshold: int = 50) -> set[str]:
    found = safety.detect(sentences, is_profane, threshold)
    return {label.label for segment in found.segments for label in segment.labels}


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("This is such bullshit, I'm so fucking tired of it.", "profanity"),
        ("Two men broke in last night and stabbed the owner before running off.", "crime_violence"),
        ("He's been shooting heroin again and nearly overdosed on Saturday.", "drugs"),
    ],
)
def test_clear_cases_are_flagged(sentence: str, label: str) -> None:
    assert label in labels_of(["So anyway.", sentence, "That's what happened."])


def test_ordinary_talk_is_not_flagged() -> None:
    assert (
        labels_of(
            [
                "Let's move the meeting to Thursday afternoon.",
                "I'll send the slides to everyone after lunch.",
                "The new onboarding flow tested well with users.",
            ]
        )
        == set()
    )


def test_the_threshold_is_the_confidence_in_percent() -> None:
    sentences = ["He pulled a knife and threatened to kill the cashier."]
    found = safety.detect(sentences, is_profane, 25)
    confidences = {label.label: label.confidence for s in found.segments for label in s.labels}
    assert confidences and all(value >= 0.25 for value in confidences.values())
    strictest = safety.detect(sentences, is_profane, 100)
    assert all(label.confidence >= 1.0 for s in strictest.segments for label in s.labels)


def test_results_carry_their_sentences_summary_and_severity_shares() -> None:
    sentences = ["We had a lovely lunch."] * 8 + ["Shut the fuck up, you stupid shit."] * 2
    found = safety.detect(sentences, is_profane)
    flagged = [s for s in found.segments if any(x.label == "profanity" for x in s.labels)]
    assert len(flagged) == 1 and flagged[0].last == 9
    profanity = next(x for x in flagged[0].labels if x.label == "profanity")
    assert profanity.confidence >= 0.99 and 0 < profanity.severity <= 1
    assert found.summary["profanity"] == pytest.approx(profanity.confidence, abs=1e-4)
    shares = found.severity_summary["profanity"]
    assert set(shares) == {"low", "medium", "high"} and sum(shares.values()) == pytest.approx(1)


def test_the_summary_grows_with_each_flagged_segment() -> None:
    segments = [
        safety.Segment(0, 1, (safety.Label("drugs", 0.6, 0.5),)),
        safety.Segment(2, 3, (safety.Label("drugs", 0.5, 0.5),)),
    ]
    assert safety._summary(segments) == {"drugs": pytest.approx(0.8)}
