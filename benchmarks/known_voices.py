"""Known speakers (OpenAI's ``known_speaker_names[]``): how alike a reference clip's voice print is to
the same speaker and to others, and how often the diarized speakers get the right name.

    .venv/bin/python benchmarks/known_voices.py [--lengths 2 4 6 10] [--no-pipeline] [--json PATH]

For every speaker of the dev conversations (``ls_conv_2spk``, ``ls_conv_3spk``: five LibriSpeech
readers; ``pyannote_sample``: a phone call; ``ami_dev00``: a meeting) a reference clip of L seconds
is cut from the speaker's *last* turns (RTTM), as a user would cut one from another recording.
It is compared (cosine of the mean d-vectors, ``stenograph.pipeline.diarization.voices``) with:

- the same speaker's other speech: their RTTM turns minus the reference (``oracle``), and, unless
  ``--no-pipeline``, the speaker the pipeline's own diarization found for them (``pipeline``: the
  utterances of ``transcribe(..., speaker_labels=True)`` on tiny.en, the reference's span removed);
- every other speaker of the same file and of the other files;
- two strangers, whose voices are in no file: the LJSpeech reader and the JFK excerpt.

Naming accuracy: per file and per reference length, ``name_speakers`` is given the references of
(a) every speaker of the file and the strangers, (b) each time all but one speaker of the file and
the strangers; a diarized speaker is right when it gets its own name, or keeps its letter when its
reference was left out. Printed for a range of thresholds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
AUDIO_DIR = REPO_ROOT.parent / "shared" / "audio"
DIARIZATION_DIR = AUDIO_DIR / "diarization"
FILES = ("ls_conv_2spk", "ls_conv_3spk", "pyannote_sample", "ami_dev00")
STRANGERS = {
    "lj": AUDIO_DIR / "ljspeech" / "LJ001-0001.flac",
    "jfk": AUDIO_DIR / "jfk" / "jfk.wav",
    "ls1089": AUDIO_DIR / "librispeech" / "1089-134686-0000.flac",  # a LibriSpeech reader in no file
}
# ls_conv_3spk's readers in utterances the conversation does not use: references from elsewhere.
EXTERNAL = {
    who: [AUDIO_DIR / "librispeech" / f"{who}-{chapter}-{index:04d}.flac" for index in range(6, 10)]
    for who, chapter in (("2033", "164914"), ("2414", "128291"), ("2609", "156975"))
}
THRESHOLDS = (0.66, 0.70, 0.72, 0.75, 0.78, 0.80, 0.82, 0.84, 0.85, 0.86, 0.87, 0.88, 0.90)
SR = 16000
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.support.audio_refs import read_rttm  # noqa: E402

Span = tuple[float, float]


def reference_spans(turns: list[Span], seconds: float) -> list[Span]:
    """``seconds`` of speech from the end of the speaker's last turns backwards."""
    spans: list[Span] = []
    left = seconds
    for start, end in sorted(turns, reverse=True):
        if left <= 0:
            break
        take = min(end - start, left)
        spans.append((end - take, end))
        left -= take
    return sorted(spans)


def minus(spans: list[Span], holes: list[Span]) -> list[Span]:
    out = []
    for start, end in spans:
        pieces = [(start, end)]
        for h_start, h_end in holes:
            pieces = [
                piece
                for a, b in pieces
                for piece in ((a, min(b, h_start)), (max(a, h_end), b))
                if piece[1] - piece[0] > 0.01
            ]
        out.extend(pieces)
    return out


def cut(samples: np.ndarray, spans: list[Span]) -> np.ndarray:
    pieces = [samples[int(a * SR) : int(b * SR)] for a, b in spans]
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


def pipeline_turns(path: Path, reference: list[tuple[float, float, str]]) -> dict[str, list[Span]]:
    """The pipeline's diarized speakers, each under the reference speaker it overlaps most."""
    from stenograph.pipeline import TranscribeOptions, transcribe

    result = transcribe(path, TranscribeOptions(model="tiny.en", speaker_labels=True))
    by_label: dict[str, list[Span]] = {}
    for turn in result.utterances or ():
        by_label.setdefault(turn.speaker or "", []).append((turn.start / 1000, turn.end / 1000))
    out: dict[str, list[Span]] = {}
    for spans in by_label.values():
        overlap: dict[str, float] = {}
        for a, b in spans:
            for r_start, r_end, who in reference:
                overlap[who] = overlap.get(who, 0.0) + max(0.0, min(b, r_end) - max(a, r_start))
        who = max(overlap, key=overlap.__getitem__)
        # a second diarized speaker for one person: keep the larger
        if who in out and sum(b - a for a, b in spans) <= sum(b - a for a, b in out[who]):
            continue
        out[who] = spans
    return out


def measure(lengths: list[float], use_pipeline: bool, verbose: bool = False) -> dict[str, Any]:
    from stenograph.pipeline.audio import decode_audio
    from stenograph.pipeline.diarization.voices import voice_print

    audio = {name: decode_audio(DIARIZATION_DIR / f"{name}.wav", SR) for name in FILES}
    rttm = {name: read_rttm(DIARIZATION_DIR / f"{name}.rttm") for name in FILES}
    diarized = (
        {name: pipeline_turns(DIARIZATION_DIR / f"{name}.wav", rttm[name]) for name in FILES}
        if use_pipeline
        else {}
    )
    strangers = {}
    for name, path in STRANGERS.items():
        vector = voice_print(decode_audio(path, SR)[: 6 * SR])
        assert vector is not None
        strangers[f"stranger:{name}"] = vector
    external_audio = {
        who: np.concatenate([decode_audio(path, SR) for path in paths]) for who, paths in EXTERNAL.items()
    }
    modes = ["oracle"] + (["pipeline"] if use_pipeline else [])

    def target_spans(key: str, mode: str) -> list[Span]:
        name, who = key.split(":", 1)
        if mode == "oracle":
            return [(a, b) for a, b, w in rttm[name] if w == who]
        return diarized[name].get(who, [])

    report: dict[str, Any] = {}
    for length in lengths:
        # In-file references: cut from each speaker's last turns and kept out of the targets.
        refs: dict[str, np.ndarray] = {}
        held_out: dict[str, list[Span]] = {}
        for name in FILES:
            for who in sorted({w for _, _, w in rttm[name]}):
                spans = reference_spans([(a, b) for a, b, w in rttm[name] if w == who], length)
                vector = voice_print(cut(audio[name], spans))
                if vector is None or sum(b - a for a, b in spans) < length - 0.05:
                    continue  # too little speech for a reference this long
                refs[f"{name}:{who}"], held_out[f"{name}:{who}"] = vector, spans
        # External references (ls_conv_3spk's readers, from utterances the file does not hold).
        external = {}
        for who, samples in external_audio.items():
            vector = voice_print(samples[: int(length * SR)])
            assert vector is not None
            external[f"ls_conv_3spk:{who}"] = vector
        row: dict[str, Any] = {"references": len(refs)}
        for mode in modes:
            targets = {}
            for key, spans in held_out.items():
                vector = voice_print(cut(audio[key.split(":")[0]], minus(target_spans(key, mode), spans)))
                if vector is not None:
                    targets[key] = vector
            whole = {}
            for key in external:
                vector = voice_print(cut(audio["ls_conv_3spk"], target_spans(key, mode)))
                if vector is not None:
                    whole[key] = vector
            row[mode] = {
                "in_file": evaluate(targets, refs, strangers, verbose),
                "external": evaluate(whole, external, strangers, verbose),
            }
        report[f"{length:g}s"] = row
    return report


def evaluate(
    targets: dict[str, np.ndarray],
    refs: dict[str, np.ndarray],
    strangers: dict[str, np.ndarray],
    verbose: bool,
) -> dict[str, Any]:
    """Cosines by kind of pair, and the naming accuracy by threshold (see the module's docstring)."""
    from stenograph.pipeline.diarization.voices import name_speakers

    kinds: dict[str, list[float]] = {"same": [], "other_same_file": [], "other_file": [], "stranger": []}
    for t_key, target in targets.items():
        for r_key, ref in {**refs, **strangers}.items():
            cosine = float(target @ ref)
            if r_key == t_key:
                kind = "same"
            elif r_key.startswith("stranger:"):
                kind = "stranger"
            elif r_key.split(":")[0] == t_key.split(":")[0]:
                kind = "other_same_file"
            else:
                kind = "other_file"
            kinds[kind].append(cosine)
            if verbose and kind != "other_file":
                print(f"      {t_key:28} {r_key:28} {cosine:.3f} {kind}")
    by_file: dict[str, list[str]] = {}
    for key in refs:
        by_file.setdefault(key.split(":")[0], []).append(key)
    accuracy = {}
    for threshold in THRESHOLDS:
        right = total = 0
        for keys in by_file.values():
            present = {k: targets[k] for k in keys if k in targets}
            for left_out in [None, *keys]:
                given = {k: refs[k] for k in keys if k != left_out} | strangers
                named = name_speakers(present, given, threshold)
                for key in present:
                    right += named.get(key) == (None if key == left_out else key)
                    total += 1
        accuracy[f"{threshold:.2f}"] = round(right / total, 3) if total else None
    return {**{kind: summary(values) for kind, values in kinds.items()}, "naming_accuracy": accuracy}


def summary(values: list[float]) -> dict[str, float | int]:
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "min": round(min(values), 3),
        "mean": round(float(np.mean(values)), 3),
        "max": round(max(values), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=float, nargs="+", default=[2.0, 4.0, 6.0, 10.0])
    parser.add_argument("--no-pipeline", action="store_true", help="RTTM turns only, no transcription")
    parser.add_argument("--verbose", action="store_true", help="every pair's cosine")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report = measure(args.lengths, not args.no_pipeline, args.verbose)
    for length, row in report.items():
        print(f"reference {length} ({row['references']} in-file speakers with enough speech)")
        for mode in ("oracle", "pipeline"):
            for source in ("in_file", "external"):
                if mode not in row:
                    continue
                data = row[mode][source]
                print(f"  {mode} targets, {source} references:")
                for key in ("same", "other_same_file", "other_file", "stranger"):
                    print(f"    {key:16} {data[key]}")
                print("    naming accuracy by threshold:", data["naming_accuracy"])
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
