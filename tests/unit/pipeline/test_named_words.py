"""People, organisations and places read in context (pipeline/guardrails/named_words): how the
model's word classes become findings (a stand-in model, no weights), and the shipped model on
sentences written for these tests, none of them from the benchmark's sets."""

from __future__ import annotations

import numpy as np
import pytest

from stenograph.pipeline.guardrails import named_words
from stenograph.pipeline.guardrails.analyzer import get_analyzer
from stenograph.pipeline.guardrails.findings import Finding
from stenograph.understanding.embeddings import WORD_CONTEXT, WORD_WINDOW, word_vectors


def test_a_words_core_leaves_out_punctuation_and_a_possessive() -> None:
    text = "Okoye's out, (Kofi) asked Dolores? fine"
    assert [text[s:e] for s, e in named_words.word_spans(text)] == [
        "Okoye", "out", "Kofi", "asked", "Dolores", "fine",
    ]  # fmt: skip


@pytest.fixture
def classes_are(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A stand-in model that gives the words named their class, and every other word none."""

    def use(**classes: str) -> None:
        kinds = named_words.CLASSES
        # one feature per class: 1 where the word is of that class; the logits are 10 x the feature
        model = named_words.NamedWordModel(
            layers=(),
            mean=np.zeros(len(kinds)),
            scale=np.ones(len(kinds)),
            coef=10 * np.eye(len(kinds)),
            intercept=np.zeros(len(kinds)),
            person_threshold=0.5,
        )
        monkeypatch.setattr(named_words, "_model", lambda: model)

        def rows(text: str, findings: list[Finding], layers: tuple[int, ...]) -> np.ndarray:
            out = np.zeros((len(named_words.word_spans(text)), len(kinds)))
            for row, (s, e) in enumerate(named_words.word_spans(text)):
                out[row, kinds.index(classes.get(text[s:e]))] = 1.0
            return out

        monkeypatch.setattr(named_words, "word_features", rows)

    return use


def found(text: str, findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.policy, text[f.start : f.end]) for f in named_words.with_names_in_context(text, findings)]


PERSON, ORG, PLACE = "person_name", "organization", "location"


def test_neighbouring_words_of_a_class_are_one_finding_and_punctuation_ends_a_name(classes_are) -> None:  # type: ignore[no-untyped-def]
    classes_are(
        Tamsin=PERSON,
        Anneliese=PERSON,
        Kruger=PERSON,
        Kofi=PERSON,
        Mensah=PERSON,
        St=ORG,
        Brigid=ORG,
        Parish=ORG,
    )
    text = "Tamsin, Anneliese Kruger and Kofi's brother Mensah came to St. Brigid's Parish"
    assert found(text, []) == [
        (PERSON, "Tamsin"),
        (PERSON, "Anneliese Kruger"),
        (PERSON, "Kofi"),
        (PERSON, "Mensah"),
        (ORG, "St. Brigid's Parish"),
    ]


def test_a_full_stop_after_a_word_ends_a_place(classes_are) -> None:  # type: ignore[no-untyped-def]
    classes_are(Paris=PLACE, Lyon=PLACE)
    assert found("We saw Paris. Lyon was next", []) == [(PLACE, "Paris"), (PLACE, "Lyon")]


def test_a_person_replaces_word_list_findings_other_policies_stay(classes_are) -> None:  # type: ignore[no-untyped-def]
    classes_are(Rafiqul=PERSON, Islam=PERSON, Cooper=PERSON, Leeds=PLACE, Green=ORG, Party=ORG, Farsi=PERSON)
    text = "Rafiqul Islam sent it to Cooper in Leeds at bob@example.com for the Green Party in Farsi"
    rules = [
        Finding(8, 13, "religion", 0.85),
        Finding(25, 31, "location", 0.85),
        Finding(44, 59, "email_address", 1.0),
        Finding(68, 79, "political_affiliation", 0.85),
        Finding(83, 88, "language", 0.85),
    ]
    assert found(text, rules) == [
        (PERSON, "Rafiqul Islam"),
        (PERSON, "Cooper"),
        (PLACE, "Leeds"),
        ("email_address", "bob@example.com"),
        ("political_affiliation", "Green Party"),
        ("language", "Farsi"),
    ]


def test_the_rules_names_the_model_does_not_see_are_dropped(classes_are) -> None:  # type: ignore[no-untyped-def]
    classes_are()
    text = "Pat the chicken dry in Hunter green"
    assert found(text, [Finding(0, 3, PERSON, 0.85), Finding(23, 29, ORG, 0.85)]) == []


def test_without_weights_the_rules_findings_stand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(named_words, "_model", lambda: None)
    rules = [Finding(0, 3, "person_name", 0.85)]
    assert named_words.with_names_in_context("Pat the chicken dry", rules) == rules


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
    ("text", "expected"),
    [
        (
            "Lovely cross from Vandenbroucke and Ilunga heads it just over.",
            {(PERSON, "Vandenbroucke"), (PERSON, "Ilunga")},
        ),
        ("I'll forward the signed contract to Brennan before lunch.", {(PERSON, "Brennan")}),
        ("Your driver today is Rafiqul Islam, he'll ring when he's outside.", {(PERSON, "Rafiqul Islam")}),
        ("Thanks so much, Oyelaran, that's really helpful.", {(PERSON, "Oyelaran")}),
        ("Click Save, then open Settings and choose Privacy.", set()),
        ("My first language is Swahili, but I grew up in Nairobi.", {(PLACE, "Nairobi")}),
        ("We switched from Verizon to a smaller carrier last spring.", {(ORG, "Verizon")}),
    ],
)
def test_the_shipped_model_reads_names_from_their_context(text: str, expected: set[tuple[str, str]]) -> None:
    findings = get_analyzer().find(text)
    named = {(f.policy, text[f.start : f.end]) for f in findings if f.policy in (PERSON, ORG, PLACE)}
    assert named == expected
