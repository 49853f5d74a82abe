"""Speech understanding quality (issue 21), one command:

    .venv/bin/python benchmarks/understanding.py [--json PATH]

Sentiment: accuracy of ``stenograph.understanding.sentiment`` against
benchmarks/data/sentiment_sentences.tsv (159 conversational sentences labelled by hand before the
model ran; the first 60 are ``dev``, looked at while choosing settings, the rest ``test``), with
the confusion matrix of the test part and, as a baseline measured in the same run, the majority
class.

Highlights: the key phrases of longform/dev_concat.flac as tiny.en transcribes it (the top 5 printed
for a reader to judge), and how many of the top 15 match a phrase of a hand-made list written from
its reference before any key-phrase model ran (benchmarks/data/longform_key_phrases.txt; a match
shares every word, inflection aside, with a listed phrase or holds one).

Speed: tiny.en on the same file with and without the built features, the fastest of 2 runs each.
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
from stenograph.understanding.highlights import stem  # noqa: E402

SENTENCES = Path(__file__).parent / "data" / "sentiment_sentences.tsv"
KEY_PHRASES = Path(__file__).parent / "data" / "longform_key_phrases.txt"
LONGFORM = REPO_ROOT.parent / "shared" / "audio" / "longform" / "dev_concat.flac"
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
    report["highlights"] = highlights_and_speed()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def _matches(found: str, listed: list[set[str]]) -> bool:
    words = {stem(w) for w in found.split()}
    return any(words <= phrase or phrase <= words for phrase in listed)


def highlights_and_speed() -> dict[str, object]:
    import time

    from stenograph.pipeline import transcribe
    from stenograph.pipeline.types import TranscribeOptions

    plain = TranscribeOptions(model="tiny.en")
    understood = TranscribeOptions(model="tiny.en", sentiment_analysis=True, auto_highlights=True)
    timings: dict[str, list[float]] = {"plain": [], "understood": []}
    result = None
    for _ in range(2):
        for name, options in (("plain", plain), ("understood", understood)):
            started = time.perf_counter()
            outcome = transcribe(LONGFORM, options)
            timings[name].append(time.perf_counter() - started)
            if name == "understood":
                result = outcome
    assert result is not None and result.highlights is not None
    listed = [
        {stem(w) for w in line.split()}
        for line in KEY_PHRASES.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    top = result.highlights[:15]
    matched = sum(_matches(h.text, listed) for h in top)
    print("\nhighlights of longform/dev_concat.flac (tiny.en), top 5:")
    for h in top[:5]:
        print(f"  {h.rank:.3f}  {h.text}  (x{len(h.timestamps)})")
    print(f"  {matched}/{len(top)} of the top {len(top)} match the hand-made list")
    plain_s, understood_s = min(timings["plain"]), min(timings["understood"])
    print(
        f"speed: plain {plain_s:.1f} s, with sentiment and highlights {understood_s:.1f} s, "
        f"ratio {understood_s / plain_s:.3f} (target <= 1.25 for all five features)"
    )
    return {
        "top": [h.text for h in top],
        "matched_of_top15": matched,
        "plain_s": plain_s,
        "understood_s": understood_s,
    }


if __name__ == "__main__":
    main()
