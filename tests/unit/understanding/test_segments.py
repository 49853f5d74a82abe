"""Segments of whole sentences for topics and content safety."""

from __future__ import annotations

from stenograph.understanding.segments import segment_spans


def test_sentences_fill_segments_up_to_the_target() -> None:
    assert segment_spans([30, 30, 30, 30, 30, 30], target=80) == [(0, 2), (3, 5)]


def test_a_short_tail_joins_the_segment_before() -> None:
    assert segment_spans([50, 40, 10], target=80) == [(0, 2)]
    assert segment_spans([50, 40, 45], target=80) == [(0, 1), (2, 2)]


def test_short_transcripts_are_one_segment_and_none_is_none() -> None:
    assert segment_spans([3, 4]) == [(0, 1)]
    assert segment_spans([]) == []
