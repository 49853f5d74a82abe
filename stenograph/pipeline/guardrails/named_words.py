"""Which words are people's names, organisations or places, read in context: a multinomial logistic
regression over each word's contextual vector (all-MiniLM-L6-v2's hidden states,
``understanding.embeddings.word_vectors``), the rules' own finding for it and its neighbours, and its
shape and name-list entries. Trained by benchmarks/train_named_words.py on hand-written, hand-labelled
sentences and the generated dev half; its weights are data/named_words.npz. The rules alone miss
names they have no wording for ("what a save by Donnarumma", "send the offer to Cooper") and take
companies for people ("Geico quoted me"); the words around a name say what it names.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from stenograph.pipeline.guardrails.dictionary import english_words
from stenograph.pipeline.guardrails.findings import Finding, resolve
from stenograph.pipeline.guardrails.names import is_given_name, is_surname
from stenograph.pipeline.guardrails.places import is_known_place
from stenograph.understanding.embeddings import word_vectors

WEIGHTS_FILE = Path(__file__).parent / "data" / "named_words.npz"
NAMED_ENTITIES = ("person_name", "organization", "location")
# The model's classes, in the order of its weights' rows.
CLASSES: tuple[str | None, ...] = (None, *NAMED_ENTITIES)
# Policies found by word lists alone, which a person's name read in context overrides ("Rafiqul
# Islam", "my daughter Autumn"); findings of every other policy (numbers, e-mails, dates, languages,
# drugs, star signs, ...) stay, and so do these under an organisation or a place ("the Green Party").
_WORD_LIST_POLICIES = frozenset(
    ("religion", "nationality", "political_affiliation", "date_interval", "marital_status",
     "gender_sexuality"),
)  # fmt: skip
# A word's core: without the punctuation around it and a possessive "'s".
_CORE = re.compile(r"^\W*(.*?)(?:['\u2019]s)?\W*$", re.DOTALL)
# Between two words, these end a name ("Tamsin, Okonkwo", "Kofi's Dad"); an organisation or a place
# runs on over a possessive and an abbreviation's full stop ("St. Brigid's Parish").
_PUNCTUATION_BREAK = re.compile(r"[,;:?!()\[\]\"]")
_POSSESSIVE = re.compile(r"['\u2019]s")
_ABBREVIATION = 3  # letters at most before a full stop that does not end a sentence
_LOOK_BACK = 16  # characters read before a word for the sentence end it may follow


@dataclass(frozen=True)
class NamedWordModel:
    layers: tuple[int, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # one row per class of CLASSES
    intercept: np.ndarray
    # A word is a person's name when that is its likeliest named class and P(person) is over this
    # (a low bar against "none": a name missed is a leak); else its likeliest other class.
    person_threshold: float

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """One row per word: the probability of each class of CLASSES."""
        logits = ((rows - self.mean) / self.scale) @ self.coef.T + self.intercept
        odds = np.exp(logits - logits.max(axis=1, keepdims=True))
        return odds / odds.sum(axis=1, keepdims=True)

    def classes(self, rows: np.ndarray) -> list[str | None]:
        person = CLASSES.index("person_name")
        out: list[str | None] = []
        for row in self.probabilities(rows):
            likeliest = int(np.argmax(row[1:])) + 1  # of the named classes
            if likeliest == person and row[person] > self.person_threshold:
                out.append("person_name")
            else:
                others = row.copy()
                others[person] = -1.0
                out.append(CLASSES[int(np.argmax(others))])
        return out


_load_lock = threading.Lock()


@cache
def _model() -> NamedWordModel | None:
    with _load_lock:
        if not WEIGHTS_FILE.exists():
            return None
        weights = np.load(WEIGHTS_FILE)
        return NamedWordModel(
            layers=tuple(int(layer) for layer in weights["layers"]),
            mean=weights["mean"],
            scale=weights["scale"],
            coef=weights["coef"],
            intercept=weights["intercept"],
            person_threshold=float(weights["person_threshold"]),
        )


def word_spans(text: str) -> list[tuple[int, int]]:
    """Each whitespace-separated word's core, as (start, end) in ``text``."""
    spans = []
    for match in re.finditer(r"\S+", text):
        core = _CORE.match(match.group())
        assert core is not None  # the pattern matches any string
        start, end = match.start() + core.start(1), match.start() + core.end(1)
        spans.append((start, end) if end > start else (match.start(), match.end()))
    return spans


def _finding_of_each_word(spans: list[tuple[int, int]], findings: list[Finding]) -> list[Finding | None]:
    """The finding each word lies in (the first by start where two do), in one pass over both: the
    words and ``findings`` (resolved: no two overlap) are in text order."""
    ordered = sorted(findings, key=lambda f: f.start)
    out: list[Finding | None] = []
    next_finding = 0
    for start, end in spans:
        while next_finding < len(ordered) and ordered[next_finding].end <= start:
            next_finding += 1
        finding = ordered[next_finding] if next_finding < len(ordered) else None
        out.append(finding if finding is not None and finding.start < end else None)
    return out


def word_features(text: str, findings: list[Finding], layers: tuple[int, ...]) -> np.ndarray:
    """One row per word of ``word_spans(text)``: what the rules found it as (and its neighbours), its
    shape and name lists, then its contextual vector."""
    spans = word_spans(text)
    policies = [f.policy if f else None for f in _finding_of_each_word(spans, findings)]
    dictionary = english_words()
    rows = []
    for index, (start, end) in enumerate(spans):
        word = text[start:end]
        before = text[max(0, start - _LOOK_BACK) : start].rstrip()  # not the whole text: that is quadratic
        policy = policies[index]
        rows.append(
            (
                policy == "person_name",
                policy == "organization",
                policy == "location",
                policy is not None and policy not in NAMED_ENTITIES,
                policy is None,
                word[:1].isupper(),
                word.islower(),
                word.isupper() and len(word) > 1,
                (not before and start < _LOOK_BACK) or before[-1:] in (".", "?", "!"),
                is_given_name(word.capitalize()),
                is_surname(word.capitalize()),
                word.lower() in dictionary,
                is_known_place(word),
                index > 0 and policies[index - 1] == "person_name",
                index + 1 < len(policies) and policies[index + 1] == "person_name",
            )
        )
    shape = np.asarray(rows, dtype=np.float32).reshape(len(spans), 15)
    return np.hstack([shape, word_vectors(text.split(), layers)])


def with_names_in_context(text: str, findings: list[Finding]) -> list[Finding]:
    """``findings`` with people, organisations and places as the model reads them: the rules' findings
    of those three are replaced by the model's, a run of words of one class becoming one finding, and
    a word-list finding under a person's name gives way to it ("Rafiqul Islam", "my daughter
    Autumn"). Findings of every other policy stay, and a word they hold is not named."""
    model = _model()
    if model is None or not text.strip():
        return findings
    spans = word_spans(text)
    classes = model.classes(word_features(text, findings, model.layers))
    under_a_person = {
        f
        for f, kind in zip(_finding_of_each_word(spans, findings), classes, strict=True)
        if f is not None and kind == "person_name"
    }
    kept = [
        f
        for f in findings
        if f.policy not in NAMED_ENTITIES and (f.policy not in _WORD_LIST_POLICIES or f not in under_a_person)
    ]
    held = _finding_of_each_word(spans, kept)
    runs: list[Finding] = []
    for index, (start, end) in enumerate(spans):
        kind = classes[index]
        if kind is None or held[index] is not None:
            classes[index] = None  # "Al-Farsi" a language: the name is the words around it
            continue
        previous = runs[-1] if runs else None
        if (
            previous is not None
            and classes[index - 1] == kind
            and not _ends_a_run(kind, text, spans[index - 1], start)
        ):
            runs[-1] = Finding(previous.start, end, kind, previous.score)
        else:
            runs.append(Finding(start, end, kind, 0.85))
    return resolve(kept + runs)


def _ends_a_run(kind: str, text: str, previous: tuple[int, int], start: int) -> bool:
    between = text[previous[1] : start]
    if _PUNCTUATION_BREAK.search(between):
        return True
    if kind == "person_name":
        return "." in between or bool(_POSSESSIVE.search(between))
    return "." in between and previous[1] - previous[0] > _ABBREVIATION
