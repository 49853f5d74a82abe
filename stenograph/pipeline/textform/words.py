"""Shared helpers for the text-form steps: a word's edges and core, the transcript text, and
rewriting a word's text while keeping every other field.

A word's "core" is its text with punctuation stripped from both ends (see :func:`split_edges`);
matching (fillers, profanity, custom spelling) is on the core, case-insensitively.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace

from stenograph.pipeline.types import Word

__all__ = ["APOSTROPHES", "join_text", "rewrite", "split_edges"]

# Punctuation (Unicode category P*) is stripped from word edges, except these, which carry
# meaning next to a word or number: 50%, #1, @name, AT&T, and the asterisks of a censored word.
_KEPT_PUNCTUATION = frozenset("%#@&*")
APOSTROPHES = frozenset("'\u2019")


def _is_edge(ch: str) -> bool:
    category = unicodedata.category(ch)
    return (category[0] == "P" and ch not in _KEPT_PUNCTUATION) or category[0] == "Z" or ch.isspace()


def split_edges(text: str) -> tuple[str, str, str]:
    """``(leading punctuation, core, trailing punctuation)``: ``'"Well,'`` -> ``('"', 'Well', ',')``.

    Characters inside the core (``don't``, ``3.5``, ``1,000``, ``e-mail``) are left alone. A word
    that is all punctuation has an empty core and everything in ``leading``.
    """
    i, j = 0, len(text)
    while i < j and _is_edge(text[i]):
        i += 1
    while j > i and _is_edge(text[j - 1]):
        j -= 1
    return text[:i], text[i:j], text[j:]


# Scripts written without spaces between words (CJK ideographs, kana, their punctuation and
# full-width forms, Thai, Lao, Myanmar, Khmer): no space goes between two of their characters.
# Hangul is written with spaces.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff00-\uffef]"
)


def join_text(words: Iterable[Word]) -> str:
    """The transcript text: the words' texts joined by single spaces (runs of whitespace, inside a
    word too, collapse to one space; empty words vanish), and by none between two characters of a
    script written without spaces ("广州市", not "广 州 市")."""
    pieces: list[str] = []
    for word in words:
        text = " ".join(word.text.split())
        if not text:
            continue
        if pieces and _UNSPACED.match(pieces[-1][-1]) and _UNSPACED.match(text[0]):
            pieces[-1] += text
        else:
            pieces.append(text)
    return " ".join(pieces)


def rewrite(word: Word, text: str) -> Word:
    return word if text == word.text else replace(word, text=text)
