"""Speaker diarization: DER, speaker counts, word-level speaker accuracy and the time it adds.

    .venv/bin/python benchmarks/diarization.py [--model tiny.en] [--repeats N] [--steps] [--json PATH]

For every ``<id>.wav`` with an ``<id>.rttm`` in ../shared/audio/diarization, through the library path
(``stenograph.pipeline.transcribe``), with no hint of the speaker count:

- DER with a 0.25 s collar (``pyannote.metrics``; overlapped speech scored), per file, the plain
  mean of each group and the pooled DER (all errors over all reference speech) of each group;
- speakers found against the reference;
- word-level speaker accuracy where an ``<id>.stm`` transcript exists: each word's reference speaker
  is the STM turn holding the word's middle; hypothesis speakers are mapped one-to-one onto
  reference speakers to match the most words;
- speed: the same file is transcribed without and with ``speaker_labels`` in one process (model
  loads excluded: everything is warmed first); "added" is the time of the diarization step over the
  time of the transcription without it (best of ``--repeats``).

``--steps`` also prints the DER of each improvement step (engine configurations, applied in order),
diarization only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
AUDIO_DIR = REPO_ROOT.parent / "shared" / "audio"
DIARIZATION_DIR = AUDIO_DIR / "diarization"
WARMUP = AUDIO_DIR / "jfk" / "jfk.wav"
COLLAR = 0.25
TARGETS = {"librispeech": 0.10, "ami+phone": 0.35}
OVERHEAD_TARGET = 0.30
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.audio_refs import read_rttm  # noqa: E402


def group_of(file_id: str) -> str:
    return "librispeech" if file_id.startswith("ls_") else "ami+phone"


def read_stm(path: Path) -> list[tuple[float, float, str]]:
    turns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split(maxsplit=5)
        if len(fields) >= 5:
            turns.append((float(fields[3]), float(fields[4]), fields[2]))
    return turns


def annotation(uri: str, turns: list[tuple[float, float, str]]) -> Any:
    from pyannote.core import Annotation, Segment

    out = Annotation(uri=uri)
    for index, (start, end, speaker) in enumerate(turns):
        if end > start:
            out[Segment(start, end), index] = speaker
    return out


def word_accuracy(words: list[Any], reference: list[tuple[float, float, str]]) -> tuple[float, int]:
    """(share of words whose speaker matches the reference under the best one-to-one mapping, words)."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    pairs = []
    for word in words:
        middle = (word.start + word.end) / 2000
        holding = [s for a, b, s in reference if a <= middle <= b]
        if not holding:  # between STM turns: the nearest one
            holding = [min(reference, key=lambda t: max(t[0] - middle, middle - t[1], 0))[2]]
        pairs.append((word.speaker, holding[0]))
    if not pairs:
        return 0.0, 0
    hyps = sorted({h for h, _ in pairs}, key=str)
    refs = sorted({r for _, r in pairs})
    counts = np.zeros((len(hyps), len(refs)))
    for h, r in pairs:
        counts[hyps.index(h), refs.index(r)] += 1
    rows, cols = linear_sum_assignment(-counts)
    return float(counts[rows, cols].sum() / len(pairs)), len(pairs)


def files() -> list[tuple[str, Path]]:
    return [
        (wav.stem, wav) for wav in sorted(DIARIZATION_DIR.glob("*.wav")) if wav.with_suffix(".rttm").exists()
    ]


def der_of(file_id: str, turns: list[Any], metric: Any) -> dict[str, float]:
    reference = annotation(file_id, read_rttm(DIARIZATION_DIR / f"{file_id}.rttm"))
    hypothesis = annotation(file_id, [(t.start / 1000, t.end / 1000, t.speaker) for t in turns])
    detail = metric(reference, hypothesis, detailed=True)
    return {
        "der": detail["diarization error rate"],
        "missed": detail["missed detection"],
        "false_alarm": detail["false alarm"],
        "confusion": detail["confusion"],
        "total": detail["total"],
        "speakers": len(hypothesis.labels()),
        "speakers_ref": len(reference.labels()),
    }


def group_summary(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    out = {}
    for group in TARGETS:
        members = [r for fid, r in rows.items() if group_of(fid) == group]
        if not members:
            continue
        errors = sum(r["der"] * r["total"] for r in members)
        total = sum(r["total"] for r in members)
        out[group] = {
            "mean_der": statistics.fmean(r["der"] for r in members),
            "pooled_der": errors / total if total else 0.0,
            "counts_right": sum(r["speakers"] == r["speakers_ref"] for r in members),
            "files": len(members),
        }
    return out


def run_main(args: argparse.Namespace) -> dict[str, Any]:
    from pyannote.metrics.diarization import DiarizationErrorRate

    import stenograph.pipeline.diarization as diarization_pkg
    from stenograph.pipeline import transcribe
    from stenograph.pipeline.audio import decode_audio
    from stenograph.pipeline.types import TranscribeOptions

    captured: dict[str, Any] = {}
    real_diarize = diarization_pkg.diarize

    def timed_diarize(*a: Any, **kw: Any) -> Any:
        start = time.perf_counter()
        turns = real_diarize(*a, **kw)
        captured["seconds"] = time.perf_counter() - start
        captured["turns"] = turns
        return turns

    diarization_pkg.diarize = timed_diarize  # transcribe._with_speakers imports it at call time
    plain = TranscribeOptions(model=args.model)
    labelled = replace(plain, speaker_labels=True)
    warm = decode_audio(WARMUP)
    transcribe(warm, plain)
    transcribe(warm, labelled)

    rows: dict[str, dict[str, Any]] = {}
    for file_id, path in files():
        samples = decode_audio(path)
        asr_times, diar_times, labelled_times = [], [], []
        result = None
        for _ in range(args.repeats):
            start = time.perf_counter()
            transcribe(samples, plain)
            asr_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = transcribe(samples, labelled)
            labelled_times.append(time.perf_counter() - start)
            diar_times.append(captured.get("seconds", 0.0))
        turns = captured.get("turns", []) if result and result.words else []
        if result is not None and not result.words:  # no words: the pipeline skips diarization
            start = time.perf_counter()
            turns = real_diarize(samples)
            diar_times = [time.perf_counter() - start]
        row = der_of(file_id, turns, DiarizationErrorRate(collar=COLLAR))
        row.update(
            asr_s=min(asr_times),
            diarization_s=min(diar_times),
            labelled_s=min(labelled_times),
            audio_s=len(samples) / 16000,
            words=len(result.words) if result else 0,
        )
        stm = DIARIZATION_DIR / f"{file_id}.stm"
        if stm.exists() and result is not None:
            row["word_accuracy"], row["scored_words"] = word_accuracy(result.words, read_stm(stm))
        rows[file_id] = row
        print_row(file_id, row)
    summary = group_summary(rows)
    asr_total = sum(r["asr_s"] for r in rows.values())
    diar_total = sum(r["diarization_s"] for r in rows.values())
    speed = {
        "asr_s": asr_total,
        "diarization_s": diar_total,
        "added": diar_total / asr_total if asr_total else 0.0,
        "labelled_over_plain": sum(r["labelled_s"] for r in rows.values()) / asr_total - 1
        if asr_total
        else 0,
    }
    print_summary(summary, speed)
    return {"model": args.model, "files": rows, "groups": summary, "speed": speed}


def print_row(file_id: str, row: dict[str, Any]) -> None:
    accuracy = f"{row['word_accuracy'] * 100:6.1f}%" if "word_accuracy" in row else "     -"
    print(
        f"{file_id:16s} DER {row['der'] * 100:6.1f}%  (miss {row['missed']:5.2f}s"
        f"  fa {row['false_alarm']:5.2f}s  conf {row['confusion']:5.2f}s / {row['total']:6.2f}s)"
        f"  speakers {row['speakers']}/{row['speakers_ref']}"
        f"  words {accuracy}  asr {row['asr_s']:5.2f}s  diarization +{row['diarization_s']:5.2f}s"
        f" ({row['diarization_s'] / max(row['asr_s'], 1e-9) * 100:4.0f}%)",
        flush=True,
    )


def print_summary(summary: dict[str, dict[str, float]], speed: dict[str, float]) -> None:
    for group, values in summary.items():
        target = TARGETS[group]
        print(
            f"{group:16s} mean DER {values['mean_der'] * 100:5.1f}%"
            f"  pooled DER {values['pooled_der'] * 100:5.1f}%  (target <= {target * 100:.0f}%)"
            f"  speaker count right in {values['counts_right']}/{values['files']}"
        )
    print(
        f"speed: transcription {speed['asr_s']:.2f}s, diarization adds {speed['diarization_s']:.2f}s = "
        f"{speed['added'] * 100:.0f}% (target <= {OVERHEAD_TARGET * 100:.0f}%; whole labelled run "
        f"{speed['labelled_over_plain'] * 100:+.0f}% over the plain one)"
    )


# --------------------------------------------------------------------------- improvement steps


def steps() -> list[tuple[str, dict[str, Any]]]:
    """Engine configurations, each adding one improvement to the one before (see engine.py)."""
    baseline = {
        "vad_onset": 0.5,
        "vad_offset": 0.35,
        "min_silence_s": 0.25,
        "extend_margin_db": 0.0,
        "vocal_margin_db": 0.0,
        "hop_s": 0.75,
        "target_windows": 1,
        "center": False,
        "method": "ahc",
        "ahc_threshold": 0.25,
        "assign": "nearest",
        "bridge_s": 0.0,
        "window_target_dbfs": None,
    }
    chain = [
        ("baseline: 1.5 s windows / 0.75 s hop, raw d-vectors, AHC at 0.25", {}),
        ("+ centred embeddings (AHC at 0.9)", {"center": True, "ahc_threshold": 0.9}),
        ("+ spectral clustering, eigengap count", {"method": "spectral"}),
        ("+ short audio: hop down to 0.25 s for 40 windows", {"target_windows": 40}),
        ("+ frame scores + Viterbi re-segmentation", {"assign": "viterbi"}),
        ("+ region edges extended over loud audio", {"extend_margin_db": 20.0}),
        ("+ pauses < 2 s inside one speaker bridged", {"bridge_s": 2.0}),
        ("+ 1.5 s hop on long audio", {"hop_s": 1.5}),
        (
            "+ VAD onset/offset 0.3/0.2, pauses < 0.5 s joined, edges at 12 dB ",
            {"vad_onset": 0.3, "vad_offset": 0.2, "min_silence_s": 0.5, "extend_margin_db": 12.0},
        ),
        (
            "+ loud non-speech sounds (30 dB over the floor, >= 0.3 s) as speech",
            {"vocal_margin_db": 30.0},
        ),
        ("+ each window's level raised to -25 dBFS (= default)", {"window_target_dbfs": -25.0}),
        ("  (measured, not kept) + GMM boundary refinement", {"gmm_refine": True}),
        (
            "  (measured, not kept) + pauses < 1 s between speakers split",
            {"fill_gaps_s": 1.0, "gmm_refine": False},
        ),
        (
            "  (measured, not kept) each window raised to -30 dBFS, Resemblyzer's level",
            {"fill_gaps_s": 0.0, "window_target_dbfs": -30.0},
        ),
    ]
    out = []
    current = dict(baseline)
    for label, change in chain:
        current = {**current, **change}
        out.append((label, dict(current)))
    return out


def run_steps() -> dict[str, Any]:
    from pyannote.metrics.diarization import DiarizationErrorRate

    from stenograph.pipeline.audio import decode_audio
    from stenograph.pipeline.diarization.engine import DiarizationConfig, diarize

    audio = {file_id: decode_audio(path) for file_id, path in files()}
    diarize(decode_audio(WARMUP))
    results: dict[str, Any] = {}
    ids = list(audio)
    print("\n| step | " + " | ".join(ids) + " | LibriSpeech mean | AMI+phone mean (pooled) | diarization s |")
    print("|---" * (len(ids) + 4) + "|")
    for label, settings in steps():
        config = DiarizationConfig(**settings)
        rows = {}
        seconds = 0.0
        for file_id, samples in audio.items():
            start = time.perf_counter()
            turns = diarize(samples, config=config)
            seconds += time.perf_counter() - start
            rows[file_id] = der_of(file_id, turns, DiarizationErrorRate(collar=COLLAR))
        summary = group_summary(rows)
        cells = [
            f"{rows[i]['der'] * 100:.1f}% ({rows[i]['speakers']}/{rows[i]['speakers_ref']})" for i in ids
        ]
        ls, hard = summary.get("librispeech", {}), summary.get("ami+phone", {})
        print(
            f"| {label} | " + " | ".join(cells) + f" | {ls.get('mean_der', 0) * 100:.1f}% | "
            f"{hard.get('mean_der', 0) * 100:.1f}% ({hard.get('pooled_der', 0) * 100:.1f}%)"
            f" | {seconds:.1f} |",
            flush=True,
        )
        results[label] = {"config": settings, "files": rows, "groups": summary, "seconds": seconds}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--steps", action="store_true", help="also print the DER of each improvement step")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if not DIARIZATION_DIR.is_dir():
        sys.exit(f"no diarization audio at {DIARIZATION_DIR}")
    out = run_main(args)
    if args.steps:
        out["steps"] = run_steps()
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=float))


if __name__ == "__main__":
    main()
