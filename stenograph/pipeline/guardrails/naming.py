"""Who or what a capitalised name is (a person, an organisation, a place, or no PII at all), by the
words it is made of and the wording around it. spaCy's small model labels names it has not seen
almost at random; these rules read what a listener would."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from stenograph.pipeline.guardrails import lexicons
from stenograph.pipeline.guardrails.dictionary import LEXICON_TERMS, english_words, unknown_word
from stenograph.pipeline.guardrails.findings import Finding
from stenograph.pipeline.guardrails.names import is_given_name, is_surname
from stenograph.pipeline.guardrails.places import is_known_place

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
NOT_ORGANIZATIONS = frozenset(
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
_PRODUCTS = frozenset(product.lower() for product in lexicons.PRODUCTS)
_NATIONALITIES = {term.lower() for term in lexicons.NATIONALITIES}


def is_demonym(lowered: str) -> bool:
    """A nationality the word list knows ("Nigerian", "Nigerians"): spaCy's NORP also takes names
    ("Anneliese") and drugs for nationalities."""
    return lowered in _NATIONALITIES or (lowered.endswith("s") and lowered[:-1] in _NATIONALITIES)


# Verbs of using an interface: what comes after them is a button or a menu, not a name; and the
# menus of every app ("go to Settings, then Privacy").
_UI_VERBS = frozenset(("click", "tap", "hit", "press", "select", "choose", "type", "toggle", "swipe"))
_MENUS = frozenset(
    ("settings", "account settings", "privacy", "billing", "preferences", "profile", "dashboard",
     "notifications", "security", "general", "home", "menu", "inbox", "downloads", "payments", "my account",
     "sign in", "log in")
)  # fmt: skip


def on_screen(doc: Any, ent: Any) -> bool:
    before = doc[ent.start - 1] if ent.start > 0 else None
    first = ent[0]
    return (
        (before is not None and before.lemma_.lower() in _UI_VERBS)
        or (first.lower_ in _UI_VERBS and (first.tag_ == "VB" or first.is_sent_start))
        or ent.text.lower() in _MENUS
    )


def not_named(span: str) -> bool:
    """A card, a programme, a product, or a term of a word list (an event, a drug...) that spaCy took
    for a name, an organisation or a place: the word list classifies it."""
    lowered = span.lower().strip()
    if lowered.startswith("the "):
        lowered = lowered[4:]
    return (
        lowered in _NOT_NAMED_ENTITIES
        or lowered in LEXICON_TERMS
        or lowered in _PRODUCTS
        or lowered.rstrip(".,") in _FAMILY_WORDS
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


def a_place_not_a_name(name: str) -> bool:
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
     "branch", "outlet", "rewards", "employees", "products", "account", "card", "helpline")
)  # fmt: skip


def _following(ent: Any) -> Any:
    """The token after the entity, or None at the end of the text."""
    return ent.doc[ent.end] if ent.end < len(ent.doc) else None


def names_a_company_s(ent: Any) -> bool:
    following = _following(ent)
    return following is not None and following.lower_ in _COMPANY_NOUNS


def _before_a_noun(ent: Any) -> bool:
    """The name modifies the noun after it ("Dell laptop", "Ford dealership"): a thing's or a
    company's name, not someone's (the pipeline has no parser, so the tag says it)."""
    following = _following(ent)
    return following is not None and following.tag_ in ("NN", "NNS")


def ordinary_word_before_a_noun(ent: Any) -> bool:
    """A word of the dictionary opening the text before a noun: an adjective or a noun that names
    a kind ("Frank conversations", "Rose gold"), not someone."""
    return ent[0].lower_ in english_words() and _before_a_noun(ent)


def has_organization_word(name: str) -> bool:
    return any(word.lower().strip(".,'") in _ORGANIZATION_WORDS for word in name.split()[1:])


def place_or_organization(ent: Any) -> str | None:
    """spaCy's small model calls many a company it does not know a place ("FedEx", "Geico"): a name
    with an organisation's word is one, and a one-word "place" no list of places knows is taken for
    one too (a person there is found by its wording, which wins over an organisation)."""
    words = [t.lower_ for t in ent]
    if any(word in _ORGANIZATION_WORDS for word in words[1:]) or words[0] in ("university", "bank"):
        return "organization"
    before = ent.doc[ent.start - 1].lower_ if ent.start > 0 else ""
    # "the flight to Reykjavík", "drove down to the Algarve": where one goes or is, a place
    locative = before in _LOCATIVES or (
        before == "the" and ent.start > 1 and ent.doc[ent.start - 2].lower_ in _LOCATIVES
    )
    if len(ent) == 1 and not is_known_place(ent.text) and not locative:
        return "organization"
    return "location"


_LOCATIVES = frozenset(
    ("in", "to", "into", "near", "through", "across", "around", "toward", "towards", "via")
)


def named_like_someone(doc: Any, ent: Any) -> bool:
    """A one-word "organisation" or unknown "place" that is a given name: spaCy's small model calls
    many a name it has not seen one ("Lakshmi will do the demo", "Klaus, can you ..."). Not where
    the wording makes it a company ("Dell support", "works at Ford", "a Porsche"); a two-word one
    may be a firm named after people ("Morgan Stanley"), and a place the model knows stays a place
    (the context rules find a person named like one)."""
    before = [t.lower_ for t in doc[max(0, ent.start - 2) : ent.start]]
    return (
        len(ent) == 1
        and _given_name_token(ent[0])
        and not is_known_place(ent.text)
        and not _before_a_noun(ent)
        and not (before and before[-1] in ("at", *_DETERMINERS))
        and not (len(before) == 2 and (before[0], before[1]) in _ORGANIZATION_AFTER_TWO)
    )


_TITLES = frozenset(
    ("mr", "mrs", "ms", "miss", "mx", "dr", "doctor", "prof", "professor", "nurse", "sir", "dame", "judge",
     "officer", "detective", "captain", "coach", "reverend", "rev", "pastor", "father", "agent", "sister",
     "brother", "rabbi", "imam", "sheikh", "sergeant", "sgt", "lieutenant", "corporal", "deacon", "senator",
     "governor", "mayor", "madam", "herr", "frau", "uncle", "aunt", "auntie", "aunty", "grandma", "grandpa")
)  # fmt: skip
# What a family calls its own: no one's name ("it's Grandma", "Mum says", "Madam Chair")
_FAMILY_WORDS = frozenset(
    ("mum", "mom", "mommy", "mummy", "mama", "dad", "daddy", "papa", "grandma", "grandpa", "granny",
     "grandad", "nana", "auntie", "aunty", "uncle", "sis", "bro", "madam", "madam chair", "sweetie", "honey",
     "babe")
)  # fmt: skip
# A title and the name after it: "Dr. Okafor", "Coach Tremblay's", "Sergeant Aguilar-Montes"
_TITLED_NAME = re.compile(
    r"\b(?:" + "|".join(sorted((t.capitalize() for t in _TITLES), key=len, reverse=True)) + r")\.?\s"
    r"([A-Z][^\W\d_]+(?:[-'][^\W\d_]+)*(?:\s[A-Z][^\W\d_]+(?:[-'][^\W\d_]+)*)?)"
)
_TITLE_PREFIX = re.compile(
    r"(?:(?:" + "|".join(sorted(_TITLES, key=len, reverse=True)) + r")\.?\s+)+", re.IGNORECASE
)
# Before a name these make it a thing: "the Kindle", "our Dashboard" ("this" and "her" do not:
# "is this Kenji?", "tell her Dave called").
_DETERMINERS = frozenset(("the", "a", "an", "my", "your", "our", "their", "its"))
_DETERMINER_BEFORE = re.compile(r"\b(?:" + "|".join(_DETERMINERS) + r")\s+$", re.IGNORECASE)


def as_person_named(finding: Finding, text: str) -> Finding | None:
    """A person's finding without the titles before the name, and none after a determiner."""
    if finding.policy != "person_name":
        return finding
    if _DETERMINER_BEFORE.search(text[max(0, finding.start - 8) : finding.start]):
        return None
    start = _after_titles(text, finding.start, finding.end)
    if _is_title(text[start : finding.end]):  # a title alone ("Rabbi", "Uncle") names no one
        return None
    return replace(finding, start=start)


def _is_title(word: str) -> bool:
    return word.lower().strip(" .,") in _TITLES


_LIST_SEPARATOR = re.compile(r",?\s+and\s+|,\s+")


def listed_with_people(found: list[Finding], text: str) -> list[Finding]:
    """A one-word "organisation" or "place" listed with a person ("Aaliyah and Zainab Mukherjee",
    "giulia, Rania Sharma and ...") is someone too."""
    out = list(found)
    for _ in range(2):  # a name two places down the list
        for n, finding in enumerate(out):
            name = text[finding.start : finding.end]
            if finding.policy not in ("organization", "location") or " " in name:
                continue
            if is_known_place(name):  # "I'm Sheila and Texas originally"
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
        and not _is_title(word)
        and not not_named(word)
        and (is_given_name(word) or is_surname(word) or unknown_word(word.lower()))
        and not is_known_place(word)
    )


def with_surnames(found: list[Finding], text: str) -> list[Finding]:
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
            (
                _NAME_BEFORE_LIST.search(text[max(0, finding.start - 40) : finding.start]),
                max(0, finding.start - 40),
            ),
            (_NAME_AFTER_LIST.match(text[finding.end : finding.end + 40]), finding.end),
        ):
            if (
                match
                and free(offset + match.start(1), offset + match.end(1))
                and _could_be_a_name(match.group(1))
            ):
                out.append(Finding(offset + match.start(1), offset + match.end(1), "person_name", 0.6))
    return out


def without_titles(found: list[Finding], text: str) -> list[Finding]:
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
STREET_WORDS = frozenset(("Rue", "Via", "Calle", "Avenida", "Piazza", "Plaza", "Place", "Strasse"))
PLACE_WORDS = (
    frozenset(("Lake", "Mount", "Mt", "River", "Fort", "Port", "Cape", "Bay", "Glen", "Isle", "Loch"))
    | STREET_WORDS
)


def names_by_position(doc: Any) -> list[Finding]:
    """Capitalised proper nouns spaCy's small model leaves unlabelled (or takes for a place) where
    the wording says they are a person; a place is never told or asked, an unknown word before
    "said" or "will call" is someone."""
    found: list[Finding] = []
    tokens = list(doc)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        end = _run_end(tokens, index)
        vocative = _addressed(tokens, index, end)
        starts_name = _name_like(token) or (vocative and _given_name_token(token))  # "Thanks, Will,"
        if not starts_name or token.lower_ in _GREETINGS:  # "Dear Ingrid": the name is after it
            index += 1
            continue
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
        # ("Tariq can't make it"); a known given name or surname before a verb, an adverb between
        # ("Mendoza already fixed that")
        verb_at = end + 1 if end + 1 < len(tokens) and tokens[end].tag_ == "RB" else end
        listed_name = is_given_name(run[0].text) or is_surname(run[0].text)
        said_by = subject  # before a verb of speaking or dealing with people
        subject = subject or (
            end < len(tokens)
            and (
                tokens[end].tag_ == "MD"
                or (len(run) > 1 and tokens[end].tag_ in ("VBD", "VBZ"))
                or (listed_name and tokens[verb_at].tag_ in ("VBD", "VBZ"))
            )
            and tokens[verb_at].lemma_ not in ("be", "have")
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
        employer = (
            bool(before) and before[-1] in ("from", "at") and index >= 2 and _name_like(tokens[index - 2])
        )
        text = "".join(t.text_with_ws for t in run).strip()
        span = (run[0].idx, run[-1].idx + len(run[-1].text))
        if employer or has_organization_word(text):
            if labels <= {"", "ORG", "GPE"} and not is_known_place(text) and not not_named(text):
                found.append(Finding(*span, "organization", 0.6))
        elif (
            (
                vocative
                and labels <= _PLACE_LABELS | {"", "PERSON", "ORG"}
                and not not_named(text)
                # "No, Denver." answers where; "Thanks, Austin," and "Dallas, go ahead" speak to someone
                and (
                    not is_known_place(text)
                    or (bool(before) and before[0] in _GREETINGS)
                    or (_surely_addressed(tokens, index, end) and _given_name_token(run[0]))
                )
            )
            or (_named_like_people(run, labels, before, _mid_sentence(tokens, index)) and not not_named(text))
            or (
                (
                    ((subject or obj) and labels <= {"", "PERSON"})
                    # "Paris says hi", "tell Jordan": a given name, where a person's verb puts it
                    or (
                        (said_by or obj)
                        and labels <= _PLACE_LABELS | {""}
                        and _given_name_token(run[0])
                        and not (before and before[-1] in _LOCATIVES)
                    )
                    or (obj and labels <= _PLACE_LABELS | {"", "PERSON"})
                    or (someone and labels <= _PLACE_LABELS | {"", "PERSON", "ORG"})
                    # one word the model takes for an organisation, before "will call you back": someone
                    or (will_do and len(run) == 1 and labels == {"ORG"})
                )
                and not not_named(text)
                and run[0].text not in _NOT_NAMES
            )
        ):
            found.append(Finding(*span, "person_name", 0.6))
        elif (
            len(before) == 2
            and (before[0], before[1]) in _ORGANIZATION_AFTER_TWO
            and labels <= {"", "ORG", "GPE"}
            and not (labels == {"GPE"} and is_known_place(text))
            and not not_named(text)
        ):
            found.append(Finding(*span, "organization", 0.6))
        index = end
    return found


def _named_like_people(run: list[Any], labels: set[str], before: list[str], mid_sentence: bool) -> bool:
    """A given name, alone or before a surname, that the model left unlabelled or guessed to be an
    organisation or an unknown place: someone ("Aoife", "Rodrigo Almeida", "then Moses was
    afraid"). A name that is also a word of the dictionary ("Will", "Morgan Stanley", "Grace") counts
    only where a word would not be capitalised (inside a sentence, one word alone) and the model gave
    it no label ("Bank of America" is an organisation)."""
    words = [t.text for t in run if t.text != "-"]
    first = words[0]
    a_word_too = first.lower() in english_words()
    return (
        len(words) <= 2
        and labels <= {"", "ORG", "GPE"}
        and is_given_name(first)
        and (
            not a_word_too
            or (mid_sentence and len(words) == 1 and run[0].pos_ == "PROPN" and not any(labels))
        )
        # a place's name too ("Florence", "Esperanza") where the model saw no place, nor the wording
        and (
            not is_known_place(" ".join(words))
            or (not any(labels) and not (before and before[-1] in _LOCATIVES | {"from", "at"}))
        )
        and (len(words) == 1 or is_surname(words[1]) or unknown_word(words[1].lower()))
        and not (before and before[-1] in ("at", *_DETERMINERS))
    )


def _mid_sentence(tokens: list[Any], index: int) -> bool:
    """The word is not the first of its sentence (nor of its clause after a colon or a quote)."""
    return index > 0 and tokens[index - 1].text not in (".", "?", "!", ":", ";", '"', "-", "--")


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
_OPENERS = _GREETINGS | frozenset(
    ("so", "okay", "ok", "well", "sorry", "yes", "yeah", "no", "right", "alright", "you", "much")
)
# What follows an address at the start of a sentence: "Klaus, can you ...", "Ivy, I need ..."
_AFTER_ADDRESS = frozenset(
    ("you", "i", "we", "can", "could", "would", "will", "do", "did", "are", "have", "please", "tell", "let",
     "thanks", "thank", "listen", "look", "quick", "go", "what", "how", "where", "when", "is", "it's")
)  # fmt: skip


def _addressed(tokens: list[Any], index: int, end: int) -> bool:
    """The name at ``index:end`` is spoken to: set off by commas after an opener ("Thanks, Will,")
    or opening the sentence before "can you", "I'm", ... ("Klaus, can you send it?")."""
    if end >= len(tokens) or tokens[end].text not in (",", ".", "?", "!"):
        return False
    after_opener = (
        index >= 2
        and tokens[index - 1].text == ","
        and tokens[index - 2].lower_ in _OPENERS
        and (
            index == 2
            or tokens[index - 3].text in (".", "?", "!", ",")
            or tokens[index - 3].lower_ in ("thank", "so", "very")
        )
    )
    return after_opener or _surely_addressed(tokens, index, end)


def _surely_addressed(tokens: list[Any], index: int, end: int) -> bool:
    """A given name closing a sentence after a comma ("was it you, Jade?"), or any name opening one
    before "can you", "go ahead", ... ("Dallas, go ahead"): spoken to, even if a place is called so."""
    if end >= len(tokens):
        return False
    closing = (
        index > 0
        and tokens[index - 1].text == ","
        and tokens[end].text in (".", "?", "!")
        and _given_name_token(tokens[index])
    )
    sentence_start = index == 0 or tokens[index - 1].text in (".", "?", "!")
    return closing or (sentence_start and _opens_an_address(tokens, index, end))


def _opens_an_address(tokens: list[Any], index: int, end: int) -> bool:
    """A name before a comma and "can you", "go ahead", "I'm" ...: spoken to, even if it is a
    place's name too ("Dallas, go ahead, you're on the air")."""
    following = tokens[end + 1].lower_ if end + 1 < len(tokens) else ""
    return index < end < len(tokens) and tokens[end].text == "," and following in _AFTER_ADDRESS


def _given_name_token(token: Any) -> bool:
    return (
        token.is_alpha and token.text[:1].isupper() and not token.text.isupper() and is_given_name(token.text)
    )


def _label_of_name(token: Any) -> str:
    """The entity label a word of a name-like run carries, as the run's wording is read: a
    non-demonym NORP and the small model's stray WORK_OF_ART ("calling from Accenture") count as none."""
    if token.ent_type_ in ("WORK_OF_ART", "PRODUCT") or (
        token.ent_type_ == "NORP" and not is_demonym(token.lower_)
    ):
        return ""
    return str(token.ent_type_)


def _name_like(token: Any) -> bool:
    """A capitalised word tagged a proper noun, or one no dictionary knows whatever its tag
    ("Xiaoming" is tagged a common noun at the start of a sentence)."""
    text = token.text
    tagged = token.pos_ == "PROPN" or (token.ent_type_ == "NORP" and not is_demonym(token.lower_))
    unknown = token.pos_ in ("NOUN", "ADJ", "X") and unknown_word(token.lower_)
    return bool(
        (tagged or unknown) and text.replace("'", "").isalpha() and text[:1].isupper() and not text.isupper()
    )


def strip_possessive(text: str, start: int, end: int) -> tuple[int, int]:
    for suffix in ("'s", "\u2019s"):
        if text[start:end].endswith(suffix):
            return start, end - len(suffix)
    return start, end


def introduced_names(text: str) -> list[Finding]:
    """Names spaCy's small model misses where the wording says a name follows ("my name is X",
    "Dr. X")."""
    found = []
    for pattern in (_TITLED_NAME, _INTRODUCED_NAME):
        for match in pattern.finditer(text):
            name_start, name_end = strip_possessive(text, *match.span(1))
            first = match.group(1).split()[0]
            if (
                first in _NOT_NAMES
                or _is_title(first)
                # "the Judge Advocate office": a word after a title, where no name is known so
                or (
                    pattern is _TITLED_NAME
                    and first.lower() in english_words()
                    and not (is_given_name(first) or is_surname(first))
                )
                or first.lower() in LEXICON_TERMS
                or has_organization_word(match.group(1))
            ):
                continue
            found.append(Finding(name_start, name_end, "person_name", 0.7))
    return found


def every_mention(found: list[Finding], text: str) -> list[Finding]:
    """A name found once is a name everywhere in the transcript: later mentions the model missed
    ("Smith" after "John Smith") are found too."""
    names = {
        part
        for f in found
        if f.policy == "person_name"
        for part in [text[f.start : f.end], *text[f.start : f.end].split()]
        if len(part) > 2 and part[:1].isupper() and not _is_title(part) and part not in _NOT_NAMES
    }
    extra = list(found)
    for name in names:
        for match in re.finditer(rf"(?<![\w@.]){re.escape(name)}(?![\w@])", text):
            extra.append(Finding(match.start(), match.end(), "person_name", 0.7))
    return extra
