"""Decoding every container/codec in the shared compressed set, and the user-facing errors."""

from __future__ import annotations

import csv
import wave
from pathlib import Path

import numpy as np
import pytest

from stenograph.pipeline.audio import MIN_AUDIO_SECONDS, check_duration, decode_audio
from stenograph.pipeline.types import AudioDecodeError, AudioTooShortError

COMPRESSED = Path(__file__).resolve().parents[3].parent / "shared" / "audio" / "compressed"
FILES = sorted(p for p in COMPRESSED.glob("*") if p.suffix != ".tsv") if COMPRESSED.is_dir() else []
TOLERANCE_S = 0.1
# Raw ADTS AAC has no gapless info: the encoder's priming/padding samples decode as audio, and
# ffprobe's duration for it is only a bitrate estimate.
RAW_AAC_TOLERANCE_S = 0.15


def _expected_durations() -> dict[str, float]:
    """meta.tsv durations by file name. Transcodes (``<source>__<codec>``) are compared with their
    lossless ALAC sibling: ffprobe's figure for mp3 includes encoder padding that FFmpeg trims."""
    if not (COMPRESSED / "meta.tsv").is_file():
        return {}
    with open(COMPRESSED / "meta.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    by_id = {row["id"]: row for row in rows}
    out: dict[str, float] = {}
    for row in rows:
        if not row.get("duration_s"):
            continue
        source, sep, _ = row["id"].partition("__")
        lossless = by_id.get(f"{source}__alac") if sep else None
        out[row["file"]] = float((lossless or row)["duration_s"])
    return out


EXPECTED = _expected_durations()


@pytest.mark.skipif(not FILES, reason=f"shared audio not found at {COMPRESSED}")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_decode_every_compressed_file(path: Path) -> None:
    audio = decode_audio(path)
    assert audio.dtype == np.float32
    assert audio.ndim == 1
    assert np.isfinite(audio).all()
    assert 0.001 < float(np.sqrt(np.mean(audio**2))) < 1.0  # real signal, not silence or garbage
    if path.name in EXPECTED:
        tolerance = RAW_AAC_TOLERANCE_S if path.suffix == ".aac" else TOLERANCE_S
        assert len(audio) / 16000 == pytest.approx(EXPECTED[path.name], abs=tolerance)


def test_decode_other_sample_rate(shared_audio: Path) -> None:
    audio = decode_audio(shared_audio / "jfk" / "jfk_44k_stereo.flac", sample_rate=8000)
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert len(audio) == pytest.approx(11.0 * 8000, abs=80)


def test_text_file_is_not_audio(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not audio\n" * 20)
    with pytest.raises(AudioDecodeError, match="File does not appear to contain audio") as err:
        decode_audio(path)
    assert "text/plain" in str(err.value)


@pytest.mark.parametrize(
    "content",
    [b"", bytes(range(256)) * 64, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, b"RIFF\x24\x00\x00\x00WAVEfmt "],
    ids=["empty", "binary", "png-header", "truncated-wav-header"],
)
def test_undecodable_bytes(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    with pytest.raises(AudioDecodeError, match="File does not appear to contain audio"):
        decode_audio(path)


def test_missing_file_is_not_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        decode_audio(tmp_path / "nope.wav")


def _write_wav(path: Path, seconds: float, rate: int = 16000) -> None:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def test_too_short(tmp_path: Path) -> None:
    path = tmp_path / "short.wav"
    _write_wav(path, 0.1)
    audio = decode_audio(path)
    assert len(audio) == 1600
    with pytest.raises(AudioTooShortError, match="too short") as err:
        check_duration(audio, 16000)
    assert "160 ms" in str(err.value)


def test_long_enough(tmp_path: Path) -> None:
    path = tmp_path / "ok.wav"
    _write_wav(path, MIN_AUDIO_SECONDS, rate=22050)
    check_duration(decode_audio(path), 16000)  # exactly 160 ms passes


def test_empty_wav_is_too_short(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    _write_wav(path, 0.0)
    with pytest.raises((AudioTooShortError, AudioDecodeError)):
        check_duration(decode_audio(path), 16000)
