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

Topics: top-3 accuracy of ``stenograph.understanding.topics`` on benchmarks/data/topic_passages.tsv
(transcript-like passages, each with the IAB top tier it is about, written and labelled by someone
who had not seen the model; half ``dev``, half ``test``): a passage counts when one of its 3 most
relevant labels lies under its tier. Baseline in the same run: the 3 most frequent dev tiers.

Content safety: precision and recall per label of ``stenograph.understanding.safety`` at the default
threshold (50) on benchmarks/data/content_safety_passages.tsv (passages labelled ``safe`` or with
their labels, written the same way; ``hard`` negatives that borrow unsafe words included), dev and
test reported apart, and ``test2`` (125 more passages by a second writer, added after the
settings were fixed), ``test3`` (158 by a third) and ``test4`` (30 civic, political and religious
passages, safe or hateful, by a fourth; the other 30 are in ``dev``). The trained heads
(train_content_safety.py) learn from dev, test and test2: ``test3`` and ``test4`` are held out.

Speed: tiny.en on the long-form file with and without all five features (sentiment, highlights,
topics, content safety, custom formatting), the fastest of 2 runs each (the first loads the models).
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

from stenograph.understanding import safety, sentiment, topics  # noqa: E402
from stenograph.understanding.highlights import stem  # noqa: E402

SENTENCES = Path(__file__).parent / "data" / "sentiment_sentences.tsv"
KEY_PHRASES = Path(__file__).parent / "data" / "longform_key_phrases.txt"
TOPIC_PASSAGES = Path(__file__).parent / "data" / "topic_passages.tsv"
SAFETY_PASSAGES = Path(__file__).parent / "data" / "content_safety_passages.tsv"
SAFETY_TARGETS = ("profanity", "crime_violence", "drugs", "hate_speech")
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
    parser.add_argument("--skip-speed", action="store_true", help="leave out the long-form transcriptions")
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
    report["topics"] = topic_accuracy()
    report["content_safety"] = safety_scores()
    if not args.skip_speed:
        report["highlights"] = highlights_and_speed()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def _rows(path: Path) -> list[dict[str, str]]:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def _tier_key(name: str) -> str:
    return "".join(c for c in name.lower().replace("&", "and") if c.isalnum())


def topic_accuracy() -> dict[str, object]:
    rows = _rows(TOPIC_PASSAGES)
    cats = topics.categories()
    relevances = topics.score_texts([row["text"] for row in rows])
    dev_tiers = Counter(_tier_key(r["topic"]) for r in rows if r["split"] == "dev")
    frequent = [tier for tier, _ in dev_tiers.most_common(3)]
    report: dict[str, object] = {}
    for part in ("dev", "test"):
        hits = baseline = count = 0
        top_scores, off_topic = [], []
        for row, scores in zip(rows, relevances, strict=True):
            if row["split"] != part:
                continue
            wanted = _tier_key(row["topic"])
            order = scores.argsort()[::-1]
            top3 = {_tier_key(cats[i].tier1) for i in order[:3]}
            # "Music" names the tier "Music and Audio": a given name may be the start of the tier's.
            hits += any(tier.startswith(wanted) for tier in top3)
            baseline += wanted in frequent
            count += 1
            top_scores.append(float(scores[order[0]]))
            off_topic.append(
                max(
                    float(scores[i])
                    for i in range(len(cats))
                    if not _tier_key(cats[i].tier1).startswith(wanted)
                )
            )
        report[part] = {
            "passages": count,
            "top3_accuracy": hits / count,
            "baseline_top3_frequent": baseline / count,
            "mean_top_relevance": sum(top_scores) / count,
            "mean_best_other_tier_relevance": sum(off_topic) / count,
        }
        print(
            f"topics {part}: {count} passages, top-3 accuracy {hits / count:.3f} (target >= 0.7; "
            f"3 most frequent dev tiers {baseline / count:.3f}); mean relevance of the top label "
            f"{sum(top_scores) / count:.3f}, of the best label of another tier {sum(off_topic) / count:.3f}"
        )
    return report


def _sentences(text: str) -> list[str]:
    import re

    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def safety_scores() -> dict[str, object]:
    from stenograph.pipeline import textform

    rows = _rows(SAFETY_PASSAGES)
    found = []
    for row in rows:
        result = safety.detect(_sentences(row["text"]), textform.is_profane)
        found.append({label.label for segment in result.segments for label in segment.labels})
    report: dict[str, object] = {}
    for part in ("dev", "test", "test2", "test3", "test4"):
        chosen = [(row, f) for row, f in zip(rows, found, strict=True) if row["split"] == part]
        labels = sorted({x for row, _ in chosen for x in row["labels"].split(",")} - {"safe"})
        scores = {}
        print(f"content safety {part}: {len(chosen)} passages")
        for label in labels:
            truth = [label in row["labels"].split(",") for row, _ in chosen]
            guess = [label in f for _, f in chosen]
            tp = sum(t and g for t, g in zip(truth, guess, strict=True))
            precision = tp / max(1, sum(guess))
            recall = tp / max(1, sum(truth))
            scores[label] = {
                "positives": sum(truth),
                "flagged": sum(guess),
                "precision": precision,
                "recall": recall,
            }
            mark = " (target: recall >= 0.8 at precision >= 0.7)" if label in SAFETY_TARGETS else ""
            print(
                f"  {label:24} {sum(truth):3} labelled, {sum(guess):3} flagged: precision {precision:.3f}, "
                f"recall {recall:.3f}{mark}"
            )
        safe_flagged = sum(1 for row, f in chosen if row["labels"] == "safe" and f)
        safe_total = sum(1 for row, _ in chosen if row["labels"] == "safe")
        print(f"  safe passages with any label: {safe_flagged}/{safe_total}")
        report[part] = {"labels": scores, "safe_flagged": safe_flagged, "safe_total": safe_total}
    return report


def _matches(found: str, listed: list[set[str]]) -> bool:
    words = {stem(w) for w in found.split()}
    return any(words <= phrase or phrase <= words for phrase in listed)


def highlights_and_speed() -> dict[str, object]:
    import time

    from stenograph.pipeline import transcribe
    from stenograph.pipeline.types import TranscribeOptions

    plain = TranscribeOptions(model="tiny.en")
    understood = TranscribeOptions(
        model="tiny.en",
        sentiment_analysis=True,
        auto_highlights=True,
        iab_categories=True,
        content_safety=True,
        custom_formatting=(
            ("date", "mm/dd/yyyy"),
            ("phone_number", "(xxx)xxx-xxxx"),
            ("email", "username@domain.com"),
        ),
    )
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
        f"speed: plain {plain_s:.1f} s, with all five features {understood_s:.1f} s, "
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
