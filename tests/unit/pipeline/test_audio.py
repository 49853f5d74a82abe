"""Decoding every container/codec in the shared compressed set, and the user-facing errors."""

from __future__ import annotations

import csv
import wave
from pathlib import Path

import numpy as np
import pytest

from stenograph.pipeline.audio import MIN_AUDIO_SECONDS, AudioLimits, check_duration, decode_audio
from stenograph.pipeline.types import AudioDecodeError, AudioTooLongError, AudioTooShortError

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


# Bounds: what a header claims must not decide how much memory a decode takes.


def _write_pcm_wav(path: Path, *, rate: int, channels: int, frames: int) -> None:
    noise = np.random.default_rng(0).integers(-3000, 3000, frames * channels).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(noise.tobytes())


def test_an_absurd_sample_rate_is_refused_before_resampling(tmp_path: Path) -> None:
    # 4 KB of samples at 1 Hz is 2,000 s: resampled to 16 kHz it would be 128 MB of float32 (the
    # probe's 32 KB file took 3.9 GB).
    path = tmp_path / "one_hertz.wav"
    _write_pcm_wav(path, rate=1, channels=1, frames=2000)
    with pytest.raises(AudioDecodeError, match="sample rate of 1 Hz is outside the supported range"):
        decode_audio(path)


def test_too_many_channels_are_refused_with_a_user_message(tmp_path: Path) -> None:
    path = tmp_path / "sixty_four.wav"
    _write_pcm_wav(path, rate=16000, channels=64, frames=8000)
    for keep_channels in (False, True):
        with pytest.raises(AudioDecodeError, match="64 channels; this server accepts at most 32"):
            decode_audio(path, keep_channels=keep_channels)


def test_a_duration_over_the_limit_is_refused_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "three_seconds.wav"
    _write_pcm_wav(path, rate=16000, channels=1, frames=48000)
    with pytest.raises(AudioTooLongError, match=r"maximum on this server is 0:00:01 .*has 0:00:03"):
        decode_audio(path, limits=AudioLimits(max_seconds=1))


def test_audio_beyond_the_limit_stops_the_decode_whatever_the_header_says(tmp_path: Path) -> None:
    # 3 s is within the header's slack of a 2.5 s limit, so only the count of decoded samples stops it.
    path = tmp_path / "three_seconds.wav"
    _write_pcm_wav(path, rate=16000, channels=1, frames=48000)
    with pytest.raises(AudioTooLongError, match="has more than 0:00:03"):
        decode_audio(path, limits=AudioLimits(max_seconds=2.5))
    assert len(decode_audio(path, limits=AudioLimits(max_seconds=3))) == 48000


def test_the_pipeline_passes_its_limits_to_the_decode(tmp_path: Path) -> None:
    from stenograph.pipeline import TranscribeOptions, transcribe

    path = tmp_path / "three_seconds.wav"
    _write_pcm_wav(path, rate=16000, channels=2, frames=48000)
    with pytest.raises(AudioTooLongError):
        transcribe(
            path, TranscribeOptions(model="tiny.en", multichannel=True), limits=AudioLimits(max_seconds=1)
        )
