"""PII detection quality and cost: precision and recall per policy at the word level, on generated
transcript-like sentences (benchmarks/pii_samples.py, each value written as Whisper writes it and,
where it differs, spoken), on hand-written sentences with person names, organisations and places
by five writers who ran no model (benchmarks/data/pii_names_orgs*.tsv: ``dev``, ``dev3`` and
``train4`` tuned and trained on, benchmarks/train_named_words.py; ``test``, ``test2`` and ``test3``
only reported), and on real speech from ../shared/audio
(benchmarks/data/pii_real_speech.tsv); and what redaction adds to a transcription.

    .venv/bin/python benchmarks/pii.py [--no-speech] [--no-speed] [--json PATH]

A word counts for a policy when the word is labelled with it (recall) or found as it (precision):
a phone number found as ``number_sequence`` is a miss for ``phone_number``, as it would stay
unredacted when only ``phone_number`` is asked for. The ``dev`` half of each policy's templates was
looked at while improving the recognisers; the ``test`` half only reported.

Audio: each real-speech clip is transcribed with ``redact_pii`` (every supported policy), its
redacted audio written as the server writes it (mp3, beep, spans widened by PAD_MS), and that
audio transcribed again with the same model: a
redacted word that comes back is counted.

Speed: tiny.en on longform/dev_concat.flac (7.2 min) without and with ``redact_pii`` (every
supported policy) and ``entity_detection``, in the same process after one warm-up run each; the
analyzer's one-time load is reported apart.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(Path(__file__).parent))

from pii_samples import Sample, samples  # noqa: E402

from stenograph.pipeline.guardrails import SUPPORTED_POLICIES  # noqa: E402
from stenograph.pipeline.guardrails.analyzer import get_analyzer  # noqa: E402
from stenograph.pipeline.guardrails.redaction import detected_in_words  # noqa: E402
from stenograph.pipeline.guardrails.textview import normalized_view  # noqa: E402
from stenograph.pipeline.types import Word  # noqa: E402

AUDIO_DIR = REPO_ROOT.parent / "shared" / "audio"
REAL_SPEECH = Path(__file__).parent / "data" / "pii_real_speech.tsv"
# Hand-written, hand-labelled sentences by five writers: the first with a ``dev`` and a ``test``
# half, the second all ``test2`` (held out), the third all ``dev3`` (for development), the fourth all
# ``train4`` (for training), the fifth all ``test3`` (held out).
HANDWRITTEN = (
    Path(__file__).parent / "data" / "pii_names_orgs.tsv",
    Path(__file__).parent / "data" / "pii_names_orgs_2.tsv",
    Path(__file__).parent / "data" / "pii_names_orgs_3.tsv",
    Path(__file__).parent / "data" / "pii_names_orgs_4.tsv",
    Path(__file__).parent / "data" / "pii_names_orgs_5.tsv",
)
HANDWRITTEN_POLICIES = ("person_name", "organization", "location")
RECALL_TARGETS = {
    "credit_card_number": 0.95,
    "phone_number": 0.95,
    "email_address": 0.95,
    "us_social_security_number": 0.95,
    "person_name": 0.95,
}


def predicted_policies(words: list[Word]) -> list[str | None]:
    view = normalized_view(words)
    out: list[str | None] = [None] * len(words)
    for entity in detected_in_words(get_analyzer().find(view.text), view):
        for index in range(entity.first, entity.last + 1):
            out[index] = entity.policy
    return out


def labelled_words(sample: Sample) -> tuple[list[Word], list[str | None]]:
    words, labels, offset = [], [], 0
    for index, token in enumerate(sample.text.split()):
        start = sample.text.index(token, offset)
        end = offset = start + len(token)
        words.append(Word(token, index * 400, index * 400 + 350, 0.9))
        labels.append(next((p for s, e, p in sample.spans if start < e and end > s), None))
    return words, labels


class Counts:
    def __init__(self) -> None:
        self.tp: dict[str, int] = defaultdict(int)
        self.fp: dict[str, int] = defaultdict(int)
        self.fn: dict[str, int] = defaultdict(int)

    def add(self, labels: list[str | None], predicted: list[str | None]) -> None:
        for label, guess in zip(labels, predicted, strict=True):
            if label is not None and guess == label:
                self.tp[label] += 1
                continue
            if label is not None:
                self.fn[label] += 1
            if guess is not None:
                self.fp[guess] += 1

    def precision(self, policy: str) -> float | None:
        found = self.tp[policy] + self.fp[policy]
        return self.tp[policy] / found if found else None

    def recall(self, policy: str) -> float | None:
        labelled = self.tp[policy] + self.fn[policy]
        return self.tp[policy] / labelled if labelled else None


def word_level_counts(all_samples: list[Sample]) -> dict[tuple[str, str], Counts]:
    counts: dict[tuple[str, str], Counts] = defaultdict(Counts)
    for sample in all_samples:
        words, labels = labelled_words(sample)
        counts[(sample.split, sample.form)].add(labels, predicted_policies(words))
    return counts


def handwritten_samples(path: Path) -> list[Sample]:
    """The hand-written, hand-labelled sentences of a benchmarks/data/pii_names_orgs*.tsv: every
    occurrence of a listed name, organisation or place is labelled."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            spans = [
                (match.start(), match.end(), policy)
                for policy in HANDWRITTEN_POLICIES
                for value in filter(None, (v.strip() for v in row[policy].split(" | ")))
                for match in re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", row["text"])
            ]
            out.append(Sample(row["text"], tuple(spans), row["split"], "written"))
    return out


def real_speech_quality() -> list[dict[str, Any]]:
    from stenograph.pipeline import transcribe
    from stenograph.pipeline.types import TranscribeOptions

    rows = [r for r in csv.DictReader(_uncommented(REAL_SPEECH), delimiter="\t")]
    out = []
    transcripts: dict[str, list[Word]] = {}
    for row in rows:
        if row["clip"] not in transcripts:
            result = transcribe(AUDIO_DIR / row["clip"], TranscribeOptions(model="tiny.en"))
            transcripts[row["clip"]] = result.words
        words = transcripts[row["clip"]]
        predicted = predicted_policies(words)
        cores = [w.text.strip(" ,.?!;:\"'").lower() for w in words]
        target = row["value"].lower().split()
        hits = [i for i in range(len(cores)) if cores[i : i + len(target)] == target]
        found = [all(predicted[i + k] == row["policy"] for k in range(len(target))) for i in hits]
        out.append({**row, "transcribed": len(hits), "found": sum(found)})
    return out


def redacted_audio_leaks() -> tuple[int, int, list[str]]:
    """(redacted words, redacted words heard again in the redacted audio, those words)."""
    import tempfile

    from stenograph.pipeline import transcribe
    from stenograph.pipeline.redacted_audio import widened, write_redacted_audio
    from stenograph.pipeline.types import TranscribeOptions

    clips = sorted({r["clip"] for r in csv.DictReader(_uncommented(REAL_SPEECH), delimiter="\t")})
    options = TranscribeOptions(
        model="tiny.en", redact_pii=True, redact_policies=SUPPORTED_POLICIES, return_unredacted=True
    )
    hidden_total, leaked = 0, []
    with tempfile.TemporaryDirectory() as scratch:
        for n, clip in enumerate(clips):
            result = transcribe(AUDIO_DIR / clip, options)
            assert result.unredacted is not None and result.redactions is not None
            hidden = {
                _core(old.text)
                for old, new in zip(result.unredacted.words, result.words, strict=True)
                if old.text != new.text and len(_core(old.text)) > 2
            }
            if not hidden:
                continue
            written = write_redacted_audio(
                AUDIO_DIR / clip, widened(result.redactions), Path(scratch) / str(n)
            )
            heard = {
                _core(w.text) for w in transcribe(written.path, TranscribeOptions(model="tiny.en")).words
            }
            hidden_total += len(hidden)
            leaked += sorted(hidden & heard)
    return hidden_total, len(leaked), leaked


def _core(text: str) -> str:
    return text.strip(" ,.?!;:\"'").lower()


def _uncommented(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line and not line.startswith("#")]


def speed(rounds: int = 3) -> dict[str, float]:
    """Whole transcriptions, plain and guarded, interleaved (the fastest of each, as other work on
    the machine only slows a run down); and the guardrails step alone on the plain words."""
    from stenograph.pipeline import guardrails, transcribe
    from stenograph.pipeline.types import TranscribeOptions

    path = AUDIO_DIR / "longform" / "dev_concat.flac"
    plain = TranscribeOptions(model="tiny.en")
    guarded = TranscribeOptions(
        model="tiny.en", redact_pii=True, redact_policies=SUPPORTED_POLICIES, entity_detection=True
    )
    timings: dict[str, list[float]] = defaultdict(list)
    words: list[Word] = []
    for _ in range(rounds):
        for name, options in (("plain", plain), ("guarded", guarded)):
            started = time.perf_counter()
            result = transcribe(path, options)
            timings[name].append(time.perf_counter() - started)
            if name == "plain":
                words = result.words
    request = guardrails.RedactionRequest(frozenset(SUPPORTED_POLICIES))
    steps = []
    for _ in range(rounds):
        started = time.perf_counter()
        guardrails.guard(words, request, True)
        steps.append(time.perf_counter() - started)
    plain_s, guarded_s, step_s = min(timings["plain"]), min(timings["guarded"]), min(steps)
    return {
        "words": len(words),
        "plain_s": plain_s,
        "guarded_s": guarded_s,
        "ratio": guarded_s / plain_s,
        "guard_step_s": step_s,
        "step_ratio": (plain_s + step_s) / plain_s,
    }


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:4.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-speech", action="store_true", help="skip the real-speech clips")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    started = time.perf_counter()
    get_analyzer()
    load_s = time.perf_counter() - started
    print(f"analyzer (presidio + spaCy en_core_web_sm) loaded in {load_s:.1f} s, once per process")
    all_samples = samples()
    counts = word_level_counts(all_samples)
    report: dict[str, Any] = {"samples": len(all_samples), "policies": {}}
    print(f"{len(all_samples)} generated sentences; precision / recall per policy at the word level")
    print(f"{'policy':28} {'dev P':>6} {'dev R':>6} {'test P':>6} {'test R':>6} {'spoken R':>8}")
    spoken = Counts()
    for split in ("dev", "test"):
        for key in ("tp", "fp", "fn"):
            for policy, n in getattr(counts[(split, "spoken")], key).items():
                getattr(spoken, key)[policy] += n
    for policy in SUPPORTED_POLICIES:
        dev, test = counts[("dev", "written")], counts[("test", "written")]
        row = {
            "dev_precision": dev.precision(policy),
            "dev_recall": dev.recall(policy),
            "test_precision": test.precision(policy),
            "test_recall": test.recall(policy),
            "spoken_recall": spoken.recall(policy),
        }
        report["policies"][policy] = row
        print(
            f"{policy:28} {_fmt(row['dev_precision']):>6} {_fmt(row['dev_recall']):>6} "
            f"{_fmt(row['test_precision']):>6} {_fmt(row['test_recall']):>6} {_fmt(row['spoken_recall']):>8}"
        )
    test_recalls = [r["test_recall"] for r in report["policies"].values() if r["test_recall"] is not None]
    test_precisions = [
        r["test_precision"] for r in report["policies"].values() if r["test_precision"] is not None
    ]
    report["test_macro_recall"] = sum(test_recalls) / len(test_recalls)
    report["test_macro_precision"] = sum(test_precisions) / len(test_precisions)
    print(
        f"\ntest macro recall {report['test_macro_recall']:.3f} (target >= 0.85), "
        f"macro precision {report['test_macro_precision']:.3f}"
    )
    for policy, target in RECALL_TARGETS.items():
        got = report["policies"][policy]["test_recall"]
        print(f"  {policy}: test recall {_fmt(got)} (target >= {target})")
    low = [
        p
        for p, r in report["policies"].items()
        if r["test_precision"] is not None and r["test_precision"] < 0.85
    ]
    print(f"  policies under 0.85 test precision: {', '.join(low) or 'none'}")

    report["handwritten"] = {}
    for path in HANDWRITTEN:
        handwritten_set = handwritten_samples(path)
        splits = list(dict.fromkeys(sample.split for sample in handwritten_set))
        counts_by_split = word_level_counts(handwritten_set)
        print(f"\nhand-written sentences ({path.name}, {len(handwritten_set)}), word level")
        print(f"{'policy':28} " + " ".join(f"{split + ' ' + m:>8}" for split in splits for m in "PR"))
        for policy in HANDWRITTEN_POLICIES:
            row = {}
            for split in splits:
                split_counts = counts_by_split[(split, "written")]
                row[f"{split}_precision"] = split_counts.precision(policy)
                row[f"{split}_recall"] = split_counts.recall(policy)
            report["handwritten"].setdefault(path.name, {})[policy] = row
            print(f"{policy:28} " + " ".join(f"{_fmt(value):>8}" for value in row.values()))

    if not args.no_speech:
        rows = real_speech_quality()
        report["real_speech"] = rows
        transcribed = [r for r in rows if r["transcribed"]]
        found = sum(1 for r in transcribed if r["found"] == r["transcribed"])
        print(
            f"\nreal speech (tiny.en): {len(transcribed)}/{len(rows)} labelled values transcribed as "
            "written; "
            f"{found}/{len(transcribed)} of those found under their policy"
        )
        for r in rows:
            mark = "-" if not r["transcribed"] else ("ok" if r["found"] == r["transcribed"] else "MISSED")
            print(f"  {mark:6} {r['policy']:14} {r['value']:18} {r['clip']}")
        hidden, leaked, words = redacted_audio_leaks()
        report["redacted_audio"] = {"redacted_words": hidden, "heard_again": leaked, "words": words}
        print(
            f"redacted audio, transcribed again (tiny.en): {leaked} of {hidden} distinct redacted words "
            f"heard again{': ' + ', '.join(words) if words else ''}"
        )

    if not args.no_speed:
        figures = speed()
        report["speed"] = figures
        print(
            f"\nspeed, tiny.en on dev_concat.flac (7.2 min, {figures['words']:.0f} words), fastest of 3: "
            "plain "
            f"{figures['plain_s']:.1f} s, with redaction (every policy) and entity detection "
            f"{figures['guarded_s']:.1f} s, ratio {figures['ratio']:.3f}; the guardrails step alone "
            f"{figures['guard_step_s']:.2f} s, ratio {figures['step_ratio']:.3f} (target <= 1.15)"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
