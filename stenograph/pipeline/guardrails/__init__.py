"""Guardrails: PII redaction (``redact_pii``, ``redact_static_entities``) and entity detection on
the finished words of a transcript. Words in, words out; no HTTP, no SQL.

    words -> text view (spoken digits and addresses written out, textview)
          -> findings (presidio + spaCy + our recognisers, analyzer)
          -> entities over words (redaction) -> redacted words, redacted spans, entities

English only: the named-entity model, word lists and context words are English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from stenograph.pipeline.guardrails.analyzer import get_analyzer
from stenograph.pipeline.guardrails.policies import (
    PII_POLICIES,
    REFUSED_POLICIES,
    SUPPORTED_POLICIES,
    entity_label,
)
from stenograph.pipeline.guardrails.redaction import (
    Detected,
    detected_in_words,
    hidden_text,
    redact_words,
    redacted_spans,
    static_entities_in_words,
)
from stenograph.pipeline.guardrails.textview import TextView, normalized_view
from stenograph.pipeline.textform.words import split_edges
from stenograph.pipeline.types import Entity, Redaction, Word

__all__ = [
    "PII_POLICIES",
    "REFUSED_POLICIES",
    "SUPPORTED_POLICIES",
    "Guarded",
    "RedactionRequest",
    "entity_label",
    "find_in_words",
    "guard",
    "hidden_text",
    "load",
]


@dataclass(frozen=True)
class RedactionRequest:
    policies: frozenset[str]
    substitution: str = "hash"  # or "entity_name"
    static_entities: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Guarded:
    words: list[Word]  # redacted when redaction was asked for
    redactions: list[Redaction]
    entities: list[Entity]


def load() -> None:
    """Load the models now (they load on first use otherwise)."""
    get_analyzer()


def find_in_words(words: Sequence[Word]) -> list[tuple[Detected, str]]:
    """Every entity in the words, each with its text as written out (spoken digits and addresses
    as they are written: "five five five ..." -> "555...")."""
    view, detected = _detected(words)
    return [(entity, view.text_of(entity.first, entity.last)) for entity in detected]


def _detected(words: Sequence[Word]) -> tuple[TextView, list[Detected]]:
    view = normalized_view(words)
    return view, detected_in_words(get_analyzer().find(view.text), view)


def guard(words: Sequence[Word], redaction: RedactionRequest | None, entity_detection: bool) -> Guarded:
    """Redact ``words`` and/or find their entities. The words of one channel, in time order (each
    channel is analysed on its own: interleaving them would mix sentences)."""
    _, detected = _detected(words)
    out = list(words)
    hidden: list[Detected] = []
    if redaction is not None:
        static = static_entities_in_words(words, redaction.static_entities)
        static_words = {i for d in static for i in range(d.first, d.last + 1)}
        hidden = static + [
            d
            for d in detected
            if d.policy in redaction.policies and not static_words & set(range(d.first, d.last + 1))
        ]
        out = redact_words(words, hidden, redaction.substitution)
    entities = []
    if entity_detection:
        for d in detected:
            if d.policy in SUPPORTED_POLICIES:
                _, text, _ = split_edges(" ".join(w.text.strip() for w in out[d.first : d.last + 1]))
                entities.append(Entity(d.policy, text, out[d.first].start, out[d.last].end))
    return Guarded(out, redacted_spans(words, hidden), entities)
