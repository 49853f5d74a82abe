"""``language_detection_options.localization`` (``en_uk``, ``en_au``): English in British spelling
("color" -> "colour", "organize" -> "organise"), from breame's table of some 1,700 American words
with their British spelling (Apache-2.0, a package of data only). Australian English follows British
spelling; the table is used for both."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from stenograph.pipeline.textform.words import rewrite, split_edges
from stenograph.pipeline.types import Word

LOCALES = ("en_uk", "en_au")


@cache
def _british() -> dict[str, str]:
    from breame.data.spelling_constants import AMERICAN_ENGLISH_SPELLINGS

    return dict(AMERICAN_ENGLISH_SPELLINGS)


def _same_case(original: str, replacement: str) -> str:
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def british_spelling(words: Sequence[Word]) -> list[Word]:
    """Each word with an American spelling in its British one; case and punctuation kept."""
    table = _british()
    out = []
    for word in words:
        leading, core, trailing = split_edges(word.text)
        british = table.get(core.lower())
        out.append(rewrite(word, leading + _same_case(core, british) + trailing) if british else word)
    return out
