"""iab_categories: the IAB Content Taxonomy 2.0 in AssemblyAI's label form, scored from the packaged
sentence-embedding model (the real model: it loads in seconds)."""

from __future__ import annotations

from stenograph.understanding import topics


def test_the_taxonomy_has_its_698_categories_as_assemblyai_labels_them() -> None:
    labels = [c.label for c in topics.categories()]
    assert len(labels) == len(set(labels)) == 698
    # Labels from AssemblyAI's documentation and spec examples.
    for label in (
        "Home&Garden>IndoorEnvironmentalQuality",
        "NewsAndPolitics>Weather",
        "MedicalHealth>DiseasesAndConditions>LungAndRespiratoryHealth",
        "BusinessAndFinance>Business>GreenSolutions",
        "Travel>TravelLocations>PolarTravel",
        "BusinessAndFinance>Industries>PowerAndEnergyIndustry",
    ):
        assert label in labels
    assert {c.tier1 for c in topics.categories()} == set(topics.TIER1_DESCRIPTIONS)


def test_segments_are_labelled_by_what_they_talk_about() -> None:
    found = topics.detect(
        [
            "What a game last night.",
            "The point guard hit a three at the buzzer and the whole arena went crazy.",
            "I think the team makes the basketball playoffs this season if the center stays healthy.",
        ]
    )
    (segment,) = found.segments
    assert (segment.first, segment.last) == (0, 2)
    best, relevance = segment.labels[0]
    assert best.startswith("Sports") and relevance > 2 * _chit_chat_relevance()
    values = [value for _, value in segment.labels]
    assert values == sorted(values, reverse=True) and len(values) <= topics.LABELS_PER_SEGMENT
    assert next(iter(found.summary)) == best


def _chit_chat_relevance() -> float:
    found = topics.detect(["Okay.", "Yeah, so, um, let me see.", "Right, okay, thanks."])
    return max(value for _, value in found.segments[0].labels)


def test_talk_about_nothing_in_particular_scores_low() -> None:
    assert _chit_chat_relevance() < 0.1


def test_the_summary_weighs_each_segment_by_its_words() -> None:
    sports = "The striker scored twice in the second half and the keeper saved a penalty."
    cooking = "Whisk the eggs with sugar, fold in the flour and bake the cake for forty minutes."
    found = topics.detect([sports] * 6 + [cooking] * 6)
    assert len(found.segments) == 2
    first = found.segments[0].labels[0][0]
    assert first.startswith("Sports") and found.segments[1].labels[0][0].startswith("Food&Drink")
    assert set(found.summary) == {label for s in found.segments for label, _ in s.labels}
    assert max(found.summary.values()) < max(v for _, v in found.segments[0].labels)
