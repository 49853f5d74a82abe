"""Greedy against beam search for the batch path: accuracy, punctuation and time, one run.

    .venv/bin/python benchmarks/decode_search.py [--models tiny.en,base] [--beams 1,5] [--json PATH]

Each model decodes every clip with the server's decode settings (``WHISPER_DECODE_KWARGS``), once per
beam size, the beam sizes alternating clip by clip so that a change in machine load hits both alike.
Figures per model and beam size, and as ratios against the first beam size (the baseline):

- WER after Whisper's English normaliser (LibriSpeech test-other/clean, LJSpeech, JFK);
- punctuation on the clips whose references are punctuated (LJSpeech, JFK): the share of clips
  whose text ends in a sentence mark, and commas/sentence marks per 100 words against the
  reference's rate, and a case- and punctuation-sensitive WER (tokens as written);
- decode time (seconds per audio second), model load excluded.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import jiwer

REPO_ROOT = Path(__file__).resolve().parents[1]
AUDIO_DIR = REPO_ROOT.parent / "shared" / "audio"
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from stenograph.pipeline.asr import WHISPER_DECODE_KWARGS  # noqa: E402
from stenograph.pipeline.audio import decode_audio  # noqa: E402
from stenograph.pipeline.models import get_whisper_model  # noqa: E402
from tests.support.audio_refs import librispeech, normalise  # noqa: E402

SENTENCE_MARKS = ".?!"
PUNCTUATION = re.compile(r"[,.?!;:]")


def clips() -> list[tuple[str, Path, str, bool]]:
    """(dataset, audio, reference, reference is punctuated)."""
    out = [("librispeech", path, text, False) for path, text in librispeech(AUDIO_DIR)]
    lj = AUDIO_DIR / "ljspeech"
    for line in (lj / "refs.tsv").read_text().splitlines():
        utterance, _, text = line.partition("\t")
        if text and (lj / f"{utterance}.flac").exists():
            out.append(("ljspeech", lj / f"{utterance}.flac", text, True))
    jfk = dict(line.split("\t", 1) for line in _lines(AUDIO_DIR / "jfk" / "refs.tsv"))
    out.append(("jfk", AUDIO_DIR / "jfk" / "jfk.wav", jfk["jfk"], True))
    return out


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if "\t" in line]


def marks_per_100_words(text: str) -> float:
    words = len(text.split())
    return 100 * len(PUNCTUATION.findall(text)) / words if words else 0.0


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for dataset in ("librispeech", "ljspeech", "jfk"):
        chosen = [r for r in rows if r["dataset"] == dataset]
        summary[f"wer_{dataset}"] = jiwer.wer(
            [normalise(r["reference"]) for r in chosen], [normalise(r["text"]) or "<empty>" for r in chosen]
        )
    punctuated = [r for r in rows if r["punctuated"]]
    summary["ends_in_sentence_mark"] = sum(
        r["text"].rstrip().endswith(tuple(SENTENCE_MARKS)) for r in punctuated
    ) / len(punctuated)
    hypothesis_rate = sum(marks_per_100_words(r["text"]) for r in punctuated) / len(punctuated)
    reference_rate = sum(marks_per_100_words(r["reference"]) for r in punctuated) / len(punctuated)
    summary["marks_per_100_words"] = hypothesis_rate
    summary["marks_vs_reference"] = hypothesis_rate / reference_rate
    summary["written_wer"] = jiwer.wer(
        [r["reference"] for r in punctuated], [r["text"] or "<empty>" for r in punctuated]
    )
    audio = sum(r["audio_seconds"] for r in rows)
    summary["seconds_per_audio_second"] = sum(r["decode_seconds"] for r in rows) / audio
    summary["audio_seconds"] = audio
    return summary


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--models", default="tiny.en,base")
    parser.add_argument("--beams", default="1,5")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    beams = [int(b) for b in args.beams.split(",")]
    data = clips()
    audio = {path: decode_audio(path, 16000) for _, path, _, _ in data}
    results: dict[str, dict[int, dict[str, Any]]] = {}
    for model_name in args.models.split(","):
        model = get_whisper_model(model_name)
        language = "en"
        list(model.transcribe(audio[data[-1][1]], **WHISPER_DECODE_KWARGS, language=language)[0])  # warm
        rows: dict[int, list[dict[str, Any]]] = {beam: [] for beam in beams}
        for dataset, path, reference, punctuated in data:
            for beam in beams:
                started = time.perf_counter()
                segments, _ = model.transcribe(
                    audio[path], **{**WHISPER_DECODE_KWARGS, "beam_size": beam}, language=language
                )
                text = " ".join(s.text.strip() for s in segments).strip()
                rows[beam].append(
                    {
                        "dataset": dataset,
                        "reference": reference,
                        "punctuated": punctuated,
                        "text": text,
                        "decode_seconds": time.perf_counter() - started,
                        "audio_seconds": len(audio[path]) / 16000,
                    }
                )
        results[model_name] = {beam: summarise(rows[beam]) for beam in beams}
        jfk_texts = {beam: rows[beam][-1]["text"] for beam in beams}
        results[model_name]["jfk_text"] = jfk_texts  # type: ignore[assignment]
    print_report(results, beams)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def print_report(results: dict[str, Any], beams: list[int]) -> None:
    base = beams[0]
    names = [
        ("wer_librispeech", "WER LibriSpeech", "{:.2%}"),
        ("wer_ljspeech", "WER LJSpeech", "{:.2%}"),
        ("wer_jfk", "WER JFK", "{:.2%}"),
        ("written_wer", "WER as written (LJ+JFK)", "{:.2%}"),
        ("ends_in_sentence_mark", "ends in . ? ! (LJ+JFK)", "{:.0%}"),
        ("marks_per_100_words", "punctuation / 100 words", "{:.1f}"),
        ("marks_vs_reference", "  against the reference", "{:.2f}"),
        ("seconds_per_audio_second", "decode s per audio s", "{:.3f}"),
    ]
    for model_name, by_beam in results.items():
        print(f"\n## {model_name} ({by_beam[base]['audio_seconds']:.0f} s of audio per beam size)")
        header = " | ".join(f"beam {b}" + (" (baseline)" if b == base else " (ratio)") for b in beams)
        print(f"| figure | {header} |")
        print("|---" * (len(beams) + 1) + "|")
        for key, label, fmt in names:
            cells = []
            for beam in beams:
                value = by_beam[beam][key]
                cell = fmt.format(value)
                if beam != base and by_beam[base][key]:
                    cell += f" ({value / by_beam[base][key]:.2f}x)"
                cells.append(cell)
            print(f"| {label} | " + " | ".join(cells) + " |")
        for beam, text in by_beam["jfk_text"].items():
            print(f"JFK, beam {beam}: {text}")


if __name__ == "__main__":
    main()
