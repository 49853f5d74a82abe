"""Person names read in context (pipeline/guardrails/person_words): how the model's word decisions
become findings (a stand-in model, no weights), and the shipped model on sentences written for these
tests, none of them from the benchmark's sets."""

from __future__ import annotations

import numpy as np
import pytest

from stenograph.pipeline.guardrails import person_words
from stenograph.pipeline.guardrails.analyzer import get_analyzer
from stenograph.pipeline.guardrails.findings import Finding
from stenograph.understanding.embeddings import WORD_CONTEXT, WORD_WINDOW, word_vectors


def test_a_words_core_leaves_out_punctuation_and_a_possessive() -> None:
    text = "Okoye's out, (Kofi) asked Dolores? fine"
    assert [text[s:e] for s, e in person_words.word_spans(text)] == [
        "Okoye", "out", "Kofi", "asked", "Dolores", "fine",
    ]  # fmt: skip


@pytest.fixture
def names_are(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A stand-in model that finds exactly the given words names."""

    def use(*names: str) -> None:
        model = person_words.PersonModel(
            layers=(), mean=np.zeros(1), scale=np.ones(1), coef=np.ones(1), intercept=-0.5, threshold=0.5
        )
        monkeypatch.setattr(person_words, "_model", lambda: model)

        def rows(text: str, findings: list[Finding], layers: tuple[int, ...]) -> np.ndarray:
            spans = person_words.word_spans(text)
            return np.array([[float(text[s:e] in names)] for s, e in spans])

        monkeypatch.setattr(person_words, "word_features", rows)

    return use


def found(text: str, findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.policy, text[f.start : f.end]) for f in person_words.with_people_in_context(text, findings)]


def test_neighbouring_name_words_are_one_name_and_a_comma_or_possessive_ends_it(names_are) -> None:  # type: ignore[no-untyped-def]
    names_are("Tamsin", "Anneliese", "Kruger", "Kofi", "Mensah")
    text = "Tamsin, Anneliese Kruger and Kofi's brother Mensah came"
    assert found(text, []) == [
        ("person_name", "Tamsin"),
        ("person_name", "Anneliese Kruger"),
        ("person_name", "Kofi"),
        ("person_name", "Mensah"),
    ]


def test_a_name_replaces_the_organisation_place_or_word_list_finding_on_it(names_are) -> None:  # type: ignore[no-untyped-def]
    names_are("Rafiqul", "Islam", "Cooper")
    text = "Rafiqul Islam sent it to Cooper in Leeds at bob@example.com"
    rules = [
        Finding(8, 13, "religion", 0.85),
        Finding(25, 31, "location", 0.85),
        Finding(35, 40, "location", 0.85),
        Finding(44, 59, "email_address", 1.0),
    ]
    assert found(text, rules) == [
        ("person_name", "Rafiqul Islam"),
        ("person_name", "Cooper"),
        ("location", "Leeds"),
        ("email_address", "bob@example.com"),
    ]


def test_a_person_the_rules_found_and_the_model_does_not_is_dropped(names_are) -> None:  # type: ignore[no-untyped-def]
    names_are()
    text = "Pat the chicken dry"
    assert found(text, [Finding(0, 3, "person_name", 0.85)]) == []


def test_without_weights_the_rules_findings_stand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(person_words, "_model", lambda: None)
    rules = [Finding(0, 3, "person_name", 0.85)]
    assert person_words.with_people_in_context("Pat the chicken dry", rules) == rules


def test_a_long_text_is_read_in_windows_with_every_word_given_a_vector() -> None:
    words = ("the crew met Ingrid near the harbour before noon . " * 30).split()
    assert len(words) > WORD_WINDOW + 2 * WORD_CONTEXT
    vectors = word_vectors(words, (3, 6))
    assert vectors.shape == (len(words), 768)
    assert np.all(np.abs(vectors).sum(axis=1) > 0)
    # each vector is its own word's: "Ingrid" in the second window is nearest "Ingrid" read alone
    alone = word_vectors(words[:10], (3, 6))
    second_window_ingrid = next(i for i in range(WORD_WINDOW, len(words)) if words[i] == "Ingrid")
    unit = alone / np.linalg.norm(alone, axis=1, keepdims=True)
    assert int(np.argmax(unit @ vectors[second_window_ingrid])) == 3


# Written for these tests before the model ran on them; no sentence comes from benchmarks/data.
@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Lovely cross from Vandenbroucke and Ilunga heads it just over.", {"Vandenbroucke", "Ilunga"}),
        ("I'll forward the signed contract to Brennan before lunch.", {"Brennan"}),
        ("Your driver today is Rafiqul Islam, he'll ring when he's outside.", {"Rafiqul Islam"}),
        ("Thanks so much, Oyelaran, that's really helpful.", {"Oyelaran"}),
        ("Click Save, then open Settings and choose Privacy.", set()),
        ("My first language is Swahili, but I grew up in Nairobi.", set()),
        ("We switched from Verizon to a smaller carrier last spring.", set()),
    ],
)
def test_the_shipped_model_reads_names_from_their_context(text: str, names: set[str]) -> None:
    people = {text[f.start : f.end] for f in get_analyzer().find(text) if f.policy == "person_name"}
    assert people == names
