"""Which words are people's names, read in context: a logistic regression over each word's contextual
vector (all-MiniLM-L6-v2's hidden states, ``understanding.embeddings.word_vectors``), the rules' own
finding for it and its neighbours, and its shape and name-list entries. Trained by
benchmarks/train_person_names.py on hand-written, hand-labelled sentences and the generated dev half;
its weights are data/person_words.npz. The rules alone miss names they have no wording for
("what a save by Donnarumma", "send the offer to Cooper"); the words around a name say it is one.
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
from stenograph.understanding.embeddings import word_vectors

WEIGHTS_FILE = Path(__file__).parent / "data" / "person_words.npz"
NAMED_ENTITIES = ("person_name", "organization", "location")
# Policies found by word lists alone, which a name read in context overrides ("Rafiqul Islam", "my
# daughter Autumn"); findings of every other policy (numbers, e-mails, dates, ...) stay.
_WORD_LIST_POLICIES = frozenset(
    ("religion", "nationality", "political_affiliation", "date_interval", "event", "occupation",
     "zodiac_sign", "marital_status", "gender_sexuality", "medical_condition", "drug"),
)  # fmt: skip
_OVERRIDDEN = frozenset(NAMED_ENTITIES) | _WORD_LIST_POLICIES
# A word's core: without the punctuation around it and a possessive "'s".
_CORE = re.compile(r"^\W*(.*?)(?:['\u2019]s)?\W*$", re.DOTALL)
# Between two words, these end a name ("Tamsin, Okonkwo", "Kofi's Dad").
_RUN_BREAK = re.compile(r"[,.;:?!()\[\]\"]|['\u2019]s")


@dataclass(frozen=True)
class PersonModel:
    layers: tuple[int, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        logits = ((rows - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


_load_lock = threading.Lock()


@cache
def _model() -> PersonModel | None:
    with _load_lock:
        if not WEIGHTS_FILE.exists():
            return None
        weights = np.load(WEIGHTS_FILE)
        return PersonModel(
            layers=tuple(int(layer) for layer in weights["layers"]),
            mean=weights["mean"],
            scale=weights["scale"],
            coef=weights["coef"],
            intercept=float(weights["intercept"]),
            threshold=float(weights["threshold"]),
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


def _policy_of(span: tuple[int, int], findings: list[Finding]) -> str | None:
    return next((f.policy for f in findings if f.start < span[1] and f.end > span[0]), None)


def word_features(text: str, findings: list[Finding], layers: tuple[int, ...]) -> np.ndarray:
    """One row per word of ``word_spans(text)``: what the rules found it as (and its neighbours), its
    shape and name lists, then its contextual vector."""
    spans = word_spans(text)
    policies = [_policy_of(span, findings) for span in spans]
    dictionary = english_words()
    rows = []
    for index, (start, end) in enumerate(spans):
        word = text[start:end]
        before = text[:start].rstrip()
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
                not before or before[-1] in ".?!",
                is_given_name(word.capitalize()),
                is_surname(word.capitalize()),
                word.lower() in dictionary,
                index > 0 and policies[index - 1] == "person_name",
                index + 1 < len(policies) and policies[index + 1] == "person_name",
            )
        )
    shape = np.asarray(rows, dtype=np.float32).reshape(len(spans), 14)
    words = [match.group() for match in re.finditer(r"\S+", text)]
    return np.hstack([shape, word_vectors(words, layers)])


def person_probabilities(text: str, findings: list[Finding]) -> np.ndarray | None:
    """P(person name) of each word of ``word_spans(text)``; None when no weights are installed."""
    model = _model()
    if model is None:
        return None
    return model.probabilities(word_features(text, findings, model.layers))


def with_people_in_context(text: str, findings: list[Finding]) -> list[Finding]:
    """``findings`` with person names as the model reads them: a run of words it finds a name becomes
    one ``person_name`` finding (over an organisation, a place or a word-list finding the rules saw
    there), and the rules' person findings are dropped. Findings of other policies stay as they are."""
    model = _model()
    if model is None or not text.strip():
        return findings
    spans = word_spans(text)
    is_name = model.probabilities(word_features(text, findings, model.layers)) > model.threshold
    named = [span for span, name in zip(spans, is_name, strict=True) if name]

    def overlaps_a_name(finding: Finding) -> bool:
        return any(start < finding.end and end > finding.start for start, end in named)

    kept = [
        f
        for f in findings
        if f.policy != "person_name" and (f.policy not in _OVERRIDDEN or not overlaps_a_name(f))
    ]
    runs: list[Finding] = []
    for index, (start, end) in enumerate(spans):
        if not is_name[index]:
            continue
        previous = runs[-1] if runs else None
        if previous and is_name[index - 1] and not _RUN_BREAK.search(text[previous.end : start]):
            runs[-1] = Finding(previous.start, end, "person_name", previous.score)
        else:
            runs.append(Finding(start, end, "person_name", 0.85))
    return resolve(kept + runs)
