"""auto_highlights: key phrases with YAKE, nouns last, inflections merged, every occurrence found."""

from __future__ import annotations

from stenograph.understanding.highlights import key_phrases, stem

TEXT = (
    "The weather systems over the coast brought air quality alerts to New York. Air quality alerts "
    "were issued again on Tuesday, and the weather system is expected to stay. Doctors said people "
    "with heart conditions should stay inside while the air quality alert lasts."
)


def test_stem_merges_inflections() -> None:
    assert stem("systems") == stem("system") == "system"
    assert stem("Alerts") == "alert"
    assert stem("cities") == "city"
    assert stem("is") == "is"


def test_phrases_are_ranked_nouns_with_every_occurrence() -> None:
    words = TEXT.split()
    phrases = key_phrases(words, top=5)
    assert 1 <= len(phrases) <= 5
    ranks = [p.rank for p in phrases]
    assert ranks == sorted(ranks, reverse=True) and abs(sum(ranks) - 1) < 1e-3
    alerts = next(p for p in phrases if "quality alert" in p.text.lower())
    assert len(alerts.occurrences) == 3  # "alerts" twice, "alert" once
    for _first, last in alerts.occurrences:
        assert words[last].strip(".,").lower().startswith("alert")
    assert all(len(p.text.split()) <= 4 for p in phrases)


def test_no_text_no_phrases() -> None:
    assert key_phrases([]) == []
