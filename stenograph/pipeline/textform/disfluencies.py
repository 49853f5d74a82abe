"""``disfluencies=false`` (the default): :func:`remove_disfluencies`."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from stenograph.pipeline.textform.words import rewrite, split_edges
from stenograph.pipeline.types import Word

__all__ = ["DISFLUENCIES", "remove_disfluencies"]

DISFLUENCIES: frozenset[str] = frozenset({"um", "uh", "umm", "uhm", "hmm", "mm", "mhm", "er", "ah"})

_SENTENCE_END = frozenset(".?!")
_SOFT_TRAILING = ",;:-\u2013\u2014"  # what a word loses when a filler's sentence end moves onto it


def _is_closer(ch: str) -> bool:
    return ch in "\"'" or unicodedata.category(ch) in ("Pe", "Pf")


def _is_opener(ch: str) -> bool:
    return ch in "\"'\u00bf\u00a1" or unicodedata.category(ch) in ("Ps", "Pi")


def _ends_sentence(text: str) -> bool:
    end = len(text)
    while end and _is_closer(text[end - 1]):
        end -= 1
    return text[end - 1 : end] in _SENTENCE_END or text[:end].endswith("\u2026")


def _with_moved_ending(previous: Word, moved: str) -> Word:
    lead, core, trail = split_edges(previous.text)
    trail = trail.rstrip(_SOFT_TRAILING)
    if trail[-1:] in _SENTENCE_END and moved[:1] in _SENTENCE_END:
        moved = moved.lstrip(".?!")
    return rewrite(previous, lead + core + trail + moved)


def _capitalized(text: str) -> str:
    lead, core, trail = split_edges(text)
    if core and core.islower() and core[0].isalpha():
        core = core[0].upper() + core[1:]
    return lead + core + trail


def remove_disfluencies(words: Sequence[Word]) -> list[Word]:
    """Drop the filler words in :data:`DISFLUENCIES` (matched case-insensitively on the core).

    What the filler carried is not lost: its sentence end (``.``, ``?``, ``!``) and closing quotes
    move to the previous word, replacing a trailing comma, semicolon, colon or dash there (``I think,
    um.`` -> ``I think.``); its opening quotes or brackets move to the next word; and if it began a
    sentence in capitals (``Um, so we went.``) the next word, if all lower case, gets the capital.
    A filler inside its own quotes or brackets (``"Umm,"``) takes them with it.
    Commas and ellipses it carried are dropped. Nothing moves across the edges of ``words``.
    """
    out: list[Word] = []
    opening = ""
    capitalize_next = False
    for word in words:
        lead, core, trail = split_edges(word.text)
        if core.lower() in DISFLUENCIES:
            trail = trail.replace("...", "").replace("\u2026", "")
            moved = [c for c in trail if c in _SENTENCE_END or _is_closer(c)]
            opened = [c for c in lead if _is_opener(c)]
            # A filler quoted on its own ("Umm,") takes its quotes with it: pair openers with closers.
            for _ in range(min(len(opened), sum(_is_closer(c) for c in moved))):
                opened.pop()
                moved.pop(next(i for i, c in enumerate(moved) if _is_closer(c)))
            starts_sentence = not out or _ends_sentence(out[-1].text)
            if moved and out:
                out[-1] = _with_moved_ending(out[-1], "".join(moved))
            opening += "".join(opened)
            if core[0].isupper() and starts_sentence:
                capitalize_next = True
            continue
        text = opening + word.text
        if capitalize_next:
            text = _capitalized(text)
        opening, capitalize_next = "", False
        out.append(rewrite(word, text))
    return out
