"""Trains content safety's per-label heads (issue 21), one command:

    .venv/bin/python benchmarks/train_content_safety.py

A logistic regression per label in ``HEAD_LABELS`` over a segment's features
(``stenograph.understanding.safety.segment_features``: its embedding and its sentences' best
prototype confidences), fitted on the ``dev``, ``test`` and ``test2`` passages of
benchmarks/data/content_safety_passages.tsv (284 passages, each about one segment long: 254 by two
writers, and 30 civic, political and religious ones, safe or hateful, by a fourth). Before the fit it
prints 5-fold cross-validated precision and recall, the figures the regularisation ``C`` was chosen
by. The ``test3`` passages (a third writer) and ``test4`` (the fourth writer's other half) are never
read here: they are the held-out sets that benchmarks/understanding.py reports.
Writes stenograph/understanding/data/content_safety_heads.npz.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from understanding import SAFETY_PASSAGES, _rows, _sentences  # noqa: E402

from stenograph.understanding import safety  # noqa: E402

HEAD_LABELS = ("crime_violence", "drugs", "hate_speech", "weapons")
TRAINING_SPLITS = ("dev", "test", "test2")
C = 1.0
OUTPUT = REPO_ROOT / "stenograph" / "understanding" / "data" / safety.HEADS_FILE


def features(text: str) -> np.ndarray:
    sentences = _sentences(text)
    _, rows = safety.sentence_confidences(sentences)
    return safety.segment_features(" ".join(sentences), rows)


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rows = [row for row in _rows(SAFETY_PASSAGES) if row["split"] in TRAINING_SPLITS]
    x = np.stack([features(row["text"]) for row in rows])
    coef, intercept = [], []
    for label in HEAD_LABELS:
        y = np.array([label in row["labels"].split(",") for row in rows])
        model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        predicted = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1] >= 0.5
        hits = int((predicted & y).sum())
        print(
            f"{label:16} {int(y.sum()):3} of {len(y)} passages; 5-fold cross-validated "
            f"precision {hits / max(1, predicted.sum()):.3f}, recall {hits / y.sum():.3f}"
        )
        model.fit(x, y)
        coef.append(model.coef_[0])
        intercept.append(model.intercept_[0])
    np.savez_compressed(
        OUTPUT,
        labels=np.array(HEAD_LABELS),
        prototype_labels=np.array(tuple(safety.PROTOTYPES)),
        coef=np.array(coef, dtype=np.float32),
        intercept=np.array(intercept, dtype=np.float32),
    )
    print(f"wrote {OUTPUT.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
