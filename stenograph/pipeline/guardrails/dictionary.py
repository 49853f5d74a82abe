"""What English dictionaries know, for telling a word from a name: WordNet's lemmas and irregular
forms as spaCy's lemmatiser ships them, and the words speech adds."""

from __future__ import annotations

import functools
import re
from typing import Any

from stenograph.pipeline.guardrails import lexicons
from stenograph.understanding.english import english

LEXICON_TERMS = frozenset(term.lower() for terms in lexicons.LEXICONS.values() for term in terms)


@functools.cache
def english_words() -> frozenset[str]:
    """The words of English dictionaries (WordNet's lemmas and irregular forms such as "met" and
    "got", shipped with spaCy's lemmatiser)."""
    lookups = english().get_pipe("lemmatizer").lookups
    lemmas = {word for words in lookups.get_table("lemma_index").values() for word in words}
    irregular = {form for forms in lookups.get_table("lemma_exc").values() for form in forms}
    return frozenset(lemmas | irregular)


def ordinary_word(token: Any) -> bool:
    """A one-word "name" that is a word of the dictionary not tagged a proper noun ("Confirmation
    number ..."): the model's guess, not a name ("Spotify", tagged a noun, stays one)."""
    known = token.lower_ in english_words() or token.lemma_.lower() in english_words()
    return known and token.pos_ != "PROPN"


# Speech and chat words no dictionary lists
_FILLERS = frozenset(
    ("um", "umm", "uh", "uhh", "hmm", "mhm", "yep", "yup", "nope", "gonna", "wanna", "gotta", "lol", "hey",
     "app", "apps", "login", "logins", "covid", "smartphone", "iphone", "ipad", "emails", "emailed", "texted",
     "texting", "online", "ok", "okay", "yeah", "ah", "oh", "eh", "huh", "haha", "whoa", "wow", "btw",
     "username", "usernames", "passcode", "passcodes", "wifi", "voicemail", "hashtag", "admin", "dm")
)  # fmt: skip
_LOWER_WORD = re.compile(r"(?<![\w@./\\-])[a-z]{3,}(?![\w@/\\-]|\.\w)")


def unknown_word(word: str) -> bool:
    if word in _FILLERS or word in LEXICON_TERMS or word in english().Defaults.stop_words:
        return False
    return not _stems(word) & english_words()


# Inflections, longest first, and what may stand in their place ("tries" -> "try", "hoping" -> "hope")
_INFLECTIONS = (
    ("ing", ("", "e")), ("ies", ("y",)), ("ied", ("y",)), ("ers", ("", "e")), ("est", ("", "e")),
    ("es", ("",)), ("ed", ("", "e")), ("er", ("", "e")), ("ly", ("",)), ("s", ("",)), ("'s", ("",)),
)  # fmt: skip


def _stems(word: str) -> set[str]:
    """The word and what it may be inflected from; only real endings are taken off, so a name
    ("osei", "rania") is not read as a word plus letters ("os", "rani")."""
    stems = {word}
    for ending, replacements in _INFLECTIONS:
        if word.endswith(ending) and len(word) > len(ending) + 2:
            base = word[: -len(ending)]
            stems |= {base + r for r in replacements}
            if len(base) > 2 and base[-1] == base[-2]:  # "stopped" -> "stop"
                stems.add(base[:-1])
    return stems


def unknown_words_capitalised(text: str) -> str:
    """The text with its lower-case words no dictionary knows capitalised, as a name would be
    written (same length, so offsets hold)."""
    return _LOWER_WORD.sub(
        lambda m: m.group(0).capitalize() if unknown_word(m.group(0)) else m.group(0), text
    )
