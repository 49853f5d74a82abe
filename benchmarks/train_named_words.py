"""Trains guardrails' model of names in context (issue 20), one command:

    .venv/bin/python benchmarks/train_named_words.py

A multinomial logistic regression over each word's features (``stenograph.pipeline.guardrails.
named_words.word_features``: what the rules found it as, its shape and name lists, and
all-MiniLM-L6-v2's hidden states at LAYERS), each word labelled person name, organisation, place or
none. Fitted on the hand-written sentences of the splits in
TRAINING_SPLITS (benchmarks/data/pii_names_orgs*.tsv: ``dev``, ``dev3``, ``train4``) and the ``dev``
half of the generated sentences (benchmarks/pii_samples.py). Before the fit it prints 5-fold
cross-validated precision and recall of person names at each threshold of P(person) (below it, a word
takes the likelier of the other classes); the threshold kept is the one with the best F2 there (recall
counts twice: a missed name is a leak), and the three classes' figures at it. The ``test``,
``test2`` and ``test3`` sentences are never read here: they are the held-out sets benchmarks/pii.py reports.
Writes stenograph/pipeline/guardrails/data/named_words.npz.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from pii import HANDWRITTEN, handwritten_samples  # noqa: E402
from pii_samples import Sample, samples  # noqa: E402

from stenograph.pipeline.guardrails import named_words  # noqa: E402
from stenograph.pipeline.guardrails.analyzer import get_analyzer  # noqa: E402

TRAINING_SPLITS = ("dev", "dev3", "train4")
LAYERS = (3, 6)
C = 0.1
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
FOLDS = 5
# Of the generated dev sentences with no person, organisation or place, one in NEGATIVE_SHARE is
# kept: they are many and alike.
NEGATIVE_SHARE = 4


def training_samples() -> list[Sample]:
    hand_written = [
        s for path in HANDWRITTEN for s in handwritten_samples(path) if s.split in TRAINING_SPLITS
    ]
    generated = [s for s in samples() if s.split == "dev" and s.form == "written"]
    kept = [
        s
        for index, s in enumerate(generated)
        if any(policy in named_words.CLASSES for _, _, policy in s.spans) or index % NEGATIVE_SHARE == 0
    ]
    return hand_written + kept


def labelled(sample: Sample) -> tuple[np.ndarray, np.ndarray]:
    """The sentence's word features, and each word's class (an index into ``named_words.CLASSES``)."""
    findings = get_analyzer().find_by_rules(sample.text)
    rows = named_words.word_features(sample.text, findings, LAYERS)
    labels = [
        next((policy for s, e, policy in sample.spans if s < end and e > start), None)
        for start, end in named_words.word_spans(sample.text)
    ]
    classes = named_words.CLASSES
    return rows, np.array([classes.index(label) if label in classes else 0 for label in labels])


def fit(rows: np.ndarray, labels: np.ndarray) -> named_words.NamedWordModel:
    """The model fitted on ``rows``; its person threshold is set apart (``cross_validated_threshold``)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=5000).fit((rows - mean) / scale, labels)
    return named_words.NamedWordModel(
        LAYERS, mean, scale, model.coef_, model.intercept_, person_threshold=0.5
    )


def cross_validated_threshold(data: list[tuple[np.ndarray, np.ndarray]]) -> float:
    fold_of = np.random.default_rng(0).integers(0, FOLDS, len(data))
    fitted = {}
    for fold in range(FOLDS):
        train = [d for d, f in zip(data, fold_of, strict=True) if f != fold]
        fitted[fold] = fit(np.vstack([r for r, _ in train]), np.concatenate([y for _, y in train]))
    labels = np.concatenate([y for _, y in data])
    best, best_f2 = THRESHOLDS[0], -1.0
    for threshold in THRESHOLDS:
        guesses = np.concatenate(
            [
                [
                    named_words.CLASSES.index(c)
                    for c in replace(fitted[int(f)], person_threshold=threshold).classes(rows)
                ]
                for (rows, _), f in zip(data, fold_of, strict=True)
            ]
        )
        figures = []
        for index, kind in enumerate(named_words.CLASSES[1:], start=1):
            tp = int(((guesses == index) & (labels == index)).sum())
            precision = tp / max(int((guesses == index).sum()), 1)
            recall = tp / max(int((labels == index).sum()), 1)
            figures.append(f"{kind} {precision:.3f}/{recall:.3f}")
            if kind == "person_name":
                f2 = 5 * precision * recall / max(4 * precision + recall, 1e-9)
        print(f"threshold {threshold:.1f}: cross-validated P/R {', '.join(figures)}; person F2 {f2:.3f}")
        if f2 > best_f2:
            best, best_f2 = threshold, f2
    return best


def main() -> None:
    chosen = training_samples()
    print(f"{len(chosen)} training sentences ({', '.join(TRAINING_SPLITS)}, generated dev)")
    data = [labelled(sample) for sample in chosen]
    threshold = cross_validated_threshold(data)
    model = fit(np.vstack([r for r, _ in data]), np.concatenate([y for _, y in data]))
    np.savez_compressed(
        named_words.WEIGHTS_FILE,
        layers=np.array(LAYERS),
        mean=model.mean.astype(np.float32),
        scale=model.scale.astype(np.float32),
        coef=model.coef.astype(np.float32),
        intercept=model.intercept.astype(np.float32),
        person_threshold=np.float32(threshold),
    )
    print(f"person threshold {threshold}; wrote {named_words.WEIGHTS_FILE.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
