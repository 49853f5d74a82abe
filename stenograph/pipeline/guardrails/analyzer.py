"""Text -> PII findings: presidio's analyzer with our recognisers, spaCy's named entities (classified
into policies), overlaps resolved. Loads once per process, lazily, from installed packages only."""

from __future__ import annotations

import functools
import logging
import re
import threading
from dataclasses import dataclass, replace
from typing import Any

from stenograph.pipeline.guardrails import lexicons
from stenograph.pipeline.guardrails.names import is_given_name, is_surname
from stenograph.pipeline.guardrails.places import is_known_place
from stenograph.pipeline.guardrails.recognizers import (
    ACCEPT_SCORE,
    CUES,
    PRESIDIO_POLICIES,
    SPACY_LABELS,
    WEAK_CUE_PENALTY,
    WEAK_CUES,
    build_recognizers,
)
from stenograph.understanding.english import IN_USE, SPACY_PACKAGE, english


@dataclass(frozen=True)
class Finding:
    start: int  # character offsets in the analysed text
    end: int
    policy: str
    score: float


# When two findings overlap, the one whose policy comes first here wins (then the longer one):
# validated and specific forms before generic ones, named entities before word lists.
PRECEDENCE = (
    "email_address", "credit_card_number", "us_social_security_number", "ip_address", "filename", "url",
    "phone_number", "credit_card_cvv", "credit_card_expiration", "date_of_birth", "banking_information",
    "healthcare_number", "passport_number", "drivers_license", "vehicle_id", "account_number",
    "username", "password", "person_age", "money_amount", "statistics", "time", "duration",
    "date", "date_interval", "blood_type", "zodiac_sign", "drug", "medical_condition", "medical_process",
    "injury", "religion", "political_affiliation", "language", "person_name", "organization", "location",
    "event", "nationality", "marital_status", "gender_sexuality", "occupation", "number_sequence",
)  # fmt: skip
_RANK = {policy: rank for rank, policy in enumerate(PRECEDENCE)}

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_NUMBER_WORDS = (
    "a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    "a few|several|a couple of|couple of|\\d+(?:\\.\\d+)?"
)
_DURATION = re.compile(
    rf"(?:about |around |over |almost |nearly |another |the )?(?:{_NUMBER_WORDS})(?:[ -](?:{_NUMBER_WORDS}))?"
    r"(?: and a half)? (?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?)",
)
_AGE = re.compile(r"\b(?:years?|months?)[ -]old\b|\byear-old\b")
_DAY_IN_MONTH = re.compile(
    rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b|"
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"
)
_INTERVAL = re.compile(
    rf"\b(?:{_MONTHS})\b|\b(?:19|20)\d{{2}}s?\b|\b'?\d0s\b|\b(?:spring|summer|autumn|fall|winter)\b"
)
_BIRTH_CUE = re.compile(r"\b(?:born|birth|birthday|dob|d\.o\.b)\b[^.?!]{0,30}$", re.IGNORECASE)
_CLOCK = re.compile(
    r"\b(?:[01]?\d:[0-5]\d|2[0-3]:[0-5]\d|1[0-2]|0?[1-9])(?::[0-5]\d)?(?:\s?(?:[ap]\.?m\.?|o'clock))?"
    r"(?:\s[A-Z]{2,4}T)?|\b(?:[a-z]+\so'clock|noon|midnight)\b",
    re.IGNORECASE,
)
_LANGUAGE_CUE = re.compile(
    r"\b(?:speaks?|spoke|speaking|fluent\sin|language\sis|translat\w*|interpreter|in)\s*$", re.IGNORECASE
)
_ARTICLE = re.compile(r"(?:the|an?)\s+", re.IGNORECASE)
_MONEY_START = re.compile(r"[$\u00a3\u20ac\u00a5\d]")
_TITLED_NAME = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Sir|Dame)\.?\s)([A-Z][a-z'\-]+(?:\s[A-Z][a-z'\-]+)?)"
)
_INTRODUCED_NAME = re.compile(
    r"(?:\b(?:[Mm]y name is|[Mm]y name's|[Tt]his is|I am|I'm|[Cc]all me|[Ss]peaking with|[Ss]poke with|"
    r"[Ss]peak to|[Tt]alk to)\s)([A-Z][a-z'\-]+(?:\s[A-Z][a-z'\-]+)?)"
)
_NOT_NAMES = frozenset(
    [
        "I",
        "The",
        "A",
        "An",
        "And",
        "But",
        "So",
        "Yes",
        "No",
        "Not",
        "Just",
        "Really",
        "Very",
        "Sorry",
        "Fine",
        "Good",
        "Great",
        "Here",
        "There",
        "Calling",
        "Going",
        "Trying",
        "Looking",
        "Sure",
        "Okay",
        "OK",
        "Well",
        "Happy",
        "Glad",
        "Afraid",
        "Able",
        "Also",
        "Still",
        "Now",
        "Today",
        "Tomorrow",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
)
# Acronyms spaCy's small model takes for organisations in speech about PII itself.
_NOT_ORGANIZATIONS = frozenset(
    ("ssn", "cvv", "cvc", "pin", "dob", "vin", "id", "iban", "dl", "mri", "ct", "ekg", "ecg", "icu",
     "er", "gp", "hr", "it", "ok", "ip", "url", "pdf", "atm", "password", "username", "passcode", "login",
     "nda", "sla", "pto", "faq", "ceo", "cfo", "coo", "cto", "vp", "kpi", "roi", "eta", "asap", "w-2", "w2")
)  # fmt: skip
# Names in talk about payment, insurance and ID documents that spaCy's small model takes for
# organisations or people ("use the Visa", "my Medicare number"): the card or the programme is
# not the speaker's PII (the number after it is, found on its own).
_NOT_NAMED_ENTITIES = frozenset(
    ("visa", "mastercard", "master card", "amex", "american express", "discover card", "maestro",
     "medicare", "medicaid", "medi-cal", "tricare", "driver's", "drivers", "driver", "paypal", "venmo",
     "zelle", "ssn", "social security")
)  # fmt: skip
_LEXICON_TERMS = frozenset(term.lower() for terms in lexicons.LEXICONS.values() for term in terms)
_PRODUCTS = frozenset(product.lower() for product in lexicons.PRODUCTS)
_RELIGIONS = {term.lower() for term in lexicons.RELIGIONS}
_NATIONALITIES = {term.lower() for term in lexicons.NATIONALITIES}


def _is_demonym(lowered: str) -> bool:
    """A nationality the word list knows ("Nigerian", "Nigerians"): spaCy's NORP also takes names
    ("Anneliese") and drugs for nationalities."""
    return lowered in _NATIONALITIES or (lowered.endswith("s") and lowered[:-1] in _NATIONALITIES)


_LANGUAGES = {term.lower() for term in lexicons.LANGUAGES}
_POLITICAL = {term.lower() for term in lexicons.POLITICAL_AFFILIATIONS}


class PiiAnalyzer:
    """One per process (``get_analyzer``); ``find`` is thread-safe."""

    def __init__(self) -> None:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
        from presidio_analyzer.nlp_engine import SpacyNlpEngine

        # presidio warns on every text about spaCy labels it does not map (CARDINAL, ...): we read
        # spaCy's entities ourselves.
        logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
        # presidio's engine loads models by name and downloads missing ones: give it the loaded one.
        self._nlp_engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": SPACY_PACKAGE}])
        self._nlp_engine.nlp = {"en": english()}  # type: ignore[assignment]
        registry = RecognizerRegistry(supported_languages=["en"])
        for recognizer in build_recognizers():
            registry.add_recognizer(recognizer)
        self._engine = AnalyzerEngine(
            registry=registry,
            nlp_engine=self._nlp_engine,
            supported_languages=["en"],
            context_aware_enhancer=LemmaContextAwareEnhancer(
                context_similarity_factor=0.35,
                min_score_with_context_similarity=0.5,
                context_prefix_count=5,
                context_suffix_count=3,
                context_matching_mode="whole_word",
            ),
        )

    def find(self, text: str) -> list[Finding]:
        """Every finding in ``text`` under one policy each, overlaps resolved, in text order."""
        found: list[Finding] = []
        for offset, chunk in _chunks(text):
            found.extend(replace(f, start=f.start + offset, end=f.end + offset) for f in self._find_in(chunk))
        found.extend(_introduced_names(text))
        named = [_as_person_named(_with_birth_cue(f, text), text) for f in found]
        kept = _with_surnames(_listed_with_people(_resolve([f for f in named if f is not None]), text), text)
        return _without_titles(_resolve(_every_mention(kept, text)), text)

    def _find_in(self, chunk: str) -> list[Finding]:
        with IN_USE:
            # the model reads names written lower-case ("ask for giulia fernandes") capitalised
            artifacts = self._nlp_engine.process_text(_unknown_words_capitalised(chunk), "en")
            results = self._engine.analyze(
                chunk, language="en", nlp_artifacts=artifacts, score_threshold=ACCEPT_SCORE
            )
        found = _other_ids_are_not_accounts(
            _nearest_cue_wins(
                [
                    Finding(r.start, r.end, PRESIDIO_POLICIES.get(r.entity_type, r.entity_type), r.score)
                    for r in results
                ],
                chunk,
            ),
            chunk,
        )
        return found + _named_entities(artifacts.tokens, chunk) + _names_by_position(artifacts.tokens)


CHUNK_CHARS = 1200
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, chunk): the text cut at sentence ends into pieces of about CHUNK_CHARS. presidio's
    context enhancer walks the whole document for every candidate, so one long transcript would take
    quadratic time; context words and entities do not reach across sentences anyway."""
    chunks: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.start() - start >= CHUNK_CHARS:
            chunks.append((start, text[start : match.start()]))
            start = match.end()
    if text[start:].strip():
        chunks.append((start, text[start:]))
    return chunks


def _nearest_cue_wins(found: list[Finding], text: str) -> list[Finding]:
    """Where patterns of several policies match the same characters only thanks to their context
    words ("account number is 10042992 and the passport number is 912803456"), the policy whose
    context word comes closest before the match keeps it."""
    by_span: dict[tuple[int, int], list[Finding]] = {}
    for finding in found:
        by_span.setdefault((finding.start, finding.end), []).append(finding)
    kept = []
    for (start, end), group in by_span.items():
        cued = [f for f in group if f.policy in CUES]
        if len(cued) > 1:
            distance = {id(f): _cue_distance(f.policy, text, start, end) for f in cued}
            nearest = min(cued, key=lambda f: distance[id(f)])
            # won by a generic cue alone ("customer"): a finding with no cue at all stands on its
            # shape (a phone number's), for the precedence to decide
            weak_win = _cue_distance(nearest.policy, text, start, end, strong_only=True) >= 10_000
            group = [
                f for f in group if f not in cued or f is nearest or (weak_win and distance[id(f)] >= 10_000)
            ]
        kept.extend(group)
    return kept


_OTHER_ID_BEFORE = re.compile(
    r"\b(?:order|ticket|confirmation|invoice|tracking|reference|case|claim|serial|routing|phone|card|"
    r"receipt|transaction|booking|reservation)(?:\s(?:number|no\.?|#|id|code))?\b"
    r"(?![^.?!]*\b(?:account|acct|member(?:ship)?|customer|policy)\s(?:number|no\.?|#|id)\b)[^.?!]*$",
    re.IGNORECASE,
)


def _other_ids_are_not_accounts(found: list[Finding], text: str) -> list[Finding]:
    """ "The order number on my account is 55190042": the number is the order's; an account cue in
    the phrase does not make it an account number."""
    return [
        f
        for f in found
        if f.policy != "account_number" or not _OTHER_ID_BEFORE.search(text[max(0, f.start - 60) : f.start])
    ]


def _cue_distance(policy: str, text: str, start: int, end: int, strong_only: bool = False) -> int:
    """Characters between the match and the nearest of its policy's context words (before it, or
    after it at double the distance: the cue usually comes first). A generic cue ("member",
    "customer": any kind of ID has them) counts as WEAK_CUE_PENALTY characters further, so that a
    specific one in the same phrase wins ("insurance member ID": a health insurance number)."""
    before = text[max(0, start - 80) : start].lower()
    after = text[end : end + 40].lower()
    distances = [10_000]
    for cue in CUES[policy]:
        pattern = rf"\b{re.escape(cue)}\b"
        weak = cue in WEAK_CUES.get(policy, ())
        if weak and strong_only:
            continue
        penalty = WEAK_CUE_PENALTY if weak else 0
        distances += [penalty + len(before) - m.end() for m in re.finditer(pattern, before)]
        distances += [penalty + 2 * m.start() + 1 for m in re.finditer(pattern, after)]
    return min(distances)


def _named_entities(doc: Any, text: str) -> list[Finding]:
    found = []
    for ent in doc.ents:
        kind = SPACY_LABELS.get(ent.label_)
        if kind is None:
            continue
        start, end = ent.start_char, ent.end_char
        if kind == "DATE":
            kind = _classify_date(ent.text)
            start, end = _narrowed(kind, text, start, end)
        elif kind == "TIME":
            if _DURATION.fullmatch(ent.text.lower().strip()):
                kind = "duration"
            else:
                clock = _CLOCK.search(ent.text)
                kind = "time" if clock else None
                if clock:
                    start, end = start + clock.start(), start + clock.end()
        elif kind == "money_amount":
            first = _MONEY_START.search(ent.text)
            start = start + first.start() if first else start
        elif (
            kind == "NORP"
            and ent.text.lower() in _LANGUAGES
            and _LANGUAGE_CUE.search(text[max(0, start - 30) : start])
        ):
            kind = "language"
        elif kind == "NORP":
            lowered = ent.text.lower()
            kind = (
                "religion"
                if lowered in _RELIGIONS
                else (
                    "political_affiliation"
                    if lowered in _POLITICAL
                    else ("nationality" if _is_demonym(lowered) else None)
                )
            )
        elif kind == "person_name":
            start, end = _strip_possessive(text, start, end)
            if any(char.isdigit() for char in ent.text):
                kind = None
            elif _has_organization_word(ent.text) or _names_a_company_s(ent):  # "Allied Insurance", "Dell support"
                kind = "organization"
            elif ent.text.split()[0] in _PLACE_WORDS and len(ent) > 1:  # "Lake Victoria", "Mount Kenya"
                kind = "location"
            elif _a_place_not_a_name(ent.text):  # "Tbilisi was the best trip", "Ho Chi Minh City"
                kind = "location"
        elif kind == "organization" and ent.text.lower() in _NOT_ORGANIZATIONS:
            kind = None
        elif kind == "organization" and _in_event_context(doc, ent):  # "during SXSW"
            kind = "event"
        if kind == "location":
            kind = _place_or_organization(ent)
        if kind in ("organization", "location") and _named_like_someone(doc, ent):
            kind = "person_name"
        if kind in ("person_name", "organization", "location") and (
            _not_named(ent.text)
            or (len(ent) == 1 and _ordinary_word(ent[0]))  # "Confirmation number ...", "hit Save"
            or _on_screen(doc, ent)  # "Click Submit", "tap Settings"
            or any(char.isdigit() or char == "_" for char in ent.text)  # a handle, a code
            or re.search(r"\w\.\w", ent.text)  # "kwame.b"
        ):
            kind = None
        article = _ARTICLE.match(text, start, end)
        if article and kind not in (None, "duration"):  # "the United Nations", "the 1990s"
            start = article.end()
        if kind is not None and end > start:
            found.append(Finding(start, end, kind, 0.85))
    return found


# Verbs of using an interface: what comes after them is a button or a menu, not a name; and the
# menus of every app ("go to Settings, then Privacy").
_UI_VERBS = frozenset(("click", "tap", "hit", "press", "select", "choose", "type", "toggle", "swipe"))
_MENUS = frozenset(
    ("settings", "account settings", "privacy", "billing", "preferences", "profile", "dashboard", "notifications",
     "security", "general", "home", "menu", "inbox", "downloads", "payments", "my account", "sign in", "log in")
)  # fmt: skip


def _on_screen(doc: Any, ent: Any) -> bool:
    before = doc[ent.start - 1] if ent.start > 0 else None
    first = ent[0]
    return (
        (before is not None and before.lemma_.lower() in _UI_VERBS)
        or (first.lower_ in _UI_VERBS and (first.tag_ == "VB" or first.is_sent_start))
        or ent.text.lower() in _MENUS
    )


def _not_named(span: str) -> bool:
    """A card, a programme, a product, or a term of a word list (an event, a drug...) that spaCy took
    for a name, an organisation or a place: the word list classifies it."""
    lowered = span.lower().strip()
    if lowered.startswith("the "):
        lowered = lowered[4:]
    return lowered in _NOT_NAMED_ENTITIES or lowered in _LEXICON_TERMS or lowered in _PRODUCTS


@functools.cache
def _english_words() -> frozenset[str]:
    """The words of English dictionaries (WordNet's lemmas and irregular forms such as "met" and
    "got", shipped with spaCy's lemmatiser)."""
    lookups = english().get_pipe("lemmatizer").lookups
    lemmas = {word for words in lookups.get_table("lemma_index").values() for word in words}
    irregular = {form for forms in lookups.get_table("lemma_exc").values() for form in forms}
    return frozenset(lemmas | irregular)


def _ordinary_word(token: Any) -> bool:
    """A one-word "name" that is a word of the dictionary not tagged a proper noun ("Confirmation
    number ..."): the model's guess, not a name ("Spotify", tagged a noun, stays one)."""
    known = token.lower_ in _english_words() or token.lemma_.lower() in _english_words()
    return known and token.pos_ != "PROPN"


# Speech and chat words no dictionary lists
_FILLERS = frozenset(
    ("um", "umm", "uh", "uhh", "hmm", "mhm", "yep", "yup", "nope", "gonna", "wanna", "gotta", "lol", "hey",
     "app", "apps", "login", "logins", "covid", "smartphone", "iphone", "ipad", "emails", "emailed", "texted",
     "texting", "online", "ok", "okay", "yeah", "ah", "oh", "eh", "huh", "haha", "whoa", "wow", "btw",
     "username", "usernames", "passcode", "passcodes", "wifi", "voicemail", "hashtag", "admin", "dm")
)  # fmt: skip
_LOWER_WORD = re.compile(r"(?<![\w@./\\-])[a-z]{3,}(?![\w@/\\-]|\.\w)")


def _unknown_word(word: str) -> bool:
    if word in _FILLERS or word in _LEXICON_TERMS or word in english().Defaults.stop_words:
        return False
    return not _stems(word) & _english_words()


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


def _unknown_words_capitalised(text: str) -> str:
    """The text with its lower-case words no dictionary knows capitalised, as a name would be
    written (same length, so offsets hold)."""
    return _LOWER_WORD.sub(
        lambda m: m.group(0).capitalize() if _unknown_word(m.group(0)) else m.group(0), text
    )


# Words that make a name an organisation's ("St. Mary's Hospital", "the Mayo Clinic").
_ORGANIZATION_WORDS = frozenset(
    ("hospital", "clinic", "university", "college", "school", "academy", "institute", "bank", "insurance",
     "administration", "department", "agency", "bureau", "commission", "council", "authority", "foundation",
     "association", "society", "trust", "union", "inc", "inc.", "corp", "corp.", "corporation", "company",
     "co", "co.", "group", "services", "airlines", "airways", "labs", "laboratories", "ltd", "ltd.", "llc",
     "pharmacy", "pharmaceuticals", "partners", "holdings", "systems", "technologies", "ministry", "office",
     "center", "centre", "network", "federal", "national", "dental", "medical", "health", "healthcare",
     "plumbing", "roofing", "electric", "motors", "auto", "realty", "properties", "logistics", "consulting",
     "solutions", "media", "studios", "foods", "capital", "financial", "credit", "lending", "mortgage",
     "law", "legal", "associates", "church", "cathedral", "mosque", "synagogue", "ministries", "hotel",
     "hotels", "restaurant", "cafe", "bakery", "salon", "daycare", "elementary", "mobile", "wireless",
     "telecom", "energy", "entertainment", "brewing", "construction", "landscaping", "cleaning")
)  # fmt: skip


def _a_place_not_a_name(name: str) -> bool:
    """A known place whose first word is no given name and last word no surname ("Kraków", not
    "Georgia" or "Mr. Thornton")."""
    words = name.split()
    return (
        is_known_place(name)
        and not is_given_name(words[0])
        and not (is_surname(words[-1]) and words[-1] not in _PLACE_WORDS_AFTER)
    ) or (len(words) > 1 and words[-1] in _PLACE_WORDS_AFTER)


# Nouns a company's name stands before, not a person's ("Dell support", "the Chase app")
_COMPANY_NOUNS = frozenset(
    ("support", "service", "services", "customer", "store", "stores", "app", "website", "site", "stock",
     "shares", "dealership", "warranty", "headquarters", "hq", "subscription", "rep", "representative",
     "branch", "outlet", "rewards", "stores", "employees", "products", "account", "card", "helpline")
)  # fmt: skip


def _names_a_company_s(ent: Any) -> bool:
    following = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    return following is not None and following.lower_ in _COMPANY_NOUNS


def _before_a_noun(ent: Any) -> bool:
    """The name modifies the noun after it ("Dell laptop", "Ford dealership"): a thing's or a
    company's name, not someone's (the pipeline has no parser, so the tag says it)."""
    following = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    return following is not None and following.tag_ in ("NN", "NNS")


def _has_organization_word(name: str) -> bool:
    return any(word.lower().strip(".,'") in _ORGANIZATION_WORDS for word in name.split()[1:])


def _place_or_organization(ent: Any) -> str | None:
    """spaCy's small model calls many a company it does not know a place ("FedEx", "Geico"): a name
    with an organisation's word is one, and a one-word "place" no list of places knows is taken for
    one too (a person there is found by its wording, which wins over an organisation)."""
    words = [t.lower_ for t in ent]
    if any(word in _ORGANIZATION_WORDS for word in words[1:]) or words[0] in ("university", "bank"):
        return "organization"
    if len(ent) == 1 and not is_known_place(ent.text):
        return "organization"
    return "location"


def _named_like_someone(doc: Any, ent: Any) -> bool:
    """A one-word "organisation" or unknown "place" that is a given name: spaCy's small model calls
    many a name it has not seen one ("Lakshmi will do the demo", "Klaus, can you ..."). Not where
    the wording makes it a company ("Dell support", "works at Ford", "a Porsche"); a two-word one
    may be a firm named after people ("Morgan Stanley"), and a place the model knows stays a place
    (the context rules find a person named like one)."""
    word = ent[0]
    before = [t.lower_ for t in doc[max(0, ent.start - 2) : ent.start]]
    return (
        len(ent) == 1
        and word.is_alpha
        and word.text[:1].isupper()
        and not word.text.isupper()
        and is_given_name(word.text)
        and not is_known_place(word.text)
        and not _before_a_noun(ent)
        and not (before and before[-1] in ("at", *_DETERMINERS))
        and not (len(before) == 2 and (before[0], before[1]) in _ORGANIZATION_AFTER_TWO)
    )


_TITLES = frozenset(
    ("mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor", "nurse", "sir", "dame", "judge",
     "officer", "detective", "captain", "coach", "reverend", "rev", "pastor", "father", "agent")
)  # fmt: skip
_TITLE_PREFIX = re.compile(
    r"(?:(?:" + "|".join(sorted(_TITLES, key=len, reverse=True)) + r")\.?\s+)+", re.IGNORECASE
)
# Before a name these make it a thing: "the Kindle", "our Dashboard" ("this" and "her" do not:
# "is this Kenji?", "tell her Dave called").
_DETERMINERS = frozenset(("the", "a", "an", "my", "your", "our", "their", "its"))


_DETERMINER_BEFORE = re.compile(r"\b(?:" + "|".join(_DETERMINERS) + r")\s+$", re.IGNORECASE)


def _as_person_named(finding: Finding, text: str) -> Finding | None:
    """A person's finding without the titles before the name, and none after a determiner."""
    if finding.policy != "person_name":
        return finding
    if _DETERMINER_BEFORE.search(text[max(0, finding.start - 8) : finding.start]):
        return None
    return replace(finding, start=_after_titles(text, finding.start, finding.end))


_LIST_SEPARATOR = re.compile(r",?\s+and\s+|,\s+")


def _listed_with_people(found: list[Finding], text: str) -> list[Finding]:
    """A one-word "organisation" or "place" listed with a person ("Aaliyah and Zainab Mukherjee",
    "giulia, Rania Sharma and ...") is someone too."""
    out = list(found)
    for _ in range(2):  # a name two places down the list
        for n, finding in enumerate(out):
            if finding.policy not in ("organization", "location") or " " in text[finding.start : finding.end]:
                continue
            neighbours = out[max(0, n - 1) : n] + out[n + 1 : n + 2]
            if any(
                other.policy == "person_name"
                and _LIST_SEPARATOR.fullmatch(
                    text[finding.end : other.start]
                    if other.start > finding.start
                    else text[other.end : finding.start]
                )
                for other in neighbours
            ):
                out[n] = replace(finding, policy="person_name")
    return out


_NAME_WORD = r"[A-Z][^\W\d_]+(?:[-'][^\W\d_]+)*"
_NAME_BEFORE_LIST = re.compile(rf"({_NAME_WORD})(?:,\s+|,?\s+and\s+)$")
_NAME_AFTER_LIST = re.compile(rf"^(?:,\s+|,?\s+and\s+)({_NAME_WORD})")
_SURNAME_AFTER = re.compile(rf"^\s({_NAME_WORD})")


def _could_be_a_name(word: str) -> bool:
    """A capitalised word the dictionaries do not know, or a given name: in a list with someone
    ("Aoife and Ciarán"), or after a given name ("Natalia Ivanova"), it is part of a name."""
    return (
        word not in _NOT_NAMES
        and not _not_named(word)
        and (is_given_name(word) or is_surname(word) or _unknown_word(word.lower()))
        and not (is_known_place(word) and not is_given_name(word))
    )


def _with_surnames(found: list[Finding], text: str) -> list[Finding]:
    """A person's name runs on through the capitalised words that can be names beside it: the
    surname after a given name, and the names listed with it ("Aoife and Ciarán", "Beatriz and
    Rodrigo Almeida")."""
    out = list(found)
    taken = [(f.start, f.end) for f in found]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for n, finding in enumerate(found):
        if finding.policy != "person_name":
            continue
        span = text[finding.start : finding.end]
        surname = _SURNAME_AFTER.match(text[finding.end :])
        if (
            surname
            and " " not in span
            and is_given_name(span)
            and free(finding.end + surname.start(1), finding.end + surname.end(1))
            and _could_be_a_name(surname.group(1))
        ):
            out[n] = replace(finding, end=finding.end + surname.end(1))
        for match, offset in (
            (_NAME_BEFORE_LIST.search(text[max(0, finding.start - 40) : finding.start]), max(0, finding.start - 40)),
            (_NAME_AFTER_LIST.match(text[finding.end : finding.end + 40]), finding.end),
        ):
            if match and free(offset + match.start(1), offset + match.end(1)) and _could_be_a_name(match.group(1)):
                out.append(Finding(offset + match.start(1), offset + match.end(1), "person_name", 0.6))
    return out


def _without_titles(found: list[Finding], text: str) -> list[Finding]:
    """A title before a name ("Doctor Kaur", "Nurse Delacroix") is not the person's occupation."""
    names_at = {f.start for f in found if f.policy == "person_name"}
    return [
        f
        for f in found
        if not (
            f.policy == "occupation"
            and text[f.start : f.end].lower().rstrip(".") in _TITLES
            and any(text[f.end : at].strip() in ("", ".") for at in names_at if at >= f.end)
        )
    ]


def _after_titles(text: str, start: int, end: int) -> int:
    """A person's span without the titles before the name ("Doctor Kaur" -> "Kaur")."""
    title = _TITLE_PREFIX.match(text, start, end)
    return title.end() if title and title.end() < end else start


_EVENT_BEFORE = frozenset(("during", "throughout", "until", "till"))
_EVENT_BEFORE_TWO = frozenset(
    (("tickets", "for"), ("tickets", "to"), ("closed", "for"), ("closed", "during"), ("off", "for"))
)


def _in_event_context(doc: Any, ent: Any) -> bool:
    """An "organisation" something happens during, or one buys tickets for, is an event."""
    before = [t.lower_ for t in doc[max(0, ent.start - 2) : ent.start]]
    after = " ".join(t.lower_ for t in doc[ent.end : ent.end + 6])
    return (
        (bool(before) and before[-1] in _EVENT_BEFORE)
        or (len(before) == 2 and (before[0], before[1]) in _EVENT_BEFORE_TWO)
        or "time of year" in after
    )


# Where a word is someone: before a verb of speaking or dealing with people ("Priya will call you
# back", "Sofia said"), or after one that takes a person ("tell Emily", "put Kenji on the line",
# "waiting on Ingrid to confirm").
_PERSON_VERBS_AFTER = frozenset(
    ("said", "says", "told", "tells", "asked", "asks", "mentioned", "called", "calls", "emailed", "texted",
     "confirmed", "approved", "agreed", "replied", "wrote", "sent", "signed", "handles", "handled",
     "helped", "thinks", "thought", "knows", "knew", "wants", "wanted", "explained", "promised",
     "recommended", "suggested", "left", "answered", "picked")
)  # fmt: skip
_PERSON_VERBS_AFTER_MODAL = frozenset(
    ("call", "email", "text", "tell", "ask", "confirm", "approve", "reply", "write", "send", "sign", "help",
     "handle", "explain", "contact", "reach", "get", "be", "meet", "take", "check", "follow")
)  # fmt: skip
_MODALS = frozenset(("will", "would", "can", "could", "should", "might", "must", "'ll", "may"))
_PERSON_OBJECT_AFTER = frozenset(
    ("tell", "ask", "thank", "thanks", "put", "cc", "copy", "remind", "told", "asked", "thanked",
     "reminded", "let", "meet", "met", "page")
)  # fmt: skip
_PERSON_OBJECT_AFTER_TWO = frozenset(
    (("waiting", "on"), ("waiting", "for"), ("wait", "for"), ("transfer", "to"), ("transferred", "to"),
     ("connect", "to"), ("connect", "with"), ("talk", "to"), ("talked", "to"), ("speak", "to"),
     ("speak", "with"), ("spoke", "to"), ("spoke", "with"), ("hear", "from"), ("heard", "from"),
     ("ask", "for"), ("asked", "for"), ("asking", "for"), ("work", "with"), ("worked", "with"),
     ("working", "with"), ("married", "to"), ("thanks", "to"), ("sent", "to"), ("send", "to"),
     ("forward", "to"), ("give", "to"), ("gave", "to"), ("in", "by"), ("signed", "by"), ("sent", "by"),
     ("written", "by"), ("approved", "by"), ("reviewed", "by"), ("is", "this"), ("behalf", "of"),
     ("according", "to"), ("thank", "you"))
)  # fmt: skip
# People named after what they are to the speaker: "my son Max", "the patient, Keisha,".
_PERSON_NOUNS = frozenset(
    ("son", "daughter", "wife", "husband", "mother", "father", "mom", "dad", "brother", "sister", "partner",
     "boyfriend", "girlfriend", "fiance", "fiancee", "friend", "neighbour", "neighbor", "colleague",
     "coworker", "supervisor", "manager", "boss", "patient", "client", "caller", "tenant", "landlord",
     "cousin", "uncle", "aunt", "nephew", "niece", "grandson", "granddaughter", "child", "baby")
)  # fmt: skip
_ONLY_A_PERSON_AFTER = frozenset(
    (("name", "of"), ("holder", "is"), ("contact", "is"), ("covering", "for"), ("name", "is"),
     ("name", "'s"), ("over", "to"), ("attention", "of"))
)  # fmt: skip
# Where a name is an employer, a lender, a sender: "I work for Spotify", "customer of Barclays".
_ORGANIZATION_AFTER_TWO = frozenset(
    (("work", "for"), ("works", "for"), ("worked", "for"), ("working", "for"), ("work", "at"),
     ("works", "at"), ("worked", "at"), ("working", "at"), ("job", "at"), ("calling", "from"),
     ("customer", "of"), ("client", "of"), ("member", "of"), ("account", "with"), ("mortgage", "with"),
     ("loan", "with"), ("policy", "with"), ("insured", "with"), ("banks", "with"), ("bank", "with"),
     ("letter", "from"), ("email", "from"), ("bill", "from"), ("refund", "from"), ("offer", "from"),
     ("contract", "with"), ("auditors", "at"), ("someone", "at"), ("rep", "at"), ("rep", "from"),
     ("representative", "from"), ("agent", "from"), ("residency", "at"), ("internship", "at"))
)  # fmt: skip
_GREETINGS = frozenset(
    ("dear", "hi", "hello", "hey", "thanks", "bye", "goodbye", "morning", "afternoon", "evening")
)
_PLACE_LABELS = frozenset(("GPE", "FAC", "LOC"))
_PLACE_WORDS_AFTER = frozenset(
    ("City", "Town", "Village", "County", "Island", "Islands", "Valley", "Beach", "Heights", "Springs",
     "Falls", "Street", "Avenue", "Road", "Boulevard", "Lane", "Drive")
)  # fmt: skip
_PLACE_WORDS = frozenset(
    ("Lake", "Mount", "Mt", "River", "Fort", "Port", "Cape", "Bay", "Lake", "Glen", "Isle", "Loch")
)


def _names_by_position(doc: Any) -> list[Finding]:
    """Capitalised proper nouns spaCy's small model leaves unlabelled (or takes for a place) where
    the wording says they are a person; a place is never told or asked, an unknown word before
    "said" or "will call" is someone."""
    found: list[Finding] = []
    tokens = list(doc)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        vocative = _addressed(tokens, index)
        starts_name = _name_like(token) or (vocative and _given_name_token(token))  # "Thanks, Will,"
        if not starts_name or token.lower_ in _GREETINGS:  # "Dear Ingrid": the name is after it
            index += 1
            continue
        end = _run_end(tokens, index)
        run = tokens[index:end]
        labels = {_label_of_name(t) for t in run if t.text != "-"}
        after = [t.lower_ for t in tokens[end : end + 2]]
        before = [t.lower_ for t in tokens[max(0, index - 2) : index]]
        will_do = len(after) == 2 and after[0] in _MODALS and after[1] in _PERSON_VERBS_AFTER_MODAL
        subject = bool(after) and (after[0] in _PERSON_VERBS_AFTER or will_do)
        obj = (bool(before) and before[-1] in _PERSON_OBJECT_AFTER | _GREETINGS) or (
            len(before) == 2 and (before[0], before[1]) in _PERSON_OBJECT_AFTER_TWO
        )
        # first and last name before a verb ("Siobhan Garcia found it"), any name before a modal
        # ("Tariq can't make it")
        subject = subject or (
            end < len(tokens)
            and (tokens[end].tag_ == "MD" or (len(run) > 1 and tokens[end].tag_ in ("VBD", "VBZ")))
            and tokens[end].lemma_ not in ("be", "have")
        )
        # where only a person can stand ("the patient, Keisha,", "in the name of Hiroshi"), whatever
        # the model took the word for
        someone = (bool(before) and before[-1] in _PERSON_NOUNS) or (
            len(before) == 2
            and (
                (before[0] in _PERSON_NOUNS and before[1] == ",")
                or (before[0], before[1]) in _ONLY_A_PERSON_AFTER
            )
        )
        # "Emeka's mum called"
        someone = someone or (len(after) == 2 and after[0] == "'s" and after[1] in _PERSON_NOUNS | {"mum"})
        # "Sunny Kaur from Walgreens", "Mrs. Alvarez at Sunnybrook": the one after is where they are
        employer = bool(before) and before[-1] in ("from", "at") and index >= 2 and _name_like(tokens[index - 2])
        text = "".join(t.text_with_ws for t in run).strip()
        span = (run[0].idx, run[-1].idx + len(run[-1].text))
        if employer or _has_organization_word(text):
            if labels <= {"", "ORG", "GPE"} and not is_known_place(text) and not _not_named(text):
                found.append(Finding(*span, "organization", 0.6))
        elif (
            vocative
            and labels <= _PLACE_LABELS | {"", "PERSON", "ORG"}
            and not _not_named(text)
            # "No, Denver." answers where; "Thanks, Austin," speaks to someone
            and (not is_known_place(text) or (bool(before) and before[0] in _GREETINGS))
        ):
            found.append(Finding(*span, "person_name", 0.6))
        elif _named_like_people(run, labels, before) and not _not_named(text):
            found.append(Finding(*span, "person_name", 0.6))
        elif (
            (
                ((subject or obj) and labels <= {"", "PERSON"})
                or (obj and labels <= _PLACE_LABELS | {"", "PERSON"})
                or (someone and labels <= _PLACE_LABELS | {"", "PERSON", "ORG"})
                # one word the model takes for an organisation, before "will call you back": someone
                or (will_do and len(run) == 1 and labels == {"ORG"})
            )
            and not _not_named(text)
            and run[0].text not in _NOT_NAMES
        ):
            found.append(Finding(*span, "person_name", 0.6))
        elif (
            len(before) == 2
            and (before[0], before[1]) in _ORGANIZATION_AFTER_TWO
            and labels <= {"", "ORG", "GPE"}
            and not (labels == {"GPE"} and is_known_place(text))
            and not _not_named(text)
        ):
            found.append(Finding(*span, "organization", 0.6))
        index = end
    return found


def _named_like_people(run: list[Any], labels: set[str], before: list[str]) -> bool:
    """A given name that is no word of the dictionary, alone or before a surname, that the model
    left unlabelled or guessed to be an organisation or an unknown place: someone ("Aoife", "Rodrigo
    Almeida"). "Morgan Stanley" and "Will" are words too, and stay to the context rules."""
    words = [t.text for t in run if t.text != "-"]
    first = words[0]
    return (
        len(words) <= 2
        and labels <= {"", "ORG", "GPE"}
        and is_given_name(first)
        and first.lower() not in _english_words()
        and not is_known_place(" ".join(words))
        and (len(words) == 1 or is_surname(words[1]) or _unknown_word(words[1].lower()))
        and not (before and before[-1] in ("at", *_DETERMINERS))
    )


def _run_end(tokens: list[Any], index: int) -> int:
    """Where the name starting at ``index`` ends: up to three name-like words, a hyphenated one
    ("Seo-yeon", "Ruiz-Torres") counting as one."""
    end, words = index + 1, 1
    while end < len(tokens) and words < 3:
        hyphen = tokens[end].text == "-" and not tokens[end - 1].whitespace_ and not tokens[end].whitespace_
        if hyphen and end + 1 < len(tokens) and tokens[end + 1].is_alpha:
            end += 2
        elif _name_like(tokens[end]):
            end, words = end + 1, words + 1
        else:
            break
    return end


# Words before a comma that may open an address to someone: "Thanks, Will," "So, Kateryna, tell us"
_OPENERS = _GREETINGS | frozenset(("so", "okay", "ok", "well", "sorry", "yes", "yeah", "no", "right", "alright", "you"))
# What follows an address at the start of a sentence: "Klaus, can you ...", "Ivy, I need ..."
_AFTER_ADDRESS = frozenset(
    ("you", "i", "we", "can", "could", "would", "will", "do", "did", "are", "have", "please", "tell", "let",
     "thanks", "thank", "listen", "look", "quick")
)  # fmt: skip


def _addressed(tokens: list[Any], index: int) -> bool:
    """The word at ``index`` starts a name spoken to: set off by commas after an opener ("Thanks,
    Will,") or opening the sentence before "can you", "I'm", ... ("Klaus, can you send it?")."""
    end = _run_end(tokens, index)
    if end >= len(tokens) or tokens[end].text not in (",", ".", "?", "!"):
        return False
    sentence_start = index == 0 or tokens[index - 1].text in (".", "?", "!")
    after_opener = (
        index >= 2
        and tokens[index - 1].text == ","
        and tokens[index - 2].lower_ in _OPENERS
        and (index == 2 or tokens[index - 3].text in (".", "?", "!", ",") or tokens[index - 3].lower_ == "thank")
    )
    if after_opener:
        return True
    following = tokens[end + 1].lower_ if end + 1 < len(tokens) else ""
    return sentence_start and tokens[end].text == "," and following in _AFTER_ADDRESS


def _given_name_token(token: Any) -> bool:
    return token.is_alpha and token.text[:1].isupper() and not token.text.isupper() and is_given_name(token.text)


def _label_of_name(token: Any) -> str:
    """The entity label a word of a name-like run carries, as the run's wording is read: a
    non-demonym NORP and the small model's stray WORK_OF_ART ("calling from Accenture") count as none."""
    if token.ent_type_ == "WORK_OF_ART" or (token.ent_type_ == "NORP" and not _is_demonym(token.lower_)):
        return ""
    return str(token.ent_type_)


def _name_like(token: Any) -> bool:
    """A capitalised word tagged a proper noun, or one no dictionary knows whatever its tag
    ("Xiaoming" is tagged a common noun at the start of a sentence)."""
    text = token.text
    tagged = token.pos_ == "PROPN" or (token.ent_type_ == "NORP" and not _is_demonym(token.lower_))
    unknown = token.pos_ in ("NOUN", "ADJ", "X") and _unknown_word(token.lower_)
    return bool(
        (tagged or unknown) and text.replace("'", "").isalpha() and text[:1].isupper() and not text.isupper()
    )


def _classify_date(span: str) -> str | None:
    lowered = span.lower().strip()
    if _AGE.search(lowered):
        return "person_age"
    if _DURATION.fullmatch(lowered):
        return "duration"
    if _DAY_IN_MONTH.search(lowered):
        return "date"
    if _INTERVAL.search(lowered):
        return "date_interval"
    return None  # "today", "last week": relative, not PII


_AGE_NUMBER = re.compile(r".*?(?=[ -](?:years?|months?)[ -]old\b)", re.IGNORECASE)
_DAY_WITH_YEAR = re.compile("(?:" + _DAY_IN_MONTH.pattern + r")(?:,?\s+(?:19|20)\d{2}\b)?", re.IGNORECASE)


def _narrowed(kind: str | None, text: str, start: int, end: int) -> tuple[int, int]:
    """spaCy's date spans carry words around the PII ("December 18 this year", "42 years old"): the
    age is its number, a date its day, month and year."""
    span = text[start:end]
    pattern = _AGE_NUMBER if kind == "person_age" else _DAY_WITH_YEAR if kind == "date" else None
    match = pattern.search(span) if pattern is not None else None
    if match is None or not match.group(0).strip():
        return start, end
    return start + match.start(), start + match.end()


def _with_birth_cue(finding: Finding, text: str) -> Finding:
    if finding.policy in ("date", "date_interval") and _BIRTH_CUE.search(text[: finding.start]):
        return Finding(finding.start, finding.end, "date_of_birth", finding.score)
    return finding


def _strip_possessive(text: str, start: int, end: int) -> tuple[int, int]:
    for suffix in ("'s", "\u2019s"):
        if text[start:end].endswith(suffix):
            return start, end - len(suffix)
    return start, end


def _introduced_names(text: str) -> list[Finding]:
    """Names spaCy's small model misses where the wording says a name follows ("my name is X",
    "Dr. X")."""
    found = []
    for pattern in (_TITLED_NAME, _INTRODUCED_NAME):
        for match in pattern.finditer(text):
            name_start, name_end = match.span(1)
            first = match.group(1).split()[0]
            if first in _NOT_NAMES or first.lower() in _LEXICON_TERMS or _has_organization_word(match.group(1)):
                continue
            found.append(Finding(name_start, name_end, "person_name", 0.7))
    return found


def _every_mention(found: list[Finding], text: str) -> list[Finding]:
    """A name found once is a name everywhere in the transcript: later mentions the model missed
    ("Smith" after "John Smith") are found too."""
    names = {
        part
        for f in found
        if f.policy == "person_name"
        for part in [text[f.start : f.end], *text[f.start : f.end].split()]
        if len(part) > 2 and part[:1].isupper()
    }
    extra = list(found)
    for name in names:
        for match in re.finditer(rf"(?<![\w@.]){re.escape(name)}(?![\w@])", text):
            extra.append(Finding(match.start(), match.end(), "person_name", 0.7))
    return extra


def _resolve(found: list[Finding]) -> list[Finding]:
    """Non-overlapping findings: by policy precedence, then the longer, then the surer."""
    ordered = sorted(
        found, key=lambda f: (_RANK.get(f.policy, len(_RANK)), -(f.end - f.start), -f.score, f.start)
    )
    kept: list[Finding] = []
    for candidate in ordered:
        if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
            kept.append(candidate)
    return sorted(kept, key=lambda f: f.start)


_analyzer: PiiAnalyzer | None = None
_analyzer_lock = threading.Lock()


def get_analyzer() -> PiiAnalyzer:
    global _analyzer
    with _analyzer_lock:
        if _analyzer is None:
            _analyzer = PiiAnalyzer()
        return _analyzer
