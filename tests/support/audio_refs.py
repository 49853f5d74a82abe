"""Reference transcripts of ../shared/audio and WER with Whisper's English normaliser."""

from __future__ import annotations

import csv
from pathlib import Path

import jiwer
from whisper_normalizer.english import EnglishTextNormalizer

_normalise = EnglishTextNormalizer()


def normalise(text: str) -> str:
    # Whisper's normaliser drops bracketed text as non-speech; references use brackets for asides.
    text = text.translate(str.maketrans("()[]", "    "))
    return " ".join(_normalise(text).split())


def wer(references: list[str], hypotheses: list[str]) -> float:
    return jiwer.wer([normalise(r) for r in references], [normalise(h) for h in hypotheses])


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def compressed_with_reference(audio_dir: Path) -> list[tuple[Path, str]]:
    """Files of compressed/ that carry a usable reference text: the first of each encoding
    (container, codec, sample rate, channels). The folder holds dozens of clips of one encoding
    (LJSpeech's MP3s); transcribing them all measures the model, which benchmarks/asr.py does."""
    folder = audio_dir / "compressed"
    meta = {row["id"]: row for row in read_tsv(folder / "meta.tsv")}
    pairs, encodings = [], set()
    for row in read_tsv(folder / "refs.tsv"):
        info = meta.get(row["id"])
        if not row["text"].strip() or info is None:
            continue
        encoding = (info["container"], info["codec"], info["sample_rate"], info["channels"])
        if encoding not in encodings:
            encodings.add(encoding)
            pairs.append((folder / info["file"], row["text"]))
    return pairs


def librispeech(audio_dir: Path) -> list[tuple[Path, str]]:
    folder = audio_dir / "librispeech"
    pairs = []
    for line in (folder / "refs.tsv").read_text().splitlines():
        utterance, _, text = line.partition("\t")
        if utterance and text and (folder / f"{utterance}.flac").exists():
            pairs.append((folder / f"{utterance}.flac", text))
    return pairs


def read_rttm(path: Path) -> list[tuple[float, float, str]]:
    """(start s, end s, speaker) of each SPEAKER line of a NIST RTTM file."""
    turns = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields and fields[0] == "SPEAKER":
            start, duration = float(fields[3]), float(fields[4])
            turns.append((start, start + duration, fields[7]))
    return turns
