"""``punctuate=false``: :func:`remove_punctuation`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from stenograph.pipeline.textform.words import APOSTROPHES, rewrite, split_edges
from stenograph.pipeline.types import Word

__all__ = ["remove_punctuation"]

# Dotted abbreviations: groups of one or two letters joined by dots ("U.S", "Ph.D", "e.g", "a.m",
# the trailing dot already stripped) lose their dots; "example.com" (three letters) keeps its dot.
_DOTTED_ABBREVIATION = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
# Inside a word, these separate rather than join: "well\u2014I", "so...but", "yes--no".
_INNER_BREAK = re.compile(r"\s*(?:\u2014|\u2026|\.{2,}|--+)\s*")


def _unpunctuated(text: str) -> str:
    lead, core, trail = split_edges(text)
    if not core:
        return ""
    if trail[:1] in APOSTROPHES and core[-1] in "sS":  # plural possessive: students'
        core += trail[0]
    if lead[-1:] in APOSTROPHES | {"-", "."} and core[0].isdigit():  # '90s, -5, .5
        core = lead[-1] + core
    if _DOTTED_ABBREVIATION.fullmatch(core):
        core = core.replace(".", "")
    return _INNER_BREAK.sub(" ", core).strip()


def remove_punctuation(words: Sequence[Word]) -> list[Word]:
    """AssemblyAI ``punctuate=false``: punctuation stripped from the edges of every word.

    Kept: apostrophes inside words (``don't``, ``it's``) and a plural possessive's final one
    (``students'``), ``'``, ``-`` or ``.`` just before digits (``'90s``, ``-5``, ``.5``), everything inside
    numbers and tokens (``3.5``, ``1,000``, ``e-mail``, ``example.com``), and ``% # @ & *``
    (``50%``, ``#1``, ``AT&T``, a censored ``s***``). Dotted abbreviations lose all their dots
    (``U.S.`` -> ``US``, ``Ph.D.`` -> ``PhD``, ``a.m.`` -> ``am``). An em dash, ellipsis or ``--``
    inside a word becomes a space. A word left empty (``-``, ``...``) is dropped.
    """
    out: list[Word] = []
    for word in words:
        text = _unpunctuated(word.text)
        if text:
            out.append(rewrite(word, text))
    return out
