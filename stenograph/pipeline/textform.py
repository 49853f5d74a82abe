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
- ``custom_spelling``: :func:`apply_custom_spelling`
- ``filter_profanity=true``: :func:`filter_profanity`

:func:`apply_options` runs them in that order: fillers go first so the punctuation they carried
can move to the word before; custom spelling runs after the case and punctuation changes so its
``to`` text is written exactly as given; the profanity filter runs last so a rule can map a word
to a clean one, and a profane ``to`` is still censored.

A word's "core" is its text with punctuation stripped from both ends (see :func:`split_edges`);
matching (fillers, profanity, custom spelling) is on the core, case-insensitively.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from num2words import num2words

from stenograph.pipeline.types import Word

if TYPE_CHECKING:
    from stenograph.pipeline.types import TranscribeOptions

__all__ = [
    "DISFLUENCIES",
    "apply_custom_spelling",
    "apply_options",
    "filter_profanity",
    "is_profane",
    "join_text",
    "profane_words",
    "remove_disfluencies",
    "remove_punctuation",
    "split_edges",
    "unformat",
]


# --------------------------------------------------------------------------- shared helpers

# Punctuation (Unicode category P*) is stripped from word edges, except these, which carry
# meaning next to a word or number: 50%, #1, @name, AT&T, and the asterisks of a censored word.
_KEPT_PUNCTUATION = frozenset("%#@&*")
_APOSTROPHES = frozenset("'\u2019")
_SENTENCE_END = frozenset(".?!")
_SOFT_TRAILING = ",;:-\u2013\u2014"  # what a word loses when a filler's sentence end moves onto it


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


def join_text(words: Iterable[Word]) -> str:
    """The transcript text: the words' texts joined by single spaces (runs of whitespace, inside a
    word too, collapse to one space; empty words vanish)."""
    return " ".join(" ".join(w.text for w in words).split())


def _rewrite(word: Word, text: str) -> Word:
    return word if text == word.text else replace(word, text=text)


# --------------------------------------------------------------------------- punctuate=false

# Dotted abbreviations: groups of one or two letters joined by dots ("U.S", "Ph.D", "e.g", "a.m",
# the trailing dot already stripped) lose their dots; "example.com" (three letters) keeps its dot.
_DOTTED_ABBREVIATION = re.compile(r"(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}")
# Inside a word, these separate rather than join: "well\u2014I", "so...but", "yes--no".
_INNER_BREAK = re.compile(r"\s*(?:\u2014|\u2026|\.{2,}|--+)\s*")


def _unpunctuated(text: str) -> str:
    lead, core, trail = split_edges(text)
    if not core:
        return ""
    if trail[:1] in _APOSTROPHES and core[-1] in "sS":  # plural possessive: students'
        core += trail[0]
    if lead[-1:] in _APOSTROPHES | {"-", "."} and core[0].isdigit():  # '90s, -5, .5
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
            out.append(_rewrite(word, text))
    return out


# --------------------------------------------------------------------------- disfluencies=false

DISFLUENCIES: frozenset[str] = frozenset({"um", "uh", "umm", "uhm", "hmm", "mm", "mhm", "er", "ah"})


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
    return _rewrite(previous, lead + core + trail + moved)


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
        out.append(_rewrite(word, text))
    return out


# --------------------------------------------------------------------------- format_text=false

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
        elif lead[-1:] in _APOSTROPHES and _DECADE.fullmatch(core):  # '90s
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
        return [_rewrite(word, text)] if text else []
    texts = list(spoken)
    texts[0] = lead + texts[0]
    texts[-1] = texts[-1] + trail
    return [_rewrite(word, text) for text in texts]


# --------------------------------------------------------------------------- filter_profanity=true

# better-profanity's list (shipped inside the package, read offline) mixes swearing and slurs with
# ordinary, clinical and ambiguous words. These stay uncensored: everyday words and idioms (god,
# hell, kill, screw, suck, snatch, strip, chink in the armour, niggle), clinical and anatomical
# terms, mild insults, drugs and drinks, identities (gay, queer), news words (rape, nazi, murder),
# proper names and surnames (Dick is kept: its vulgar sense dominates speech; Fanny, Cumming, Guido,
# Wang, Hooker, Pollock, Weiner, Woody, Willy, Len are names), acronyms (omg, lmao, hiv, pms, kkk),
# and words like "cum" (cum laude) and "nappy".
_NOT_PROFANE_LIST = """
    anal anus areole arian aryan asanchez autoerotic bdsm beastial beastiality bestial bestiality bimbo
    bimbos bondage boner boob boobs breasts busty chink cipa clitoris cnut cowgirl cowgirls crotch cum
    cumming cunnilingus dink dinks doggin dogging dong doofus dopey drunk dummy ejaculate ejaculated
    ejaculates ejaculating ejaculatings ejaculation enlargement erect erection erotic erotism extacy
    extasy facial fanny fart fat fellate fellatio femdom fingering fisted fisty flange floozy fondle
    foobar foreskin futanari futanary g-spot gae gai ganja gay gays gigolo glans god gonad gonads gspot
    guido hebe hell hemp hentai heroin herp herpes herpy hitler hiv hoar hoare homey homo homoerotic
    hooch hookah hooker hooter hooters hootch horniest horny hump humped humping hussy hymen inbred
    incest jerk jerked junkie junky kill kinbaku kinky kkk klan knob labia lech len leper lesbians
    lmao loin loins lube lust lusting lusty mams masochist massa masturbate masturbating masturbation
    maxi menses menstruate menstruation meth molest moron muff murder naked napalm nappy nazi nazism
    negro niggle nimrod ninny nipple nipples nude nudes nutbutter omg opiate opium oral orally organ
    orgasim orgasims orgasm orgasmic orgasms orgies orgy ovary ovum ovums paddy pantie panties panty
    pastie pasty pawn pcp pedophile pedophilia pedophiliac pee peepee penetrate penetration penial
    penile penis perversion peyote phalli phallic pimp pinko playboy pms pollock poop porn porno
    pornography pornos pot potty prick pricks prig pron prostitute prude pubic pubis punky puss queer
    queers quicky racy rape raped raper raping rapist raunch rectal rectum rectus reefer reich revue
    ruski rum rump sadism sadist sandbar scag scantily schizo screw screwed screwing scrotum scum seaman
    seamen seduce semen sex sexual shag shibari shibary shota sissy skag slave sleaze sleazy slope
    smegma smut smutty snatch sniper snuff sodom souse soused sperm spunk steamy stoned strip stripclub
    stroke stupid suck sucked sucking tampon tawdry teat teste testee testes testical testicle testis
    threesome thrust thug tinkle tit titi toke toots tramp transsexual trashy tush ugly undies unwed
    urinal urine uterus uzi vagina valium viagra virgin vixen vodka vomit voyeur vulgar vulva wad wang
    wazoo wedgie weed weenie weewee weiner weirdo wench whiz willies willy womb woody xx xxx yaoi yury
"""
_NOT_PROFANE = frozenset(_NOT_PROFANE_LIST.split())


@functools.cache
def profane_words() -> frozenset[str]:
    """The single words :func:`filter_profanity` censors, lower case: better-profanity's packaged
    list less :data:`_NOT_PROFANE` and less its multi-word entries ("blow job"), which are ordinary
    words one at a time and are not matched."""
    listing = importlib.resources.files("better_profanity").joinpath("profanity_wordlist.txt")
    entries = {split_edges(line)[1].lower() for line in listing.read_text(encoding="utf-8").splitlines()}
    return frozenset(e for e in entries if e and " " not in e and "*" not in e) - _NOT_PROFANE


def _profane_stem(core: str) -> str | None:
    """The part of ``core`` to censor: all of it, or the stem of a possessive (``bitch's``)."""
    lowered = core.lower()
    listed = profane_words()
    if lowered in listed:
        return core
    if len(core) > 2 and core[-2] in _APOSTROPHES and lowered.endswith("s") and lowered[:-2] in listed:
        return core[:-2]
    return None


def is_profane(text: str) -> bool:
    """Whether :func:`filter_profanity` would censor a word with this text."""
    return _profane_stem(split_edges(text)[1]) is not None


def filter_profanity(words: Sequence[Word]) -> list[Word]:
    """AssemblyAI ``filter_profanity=true``: a profane word keeps its first character and the rest
    become asterisks (``shit`` -> ``s***``, ``Fucking,`` -> ``F******,``, ``bitch's`` ->
    ``b****'s``), its punctuation kept. Only whole words on :func:`profane_words` match (core,
    case-insensitively), never substrings: Scunthorpe, class, assess and title stay."""
    out: list[Word] = []
    for word in words:
        lead, core, trail = split_edges(word.text)
        stem = _profane_stem(core) if core else None
        if stem is None:
            out.append(word)
            continue
        censored = stem[0] + "*" * (len(stem) - 1) + core[len(stem) :]
        out.append(_rewrite(word, lead + censored + trail))
    return out


# --------------------------------------------------------------------------- custom_spelling

Rule = Any  # (from_list, to) pair, {"from": [...], "to": ...}, or an object with .sources/.target


def _rule_parts(rule: Rule) -> tuple[Sequence[str], str]:
    if hasattr(rule, "sources") and hasattr(rule, "target"):
        sources, target = rule.sources, rule.target
    elif isinstance(rule, Mapping):
        sources, target = rule["from"], rule["to"]
    else:
        sources, target = rule
    return ([sources] if isinstance(sources, str) else sources), target


def _source_key(source: str) -> tuple[str, ...]:
    return tuple(core.lower() for core in (split_edges(part)[1] for part in source.split()) if core)


def apply_custom_spelling(words: Sequence[Word], rules: Iterable[Rule]) -> list[Word]:
    """AssemblyAI ``custom_spelling``: each rule is ``(from_list, to)`` (or ``{"from": [...],
    "to": ...}``, or a ``CustomSpelling``). A ``from`` matches words' cores case-insensitively
    (the ``from`` text's own edge punctuation is ignored as well) and the word keeps its edge
    punctuation: ``Sequel,`` -> ``SQL,``.

    A ``from`` of several words matches that many consecutive words (punctuation between them is
    ignored and lost); they become one Word spanning ``first.start..last.end`` with the lowest
    confidence (other fields from the first). A ``to`` of several words is still one Word. Longer
    ``from`` phrases are tried first; among equally long ones the first rule wins. One left-to-right
    pass: replaced text is not matched again. Rules with an empty ``from`` or ``to`` are ignored.
    """
    table: dict[tuple[str, ...], str] = {}
    for rule in rules:
        sources, target = _rule_parts(rule)
        if not target or not target.strip():
            continue
        for source in sources:
            key = _source_key(source)
            if key:
                table.setdefault(key, target.strip())
    if not table:
        return list(words)
    lengths = sorted({len(key) for key in table}, reverse=True)
    parts = [split_edges(w.text) for w in words]
    cores = [core.lower() for _, core, _ in parts]
    out: list[Word] = []
    i = 0
    while i < len(words):
        for length in lengths:
            key = tuple(cores[i : i + length])
            if len(key) == length and key in table:
                span = words[i : i + length]
                text = parts[i][0] + table[key] + parts[i + length - 1][2]
                out.append(
                    replace(
                        span[0],
                        text=text,
                        end=span[-1].end,
                        confidence=min(w.confidence for w in span),
                    )
                )
                i += length
                break
        else:
            out.append(words[i])
            i += 1
    return out


# --------------------------------------------------------------------------- all options


def apply_options(words: Sequence[Word], options: TranscribeOptions) -> list[Word]:
    """The text options of one request applied in order (see the module docstring)."""
    out = list(words)
    if not options.disfluencies:
        out = remove_disfluencies(out)
    if not options.format_text:
        out = unformat(out)
    if not options.punctuate:
        out = remove_punctuation(out)
    if options.custom_spelling:
        out = apply_custom_spelling(out, options.custom_spelling)
    if options.filter_profanity:
        out = filter_profanity(out)
    return out
