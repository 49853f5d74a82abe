"""``auto_highlights``: the key phrases of a transcript (1 to 4 words), by YAKE (unsupervised,
statistical: word position, frequency, spread and context; no model, no data files).

Phrases that differ only by inflection ("weather system", "weather systems") are one phrase, counted
at every occurrence. ``rank`` is each phrase's share of the relevance of the phrases returned, so a
greater number means more relevant, as the API documents: YAKE's score is lower for more relevant
phrases and spans orders of magnitude, so relevance is taken on a log scale (one more than how many
times e the phrase's score is below the worst kept), normalised to sum to 1.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from stenograph.understanding.english import IN_USE, english

MAX_WORDS = 4
TOP = 15
_WORD = re.compile(r"[\w'\-]+")


@dataclass(frozen=True)
class KeyPhrase:
    text: str
    rank: float  # 0..1, greater is more relevant
    occurrences: tuple[tuple[int, int], ...]  # (first word index, last word index) of each


def stem(word: str) -> str:
    """A crude inflection key: lower case, without a plural or possessive ending."""
    word = word.lower().strip("'")
    for suffix in ("'s", "ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def key_phrases(words: Sequence[str], top: int = TOP) -> list[KeyPhrase]:
    """The ``top`` key phrases of a transcript given as its words (as written, punctuation
    attached), most relevant first, each with every place it occurs.

    YAKE proposes phrases without stop words inside; a phrase is kept when it is a noun phrase by
    the words' usual part of speech in the transcript (spaCy's tagger: adjectives, nouns and numbers
    ending in a noun: "fat mutton pieces", not "hoped" or "brought air"), and is not part of, nor
    contains, a phrase already kept."""
    import yake

    text = " ".join(words)
    if not text.strip():
        return []
    extractor = yake.KeywordExtractor(lan="en", n=MAX_WORDS, dedupLim=0.8, top=top * 6)
    stop_words = extractor.stopword_set
    tags = _usual_tags(text)
    keys = [[stem(w) for w in _WORD.findall(word)] for word in words]
    flat = [(index, key) for index, parts in enumerate(keys) for key in parts]
    kept: list[tuple[str, ...]] = []
    found: list[tuple[str, float, tuple[tuple[int, int], ...]]] = []
    for phrase, score in extractor.extract_keywords(text):
        tokens = _WORD.findall(phrase)
        phrase_key = tuple(stem(w) for w in tokens)
        if (
            not tokens
            or any(w.lower() in stop_words for w in tokens)
            or tags.get(tokens[-1].lower()) not in _NOUNS
            or any(tags.get(w.lower()) not in _NOUN_PHRASE for w in tokens)
            or any(_within(phrase_key, other) or _within(other, phrase_key) for other in kept)
        ):
            continue
        spans = _occurrences(flat, phrase_key)
        if not spans:
            continue
        kept.append(phrase_key)
        found.append((phrase, max(float(score), 1e-9), spans))
        if len(found) == top:
            break
    if not found:
        return []
    worst = max(score for _, score, _ in found)
    relevance = [1 + math.log(worst / score) for _, score, _ in found]
    total = sum(relevance)
    return [
        KeyPhrase(phrase, round(value / total, 4), spans)
        for (phrase, _, spans), value in zip(found, relevance, strict=True)
    ]


def _within(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))


_NOUNS = frozenset({"NOUN", "PROPN"})
_NOUN_PHRASE = _NOUNS | {"ADJ", "NUM"}


def _usual_tags(text: str) -> dict[str, str]:
    """Each word (lower case) and the part of speech it has in most of its occurrences."""
    seen: dict[str, Counter[str]] = {}
    nlp = english()
    with IN_USE:
        tokens = list(nlp(text, disable=["ner", "lemmatizer"]))
    for token in tokens:
        seen.setdefault(token.text.lower(), Counter())[token.pos_] += 1
    return {word: counts.most_common(1)[0][0] for word, counts in seen.items()}


def _occurrences(flat: list[tuple[int, str]], phrase: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    n = len(phrase)
    spans = []
    for i in range(len(flat) - n + 1):
        if tuple(key for _, key in flat[i : i + n]) == phrase:
            spans.append((flat[i][0], flat[i + n - 1][0]))
    return tuple(dict.fromkeys(spans))
