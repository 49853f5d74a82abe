"""Speech understanding quality (issue 21), one command:

    .venv/bin/python benchmarks/understanding.py [--json PATH]

Sentiment: accuracy of ``stenograph.understanding.sentiment`` against
benchmarks/data/sentiment_sentences.tsv (159 conversational sentences labelled by hand before the
model ran; the first 60 are ``dev``, looked at while choosing settings, the rest ``test``), with
the confusion matrix of the test part and, as a baseline measured in the same run, the majority
class.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from stenograph.understanding import sentiment  # noqa: E402

SENTENCES = Path(__file__).parent / "data" / "sentiment_sentences.tsv"
DEV_ROWS = 60
LABELS = ("POSITIVE", "NEUTRAL", "NEGATIVE")


def labelled() -> list[tuple[str, str]]:
    lines = [line for line in SENTENCES.read_text().splitlines() if line and not line.startswith("#")]
    return [(row["label"], row["text"]) for row in csv.DictReader(lines, delimiter="\t")]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = labelled()
    predicted = [label for label, _ in sentiment.classify([text for _, text in rows])]
    report = {}
    for part, rows_part, guesses in (
        ("dev", rows[:DEV_ROWS], predicted[:DEV_ROWS]),
        ("test", rows[DEV_ROWS:], predicted[DEV_ROWS:]),
    ):
        truth = [label for label, _ in rows_part]
        accuracy = sum(t == g for t, g in zip(truth, guesses, strict=True)) / len(truth)
        majority = Counter(truth).most_common(1)[0][1] / len(truth)
        report[part] = {"sentences": len(truth), "accuracy": accuracy, "majority_baseline": majority}
        print(
            f"sentiment {part}: {len(truth)} sentences, accuracy {accuracy:.3f} "
            f"(majority-class baseline {majority:.3f}; target >= 0.75)"
        )
        if part == "test":
            confusion = Counter(zip(truth, guesses, strict=True))
            print(f"  {'truth / predicted':18}" + "".join(f"{label:>10}" for label in LABELS))
            for label in LABELS:
                print(f"  {label:18}" + "".join(f"{confusion[(label, g)]:>10}" for g in LABELS))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
