"""Scores of a segmentation against a reference (for the chapter boundaries of benchmarks/llm.py):
boundary precision/recall/F1 within a time tolerance, and Pk and WindowDiff (Beeferman et al. 1999,
Pevzner and Hearst 2002) over a sequence of units (sentences), each labelled with its segment."""

from __future__ import annotations

import itertools
from collections.abc import Sequence


def boundary_scores(found: Sequence[float], reference: Sequence[float], tolerance: float) -> dict[str, float]:
    """Each reference boundary matched to at most one found boundary within ``tolerance`` (closest
    pairs first): precision, recall, F1 and the counts."""
    pairs = sorted(
        (abs(f - r), i, j)
        for i, f in enumerate(found)
        for j, r in enumerate(reference)
        if abs(f - r) <= tolerance
    )
    used_found: set[int] = set()
    used_reference: set[int] = set()
    for _, i, j in pairs:
        if i not in used_found and j not in used_reference:
            used_found.add(i)
            used_reference.add(j)
    hits = len(used_found)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(reference) if reference else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "hits": hits,
        "found": len(found),
        "reference": len(reference),
    }


def window_size(reference: Sequence[int]) -> int:
    """Half the mean reference segment length in units (at least 1), the usual k."""
    segments = 1 + sum(1 for a, b in itertools.pairwise(reference) if a != b)
    return max(1, round(len(reference) / segments / 2))


def pk(reference: Sequence[int], hypothesis: Sequence[int], k: int) -> float:
    """The share of windows of ``k`` units where the two disagree on whether the ends are in the same
    segment (0 is perfect)."""
    windows = len(reference) - k
    if windows <= 0:
        return 0.0
    errors = sum(
        (reference[i] == reference[i + k]) != (hypothesis[i] == hypothesis[i + k]) for i in range(windows)
    )
    return errors / windows


def window_diff(reference: Sequence[int], hypothesis: Sequence[int], k: int) -> float:
    """The share of windows of ``k`` units where the two count a different number of boundaries."""
    windows = len(reference) - k
    if windows <= 0:
        return 0.0

    def count(labels: Sequence[int], i: int) -> int:
        return sum(labels[j] != labels[j + 1] for j in range(i, i + k))

    errors = sum(count(reference, i) != count(hypothesis, i) for i in range(windows))
    return errors / windows
