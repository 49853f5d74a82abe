"""``filter_profanity=true``: :func:`filter_profanity`, with :func:`is_profane` and the word list
:func:`profane_words` (better-profanity's packaged list, read once, less :data:`_NOT_PROFANE`)."""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Sequence

from stenograph.pipeline.textform.words import APOSTROPHES, rewrite, split_edges
from stenograph.pipeline.types import Word

__all__ = ["filter_profanity", "is_profane", "profane_words"]

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
    if len(core) > 2 and core[-2] in APOSTROPHES and lowered.endswith("s") and lowered[:-2] in listed:
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
        out.append(rewrite(word, lead + censored + trail))
    return out
