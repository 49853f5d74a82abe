"""``format_text=false``: :func:`unformat` (lower case, numbers spelled out as spoken words;
punctuation stays). Numbers go through ``num2words`` (English)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from num2words import num2words

from stenograph.pipeline.textform.words import APOSTROPHES, rewrite, split_edges
from stenograph.pipeline.types import Word

__all__ = ["unformat"]

_ASCII_DIGITS = frozenset("0123456789")  # numbers are ASCII digits; "\u00b2" or "\u0663" stay as they are


def _starts_with_digit(text: str) -> bool:
    return text[:1] in _ASCII_DIGITS


_DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_INTEGER = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)"
_NUMBER = re.compile(rf"(?P<int>{_INTEGER})(?:\.(?P<frac>[0-9]+))?|\.(?P<frac_only>[0-9]+)")
_ORDINAL = re.compile(rf"(?P<int>{_INTEGER})(?:st|nd|rd|th)", re.IGNORECASE)
_DECADE = re.compile(r"(?P<int>[1-9][0-9](?:[0-9]{2})?)['\u2019]?s", re.IGNORECASE)
_TIME = re.compile(r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-5][0-9])")
_SCALE_SUFFIXES = {
    "k": "thousand",
    "m": "million",
    "mm": "million",
    "b": "billion",
    "bn": "billion",
    "t": "trillion",
}
_CURRENCY = re.compile(
    r"(?P<symbol>[$\u00a3\u20ac\u00a5])(?P<amount>(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"
    r"(?P<suffix>k|mm|m|bn|b|t)?",
    re.IGNORECASE,
)
# symbol -> (singular, plural, cent singular, cent plural)
_CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "\u00a3": ("pound", "pounds", "penny", "pence"),
    "\u20ac": ("euro", "euros", "cent", "cents"),
    "\u00a5": ("yen", "yen", "sen", "sen"),
}
_SCALE_WORDS = frozenset({"hundred", "thousand", "million", "billion", "trillion"})
_AM_PM = frozenset({"am", "pm", "a.m", "p.m", "a.m.", "p.m."})
# Inside a token that mixes digits with other things ("#1", "18+", "72\u00b0").
_SYMBOL_WORDS = {
    "#": "number",
    "+": "plus",
    "%": "percent",
    "&": "and",
    "=": "equals",
    "@": "at",
    "\u00b0": "degrees",
}
_PIECES = re.compile(rf"{_INTEGER}(?:\.[0-9]+)?|[^\W\d_]+(?:['\u2019][^\W\d_]+)*|\S")
_RANGE_SEPARATORS = re.compile(r"[-\u2013\u2014/]+")
_LARGEST_CARDINAL = 10**21  # beyond this, digits one by one


def _clean(spelled: str) -> list[str]:
    """num2words' English ("one thousand, four hundred and sixty-two") as spoken words without the
    British "and" or punctuation: ["one", "thousand", "four", "hundred", "sixty", "two"]."""
    words = spelled.replace("-", " ").replace(",", " ").split()
    return [w for w in words if w != "and"]


def _digits(digits: str) -> list[str]:
    return [_DIGIT_NAMES[int(d)] for d in digits if d in _ASCII_DIGITS]


def _cardinal(value: int) -> list[str]:
    return _clean(num2words(value, lang="en"))


def _is_year(value: int) -> bool:
    return 1100 <= value <= 1999 or 2010 <= value <= 2099


def _integer(text: str, *, years: bool = True) -> list[str]:
    """A run of digits, with or without thousands commas."""
    plain = text.replace(",", "")
    if "," not in text:
        if len(plain) > 1 and plain[0] == "0":  # 007, 0800: read out
            return _digits(plain)
        if len(plain) >= 7:  # 1234567 without commas is an id or a phone number, not an amount
            return _digits(plain)
        if years and len(plain) == 4 and _is_year(int(plain)):
            return _clean(num2words(int(plain), lang="en", to="year"))
    value = int(plain)
    return _cardinal(value) if value < _LARGEST_CARDINAL else _digits(plain)


def _number(int_part: str | None, frac: str | None, *, years: bool = True) -> list[str]:
    words = _integer(int_part, years=years and frac is None) if int_part else []
    if frac is not None:
        words += ["point", *_digits(frac)]
    return words


def _plural(words: list[str]) -> list[str]:
    last = words[-1]
    if last.endswith("y"):
        last = last[:-1] + "ies"
    elif last.endswith(("x", "s")):
        last += "es"
    else:
        last += "s"
    return [*words[:-1], last]


def _currency(match: re.Match[str], scale_after: bool) -> tuple[list[str], str]:
    """(the amount's words, the unit to put after them or after the scale word that follows)."""
    one, many, cent, cents = _CURRENCIES[match["symbol"]]
    amount = match["amount"]
    int_part, _, frac = amount.partition(".")
    suffix = (match["suffix"] or "").lower()
    if suffix or scale_after or len(frac) not in (0, 2):  # $1.5 million, $5M, $3.5
        words = _number(int_part or None, frac or None, years=False)
        if suffix:
            words.append(_SCALE_SUFFIXES[suffix])
        return words, many
    whole = int(int_part.replace(",", "")) if int_part else 0
    cent_value = int(frac) if frac else 0
    if whole == 0 and cent_value:
        return _cardinal(cent_value), cent if cent_value == 1 else cents
    words = _number(int_part or "0", None, years=False)
    unit = one if whole == 1 else many
    if cent_value:
        return [*words, unit, "and", *_cardinal(cent_value)], cent if cent_value == 1 else cents
    return words, unit


def _spoken_part(part: str, next_core: str) -> list[str]:
    """One piece of a token as spoken words (lower case), or [] when it holds nothing to say."""
    if m := _NUMBER.fullmatch(part):
        return _number(m["int"], m["frac"] if m["int"] else m["frac_only"])
    if m := _ORDINAL.fullmatch(part):
        return _clean(num2words(int(m["int"].replace(",", "")), lang="en", to="ordinal"))
    if m := _DECADE.fullmatch(part):
        return _plural(_integer(m["int"]))
    if part.endswith("%") and (m := _NUMBER.fullmatch(part[:-1])):
        return [*_number(m["int"], m["frac"] if m["int"] else m["frac_only"], years=False), "percent"]
    if m := _TIME.fullmatch(part):
        hour, minute = int(m["hour"]), m["minute"]
        words = _cardinal(hour)
        if minute == "00":
            return words if next_core.lower() in _AM_PM else [*words, "o'clock"]
        if minute[0] == "0":
            return [*words, "oh", _DIGIT_NAMES[int(minute[1])]]
        return [*words, *_cardinal(int(minute))]
    if m := _CURRENCY.fullmatch(part):
        words, unit = _currency(m, scale_after=False)
        return [*words, unit]
    if not any(c in _ASCII_DIGITS for c in part):
        return [part.lower()] if part else []
    if len(pieces := [p for p in _RANGE_SEPARATORS.split(part) if p]) > 1:  # 1990-1995, 24/7, COVID-19
        return [w for p in pieces for w in _spoken_part(p, next_core)]
    out: list[str] = []  # MP3, 4K, #1, 18+, 72\u00b0
    for piece in _PIECES.findall(part):
        if piece[0] in _ASCII_DIGITS:
            int_part, _, frac = piece.partition(".")
            out += _number(int_part, frac or None)
        elif piece in _SYMBOL_WORDS:
            out.append(_SYMBOL_WORDS[piece])
        elif piece[0].isalpha():
            out.append(piece.lower())
    return out


def unformat(words: Sequence[Word]) -> list[Word]:
    """AssemblyAI ``format_text=false``: lower case, numbers as spoken words. Punctuation stays
    (``punctuate`` is separate: combine with :func:`remove_punctuation` in the caller).

    Numbers go through ``num2words`` (English), with hyphens, commas and the British "and" left out:

    - integers: ``1,000`` -> ``one thousand``; four digits without a comma in 1100-1999 or
      2010-2099 read as years (``1462`` -> ``fourteen sixty two``, ``2015`` -> ``twenty fifteen``);
      ``007`` and seven or more digits without commas read digit by digit;
    - ordinals ``20th`` -> ``twentieth``; decimals ``3.5`` -> ``three point five``;
      decades ``1990s``/``'90s`` -> ``nineteen nineties``/``nineties``; ``-5`` -> ``minus five``;
    - percentages ``50%`` -> ``fifty percent``; times ``9:30`` -> ``nine thirty``,
      ``9:00`` -> ``nine o'clock`` (``nine`` before a.m./p.m.);
    - currency ($ \u00a3 \u20ac \u00a5): ``$5`` -> ``five dollars``, ``$1`` -> ``one dollar``,
      ``$3.50`` -> ``three dollars and fifty cents``, ``$0.99`` -> ``ninety nine cents``,
      ``$5M`` -> ``five million dollars``; ``$1.5 million`` -> ``one point five million dollars``
      (the unit moves onto the scale word, which keeps its own times);
    - other tokens with digits are split at ``- \u2013 / `` and between letters and digits:
      ``COVID-19`` -> ``covid nineteen``, ``24/7`` -> ``twenty four seven``, ``#1`` -> ``number one``.

    A spelled number becomes several words, one per spoken word, and each of them carries the
    original word's start, end and confidence (the same times, not divided up); the original's
    leading punctuation goes on the first, its trailing punctuation on the last.
    """
    out: list[Word] = []
    cores = [split_edges(w.text) for w in words]
    skip_next = False
    for index, word in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        lead, core, trail = cores[index]
        following = cores[index + 1] if index + 1 < len(words) else ("", "", "")
        if lead.endswith(".") and _starts_with_digit(core):  # .5
            lead, core = lead[:-1], "." + core
        minus = core[:1] == "\u2212" and _starts_with_digit(core[1:])
        if not minus and lead.endswith("-") and _starts_with_digit(core):
            minus, lead = True, lead[:-1]
        if minus:  # -5, \u22125
            spoken = ["minus", *_spoken_part(core.lstrip("\u2212"), following[1])]
        elif lead[-1:] in APOSTROPHES and _DECADE.fullmatch(core):  # '90s
            lead, spoken = lead[:-1], _spoken_part(core, following[1])
        elif (
            (m := _CURRENCY.fullmatch(core))
            and not m["suffix"]
            and not trail
            and not following[0]
            and following[1].lower() in _SCALE_WORDS
        ):  # $1.5 million: "one point five" / "million dollars", each on its own word's times
            amount, unit = _currency(m, scale_after=True)
            out.extend(_expanded(word, lead, amount, ""))
            f_lead, f_core, f_trail = following
            out.extend(_expanded(words[index + 1], f_lead, [f_core.lower(), unit], f_trail))
            skip_next = True
            continue
        else:
            spoken = _spoken_part(core, following[1]) if core else []
        out.extend(_expanded(word, lead.lower(), spoken, trail.lower()))
    return out


def _expanded(word: Word, lead: str, spoken: list[str], trail: str) -> list[Word]:
    if not spoken:
        text = lead + trail
        return [rewrite(word, text)] if text else []
    texts = list(spoken)
    texts[0] = lead + texts[0]
    texts[-1] = texts[-1] + trail
    return [rewrite(word, text) for text in texts]
