"""Sentences and paragraphs from timed words, by rule (no model).

A sentence ends after a word ending in ``?`` or ``!``, or in ``.``/``…`` unless that period belongs to
an abbreviation (``Mr.``, ``e.g.``, ``U.S.``, an initial ``J.``), to a number that goes on in the next
word, or is followed by a word starting in lower case. Whisper punctuates, but not always (tiny.en
sometimes leaves a whole passage bare), so a pause longer than :data:`SENTENCE_PAUSE_MS` also ends a
sentence, and one longer than :data:`MAX_SENTENCE_WORDS` is cut at its most likely clause break.
A change of speaker or channel always ends both a sentence and a paragraph.

Paragraphs are runs of whole sentences, broken at a pause longer than :data:`PARAGRAPH_PAUSE_MS` or
before they would grow past :data:`MAX_PARAGRAPH_WORDS`.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence

from stenograph.pipeline.types import Word

SENTENCE_PAUSE_MS = 1500
PARAGRAPH_PAUSE_MS = 2000
MAX_SENTENCE_WORDS = 40
MAX_PARAGRAPH_WORDS = 120
CLAUSE_BREAK_BONUS_MS = 500  # a comma counts as much as half a second of silence when cutting

# Lower case, without the final period. Titles and ranks come before a name, so their period never
# ends a sentence; "etc." and "vs." are kept whole as well. Dotted forms (e.g., i.e., U.S., a.m.) and
# single initials are matched by pattern below.
_TITLES = frozenset({"mr", "mrs", "ms", "mx", "messrs", "dr", "prof", "st", "mt", "ft", "rev", "hon"})
_RANKS = frozenset({"gen", "gov", "sen", "rep", "capt", "col", "lt", "sgt"})
ABBREVIATIONS = _TITLES | _RANKS | frozenset({"vs", "etc", "cf", "fig", "approx", "al"})
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}")  # e.g. i.e. U.S. a.m. J.F.K.
_INITIAL = re.compile(r"[A-Z]\.")
_CLOSERS = "\"')]}\u00bb\u201d\u2019"  # and the typographic closing quotes
_OPENERS = "\"'([{\u00ab\u201c\u2018"  # and the typographic opening quotes
_CLAUSE_END = (",", ";", ":", "\u2014", "\u2013")  # and em/en dashes


def _core(text: str) -> str:
    return text.strip().rstrip(_CLOSERS).lstrip(_OPENERS)


def ends_sentence(word: str, next_word: str | None) -> bool:
    """Whether the text of ``word`` ends a sentence, judged by punctuation (and the next word)."""
    core = _core(word)
    if core.endswith(("?", "!")):
        return True
    if not core.endswith((".", "…")):
        return False
    if next_word is None:
        return True
    body = core.rstrip(".…")
    if body.lower() in ABBREVIATIONS or _DOTTED.fullmatch(core):
        return False
    if _INITIAL.fullmatch(core) and core != "I.":
        return False
    following = _core(next_word)
    if body[-1:].isdigit() and following[:1].isdigit():  # "3." "5": one number split in two words
        return False
    return not following[:1].islower()


def _same_turn(turns: Sequence[Hashable] | None, i: int) -> bool:
    return turns is None or turns[i] == turns[i + 1]


def _gap(words: Sequence[Word], i: int) -> int:
    """Silence between word ``i`` and the next one, in ms."""
    return words[i + 1].start - words[i].end


def sentence_spans(words: Sequence[Word], turns: Sequence[Hashable] | None = None) -> list[range]:
    """Consecutive index ranges of ``words``, one per sentence, covering every word in order.

    ``turns`` (optional, one per word) is who is speaking, e.g. ``(speaker, channel)``: a change
    always ends the sentence.
    """
    spans: list[range] = []
    start = 0
    for i in range(len(words)):
        last = i == len(words) - 1
        if (
            last
            or not _same_turn(turns, i)
            or _gap(words, i) > SENTENCE_PAUSE_MS
            or ends_sentence(words[i].text, words[i + 1].text)
        ):
            spans.extend(_capped(words, range(start, i + 1)))
            start = i + 1
    return spans


def _capped(words: Sequence[Word], span: range) -> list[range]:
    """Cut a too-long sentence, recursively, at the pause (or clause break) that looks most like one."""
    if len(span) <= MAX_SENTENCE_WORDS:
        return [span]
    margin = MAX_SENTENCE_WORDS // 4
    middle = (span.start + span.stop) / 2

    def score(cut: int) -> tuple[int, float]:  # cut: the first word of the second part
        bonus = CLAUSE_BREAK_BONUS_MS if _core(words[cut - 1].text).endswith(_CLAUSE_END) else 0
        return _gap(words, cut - 1) + bonus, -abs(cut - middle)

    cut = max(range(span.start + margin, span.stop - margin + 1), key=score)
    return _capped(words, range(span.start, cut)) + _capped(words, range(cut, span.stop))


def paragraph_spans(
    words: Sequence[Word], sentences: Sequence[range], turns: Sequence[Hashable] | None = None
) -> list[range]:
    """Whole sentences (from :func:`sentence_spans`) grouped into paragraphs, as index ranges of ``words``."""
    paragraphs: list[range] = []
    current: range | None = None
    for sentence in sentences:
        if current is None:
            current = sentence
            continue
        boundary = current.stop - 1
        if (
            not _same_turn(turns, boundary)
            or _gap(words, boundary) > PARAGRAPH_PAUSE_MS
            or len(current) + len(sentence) > MAX_PARAGRAPH_WORDS
        ):
            paragraphs.append(current)
            current = sentence
        else:
            current = range(current.start, sentence.stop)
    if current is not None:
        paragraphs.append(current)
    return paragraphs
