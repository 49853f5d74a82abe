"""Text -> PII findings: presidio's analyzer with our recognisers, spaCy's named entities (classified
into policies), overlaps resolved. Loads once per process, lazily, from installed packages only."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import replace
from typing import Any

from stenograph.pipeline.guardrails import lexicons
from stenograph.pipeline.guardrails.dictionary import ordinary_word, unknown_words_capitalised
from stenograph.pipeline.guardrails.findings import Finding, resolve
from stenograph.pipeline.guardrails.named_words import with_names_in_context
from stenograph.pipeline.guardrails.naming import (
    NOT_ORGANIZATIONS,
    PLACE_WORDS,
    STREET_WORDS,
    a_place_not_a_name,
    as_person_named,
    every_mention,
    has_organization_word,
    introduced_names,
    is_demonym,
    listed_with_people,
    named_like_someone,
    names_a_company_s,
    names_by_position,
    not_named,
    on_screen,
    ordinary_word_before_a_noun,
    place_or_organization,
    strip_possessive,
    with_surnames,
    without_titles,
)
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
_RELIGIONS = {term.lower() for term in lexicons.RELIGIONS}
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
        return with_names_in_context(text, self.find_by_rules(text))

    def find_by_rules(self, text: str) -> list[Finding]:
        """``find`` before names are read in context (``named_words``): what that model
        is given."""
        found: list[Finding] = []
        for offset, chunk in _chunks(text):
            found.extend(replace(f, start=f.start + offset, end=f.end + offset) for f in self._find_in(chunk))
        found.extend(introduced_names(text))
        named = [as_person_named(_with_birth_cue(f, text), text) for f in found]
        kept = with_surnames(listed_with_people(resolve([f for f in named if f is not None]), text), text)
        return without_titles(resolve(every_mention(kept, text)), text)

    def _find_in(self, chunk: str) -> list[Finding]:
        with IN_USE:
            # the model reads names written lower-case ("ask for giulia fernandes") capitalised
            artifacts = self._nlp_engine.process_text(unknown_words_capitalised(chunk), "en")
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
        return found + _named_entities(artifacts.tokens, chunk) + names_by_position(artifacts.tokens)


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
                    else ("nationality" if is_demonym(lowered) else None)
                )
            )
        elif kind == "person_name":
            start, end = strip_possessive(text, start, end)
            if any(char.isdigit() for char in ent.text):
                kind = None
            elif len(ent) == 1 and ent.start == 0 and ordinary_word_before_a_noun(ent):
                kind = None  # "Frank conversations are hard", "Jordan almonds for the favours"
            elif has_organization_word(ent.text) or names_a_company_s(ent):
                kind = "organization"  # "Allied Insurance", "Dell support"
            elif (ent.text.split()[0] in PLACE_WORDS and len(ent) > 1) or a_place_not_a_name(ent.text):
                kind = "location"  # "Lake Victoria", "Mount Kenya", "Tbilisi was the best trip"
        elif kind == "organization" and ent.text.lower() in NOT_ORGANIZATIONS:
            kind = None
        elif kind == "organization" and len(ent) > 1 and ent[0].text in STREET_WORDS:
            kind = "location"  # "Rue de Rivoli", "Plaza Mayor"
        elif kind == "organization" and _in_event_context(doc, ent):  # "during SXSW"
            kind = "event"
        if kind == "location":
            kind = place_or_organization(ent)
        if kind in ("organization", "location") and named_like_someone(doc, ent):
            kind = "person_name"
        if kind in ("person_name", "organization", "location") and (
            not_named(ent.text)
            or (len(ent) == 1 and ordinary_word(ent[0]))  # "Confirmation number ...", "hit Save"
            or on_screen(doc, ent)  # "Click Submit", "tap Settings"
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


_analyzer: PiiAnalyzer | None = None


_analyzer_lock = threading.Lock()


def get_analyzer() -> PiiAnalyzer:
    global _analyzer
    with _analyzer_lock:
        if _analyzer is None:
            _analyzer = PiiAnalyzer()
        return _analyzer
