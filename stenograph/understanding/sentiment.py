"""``sentiment_analysis``: POSITIVE / NEUTRAL / NEGATIVE per sentence, with VADER (a lexicon and
rules tuned to social-media and conversational English; the lexicon ships inside the package).

VADER's compound score is in -1..1; a sentence is POSITIVE above ``THRESHOLD``, NEGATIVE below
``-THRESHOLD``, NEUTRAL between (0.1, chosen on the dev part of benchmarks/understanding.py's
sentences; VADER publishes 0.05). The confidence reported is how far the score is into its band,
mapped to 0.5..1.

VADER's lexicon comes from social media; calls and meetings complain in words it lacks or rates
neutral ("late", "overcharged", "nobody"): ``SPOKEN_COMPLAINTS`` adds them, on VADER's -4..4 scale.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

THRESHOLD = 0.1

SPOKEN_COMPLAINTS = {
    "late": -1.3, "delays": -1.3, "nobody": -0.8, "canceled": -1.0, "overcharged": -2.2,
    "slower": -1.0, "outage": -2.0, "crashed": -1.7, "crashing": -1.7, "crashes": -1.7, "unreliable": -1.8,
    "disconnected": -1.2, "unanswered": -1.3, "waited": -0.5, "waiting": -0.5, "refund": -0.6,
    "leaking": -1.4, "smoothly": 1.5, "blast": 1.0,
}  # fmt: skip

_analyzer: Any = None
_lock = threading.Lock()


def _vader() -> Any:
    global _analyzer
    with _lock:
        if _analyzer is None:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            _analyzer = SentimentIntensityAnalyzer()
            _analyzer.lexicon.update(SPOKEN_COMPLAINTS)
        return _analyzer


def label(compound: float) -> tuple[str, float]:
    """(sentiment, confidence) for a VADER compound score."""
    if compound > THRESHOLD:
        return "POSITIVE", round(0.5 + 0.5 * (compound - THRESHOLD) / (1 - THRESHOLD), 4)
    if compound < -THRESHOLD:
        return "NEGATIVE", round(0.5 + 0.5 * (-compound - THRESHOLD) / (1 - THRESHOLD), 4)
    return "NEUTRAL", round(1 - 0.5 * abs(compound) / THRESHOLD, 4)


def classify(texts: Sequence[str]) -> list[tuple[str, float]]:
    """(sentiment, confidence) of each text."""
    vader = _vader()
    return [label(vader.polarity_scores(text)["compound"]) for text in texts]
