"""Whisper's words -> the text form AssemblyAI's options ask for. Pure functions, no I/O but two
packaged word lists (num2words' tables, better-profanity's list), read once.

Every function takes a list of :class:`Word` and returns a new one. Words keep their times,
confidence and every other field (``dataclasses.replace``); a word may be dropped, and
:func:`unformat` may expand one word into several that all carry the original word's
start/end/confidence. Only :func:`apply_custom_spelling` joins words, into one spanning them.

Whisper writes punctuated, cased text with numbers as digits. The options map to:

- ``disfluencies=false`` (the default): :func:`remove_disfluencies`
- ``format_text=false``: :func:`unformat` (lower case, numbers spelled out; punctuation stays)
- ``punctuate=false``: :func:`remove_punctuation`
- ``localization`` (``en_uk``, ``en_au``), English only: :func:`british_spelling`
- ``custom_spelling``: :func:`apply_custom_spelling`
- ``filter_profanity=true``: :func:`filter_profanity`

:func:`apply_options` (here) runs them in that order: fillers go first so the punctuation they
carried can move to the word before; custom spelling runs after the case and punctuation changes so
its ``to`` text is written exactly as given; the profanity filter runs last so a rule can map a word
to a clean one, and a profane ``to`` is still censored.

A word's "core" is its text with punctuation stripped from both ends (see :func:`split_edges`);
matching (fillers, profanity, custom spelling) is on the core, case-insensitively.

Modules, one option each: ``words`` (shared helpers: :func:`split_edges`, :func:`join_text`),
``disfluencies``, ``spoken_numbers`` (``format_text=false``), ``punctuation``, ``custom_spelling``,
``profanity``, ``localization``. A new option step goes in its own module and into :func:`apply_options`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from stenograph.pipeline.textform.custom_spelling import Rule as Rule
from stenograph.pipeline.textform.custom_spelling import apply_custom_spelling
from stenograph.pipeline.textform.disfluencies import DISFLUENCIES, remove_disfluencies
from stenograph.pipeline.textform.localization import british_spelling
from stenograph.pipeline.textform.profanity import _NOT_PROFANE as _NOT_PROFANE
from stenograph.pipeline.textform.profanity import filter_profanity, is_profane, profane_words
from stenograph.pipeline.textform.punctuation import remove_punctuation
from stenograph.pipeline.textform.spoken_numbers import unformat
from stenograph.pipeline.textform.words import join_text, split_edges
from stenograph.pipeline.types import Word

if TYPE_CHECKING:
    from stenograph.pipeline.types import TranscribeOptions

__all__ = [
    "DISFLUENCIES",
    "apply_custom_spelling",
    "apply_options",
    "british_spelling",
    "filter_profanity",
    "is_profane",
    "join_text",
    "profane_words",
    "remove_disfluencies",
    "remove_punctuation",
    "split_edges",
    "unformat",
]


def apply_options(words: Sequence[Word], options: TranscribeOptions) -> list[Word]:
    """The text options of one request applied in order (see the module docstring)."""
    out = list(words)
    if not options.disfluencies:
        out = remove_disfluencies(out)
    if not options.format_text:
        out = unformat(out)
    if not options.punctuate:
        out = remove_punctuation(out)
    if options.british_spelling:
        out = british_spelling(out)
    if options.custom_spelling:
        out = apply_custom_spelling(out, options.custom_spelling)
    if options.filter_profanity:
        out = filter_profanity(out)
    return out
