"""Search a transcript's words for words and phrases, ignoring case and surrounding punctuation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from stenograph.pipeline.types import Word

MAX_PHRASE_WORDS = 5
_EDGE_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")


class SearchQueryError(ValueError):
    """A search the caller must change; the message says how."""


def normalise(text: str) -> str:
    """Case-folded, without punctuation at either end: ``"Country,"`` and ``"country"`` match;
    inner marks stay (``don't``, ``3.5``, ``1,000``)."""
    return _EDGE_PUNCTUATION.sub("", text.replace("\u2019", "'").casefold())


def parse_terms(values: Iterable[str]) -> list[tuple[str, ...]]:
    """Search terms from query values, each a comma-separated list of words or phrases.

    Each term is its normalised words; duplicates are dropped, and terms that are only punctuation
    are ignored. Raises :class:`SearchQueryError` for no term at all or a phrase of too many words.
    """
    terms: list[tuple[str, ...]] = []
    for value in values:
        for raw in value.split(","):
            term = tuple(token for token in map(normalise, raw.split()) if token)
            if len(term) > MAX_PHRASE_WORDS:
                raise SearchQueryError(
                    f"words: '{raw.strip()}' has {len(term)} words; "
                    f"search for phrases of at most {MAX_PHRASE_WORDS} words"
                )
            if term and term not in terms:
                terms.append(term)
    if not terms:
        raise SearchQueryError("words: give at least one word or phrase e.g. words=foo,bar baz")
    return terms


@dataclass(frozen=True)
class Match:
    text: str  # the term, normalised, its words joined by single spaces
    indexes: list[int] = field(default_factory=list)  # index in ``words`` of each occurrence's first word
    timestamps: list[tuple[int, int]] = field(default_factory=list)  # (start of first, end of last word)

    @property
    def count(self) -> int:
        return len(self.indexes)


def search(words: Sequence[Word], terms: Sequence[tuple[str, ...]]) -> list[Match]:
    """Every occurrence of each term in ``words`` (overlapping ones included), for the terms found."""
    normalised = [normalise(word.text) for word in words]
    matches = []
    for term in terms:
        size = len(term)
        match = Match(" ".join(term))
        for i in range(len(words) - size + 1):
            if tuple(normalised[i : i + size]) == term:
                match.indexes.append(i)
                match.timestamps.append((words[i].start, words[i + size - 1].end))
        if match.count:
            matches.append(match)
    return matches
