"""Words -> one string the recognisers search, with every character traced back to its word.

Whisper writes PII in several forms: "555-1234", "5 5 5 1 2 3 4", "five five five one two three
four", "john@example.com", "john at example dot com". The view writes the spoken forms as they are
written ("5551234", "john@example.com") so one set of patterns finds both; each character of the
view keeps the index of the word it came from, so a match redacts every word it spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from stenograph.pipeline.textform.words import split_edges
from stenograph.pipeline.types import Word

NO_WORD = -1  # a separator the view added between words

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
}  # fmt: skip
_REPEATS = {"double": 2, "triple": 3}
_MIN_SPOKEN_DIGITS = 3  # "one two" stays words; a run of three or more is a number read out
# Words before "at" that make it a preposition, not an address ("email me at ...", "the form is at
# www dot ..."): pronouns, forms of "be", and words that say where something is.
_NOT_MAILBOXES = frozenset(
    ("me", "us", "him", "her", "them", "you", "it", "i", "we", "they", "home", "work",
     "school", "here", "there", "look", "arrive", "arrived", "is", "are", "was", "were", "be",
     "been", "it's", "that's", "what's", "we're", "they're", "i'm", "you're", "he's", "she's", "one",
     "found", "find", "located", "available", "online", "posted", "listed", "live", "lives", "up",
     "out", "site", "page", "website", "link", "only", "also", "still", "now", "just", "anytime",
     "directly", "both", "either", "everything", "all", "and", "or", "but", "then", "too")
)  # fmt: skip
# Top-level domains that end a spoken address ("example dot com").
TOP_LEVEL_DOMAINS = frozenset(
    [
        "com",
        "org",
        "net",
        "edu",
        "gov",
        "mil",
        "io",
        "co",
        "uk",
        "us",
        "ca",
        "de",
        "fr",
        "es",
        "it",
        "nl",
        "au",
        "in",
        "jp",
        "cn",
        "ru",
        "br",
        "info",
        "biz",
        "me",
        "ai",
        "app",
        "dev",
        "tv",
        "ly",
        "eu",
        "ch",
        "se",
        "no",
        "dk",
        "fi",
        "pl",
        "be",
        "at",
        "ie",
        "nz",
        "za",
        "mx",
        "ar",
    ]
)


@dataclass(frozen=True)
class TextView:
    text: str
    owners: tuple[int, ...]  # per character: the index of the word it came from, or NO_WORD

    def words_between(self, start: int, end: int) -> list[int]:
        """The indexes of the words that the characters [start, end) come from, in order."""
        return sorted({owner for owner in self.owners[start:end] if owner != NO_WORD})

    def text_of(self, first: int, last: int) -> str:
        """The view's text of words ``first`` to ``last`` (as written out, separators between them)."""
        start = self.owners.index(first)
        end = len(self.owners) - self.owners[::-1].index(last)
        return self.text[start:end]


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.owners: list[int] = []

    def add(self, text: str, owner: int) -> None:
        self.parts.append(text)
        self.owners.extend([owner] * len(text))

    def view(self) -> TextView:
        return TextView("".join(self.parts), tuple(self.owners))


def plain_view(words: Sequence[Word]) -> TextView:
    """The words as written, one space apart."""
    builder = _Builder()
    for index, word in enumerate(words):
        if index:
            builder.add(" ", NO_WORD)
        builder.add(word.text.strip(), index)
    return builder.view()


def normalized_view(words: Sequence[Word]) -> TextView:
    """The words with spoken digits and spoken addresses written as they are written."""
    cores = [split_edges(w.text.strip()) for w in words]  # (lead, core, trail)
    builder = _Builder()
    index = 0
    while index < len(words):
        if index:
            builder.add(" ", NO_WORD)
        consumed = _spoken_digits(cores, index, builder) or _spoken_address(cores, index, builder)
        if consumed:
            index += consumed
            continue
        builder.add(words[index].text.strip(), index)
        index += 1
    return builder.view()


def _digits_of(core: str) -> str | None:
    """The digit a word reads out ("five", "5"), or a spelled-out letter ("H" in "H Z five two")."""
    lowered = core.lower()
    if lowered in _DIGIT_WORDS:
        return _DIGIT_WORDS[lowered]
    if core.isascii() and core.isdigit() and len(core) == 1:  # "412 833 6653" is written, not read out
        return core
    if len(core) == 1 and core.isascii() and core.isupper() and core != "I":
        return core
    return None


def _spoken_digits(cores: list[tuple[str, str, str]], start: int, builder: _Builder) -> int:
    """A run of digits read out one by one ("five five five, one two three four", "double seven",
    "5 5 5"), written as one digit string. Returns the words consumed (0: no run here)."""
    pieces: list[tuple[str, int]] = []
    index = start
    repeat = 1
    while index < len(cores):
        lead, core, trail = cores[index]
        if lead and pieces:
            break
        lowered = core.lower()
        if lowered in _REPEATS and index + 1 < len(cores):
            repeat = _REPEATS[lowered]
            pieces.append(("", index))
            index += 1
            continue
        digits = _digits_of(core)
        if digits is None or (lowered in ("o", "oh") and not pieces):
            break
        pieces.append((digits * repeat, index))
        repeat = 1
        index += 1
        if trail and trail not in (",", "-"):
            break  # a full stop or question mark ends the number
    while pieces and not pieces[-1][0]:  # a trailing "double" with nothing after it
        pieces.pop()
    while pieces and pieces[-1][0].isalpha():  # a run ends on a digit
        pieces.pop()
    spoken_words = sum(1 for digits, i in pieces if not cores[i][1].isdigit())
    total = sum(char.isdigit() for piece, _ in pieces for char in piece)
    if len(pieces) < 2 or total < _MIN_SPOKEN_DIGITS or (spoken_words == 0 and len(pieces) < 3):
        return 0
    builder.add(cores[start][0], start)
    for digits, owner in pieces:
        builder.add(digits, owner)
    last = pieces[-1][1]
    builder.add(cores[last][2], last)
    return last - start + 1


def _spoken_address(cores: list[tuple[str, str, str]], start: int, builder: _Builder) -> int:
    """ "john dot smith at example dot com" -> "john.smith@example.com"; "www dot example dot com" ->
    "www.example.com". Returns the words consumed (0: no address starts here)."""
    index = start
    pieces: list[tuple[str, int]] = []
    seen_at = False
    while index < len(cores):
        lead, core, trail = cores[index]
        if not core or (lead and pieces):
            break
        pieces.append((core, index))
        joiner = cores[index + 1][1].lower() if index + 2 < len(cores) else ""
        if trail or joiner not in ("dot", "at") or (joiner == "at" and seen_at):
            break
        if joiner == "at" and (
            core.lower() in _NOT_MAILBOXES
            or "@" in cores[index + 2][1]
            or cores[index + 2][1].lower().startswith(("www", "http"))  # a web address follows
        ):
            break
        seen_at = seen_at or joiner == "at"
        pieces.append(("." if joiner == "dot" else "@", index + 1))
        index += 2
    last_core = pieces[-1][0].lower().split("/", 1)[0] if pieces else ""
    dots = sum(text.count(".") for text, _ in pieces)
    if dots == 0 or last_core.rsplit(".", 1)[-1] not in TOP_LEVEL_DOMAINS or len(pieces) < 3:
        return 0
    builder.add(cores[start][0], start)
    for text, owner in pieces:
        builder.add(text, owner)
    last = pieces[-1][1]
    builder.add(cores[last][2], last)
    return last - start + 1
