"""Segments for topics and content safety: runs of whole sentences of about ``TARGET_WORDS`` words
(about half a minute of speech, as AssemblyAI's segments), so one label can be told per stretch of
the conversation."""

from __future__ import annotations

from collections.abc import Sequence

TARGET_WORDS = 80


def segment_spans(word_counts: Sequence[int], target: int = TARGET_WORDS) -> list[tuple[int, int]]:
    """(first, last) sentence indexes of each segment: sentences are added until a segment holds
    ``target`` words; a short tail (under half the target) joins the segment before it."""
    spans: list[tuple[int, int]] = []
    first, words = 0, 0
    for index, count in enumerate(word_counts):
        words += count
        if words >= target:
            spans.append((first, index))
            first, words = index + 1, 0
    if first < len(word_counts):
        if spans and words < target // 2:
            spans[-1] = (spans[-1][0], len(word_counts) - 1)
        else:
            spans.append((first, len(word_counts) - 1))
    return spans
