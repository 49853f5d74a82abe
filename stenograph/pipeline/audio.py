"""Decode any audio or video file into 16 kHz mono float32 samples with PyAV (bundled FFmpeg)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np

from stenograph.pipeline.types import AudioDecodeError, AudioTooShortError

SAMPLE_RATE = 16000
MIN_AUDIO_SECONDS = 0.16
_NOT_AUDIO = "File does not appear to contain audio."
_SNIFF_BYTES = 4096
_MAX_BAD_PACKETS = 1000  # give up on a stream that is nothing but undecodable packets


def decode_audio(path: str | Path, sample_rate: int = SAMPLE_RATE, keep_channels: bool = False) -> np.ndarray:
    """Decode the first audio stream of ``path`` to mono float32 at ``sample_rate``; with
    ``keep_channels``, to a (channels, samples) array instead of a downmix.

    Frames are resampled one at a time and kept as float32 chunks, so the peak memory is about
    twice the decoded result, whatever the source format. Corrupt packets are skipped.
    Raises :class:`AudioDecodeError` (message meant for the user) when there is no audio to decode.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(str(path))
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioDecodeError(_not_audio_message(path)) from exc
    with container:
        if not container.streams.audio:
            raise AudioDecodeError(_not_audio_message(path))
        stream = container.streams.audio[0]
        layout = stream.layout.name if keep_channels else "mono"
        chunks, bad_packets = _decode_stream(container, stream, sample_rate, layout)
    if not chunks:
        if bad_packets:
            raise AudioDecodeError(f"{_NOT_AUDIO} The audio data could not be decoded.")
        return np.zeros((len(av.AudioLayout(layout).channels), 0) if keep_channels else 0, dtype=np.float32)
    samples = np.concatenate(chunks, axis=1) if len(chunks) > 1 else chunks[0]
    return samples if keep_channels else samples[0]


def check_duration(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Raise :class:`AudioTooShortError` for audio shorter than the 160 ms minimum."""
    if len(audio) < round(MIN_AUDIO_SECONDS * sample_rate):
        seconds = len(audio) / sample_rate
        raise AudioTooShortError(
            f"Audio duration is too short. The minimum is {int(MIN_AUDIO_SECONDS * 1000)} ms; "
            f"this file has {seconds * 1000:.0f} ms of audio."
        )


def _decode_stream(
    container: av.container.InputContainer, stream: av.AudioStream, sample_rate: int, layout: str
) -> tuple[list[np.ndarray], int]:
    chunks: list[np.ndarray] = []
    bad_packets = 0
    resampler = _new_resampler(sample_rate, layout)
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.InvalidDataError:
                bad_packets += 1
                if bad_packets > _MAX_BAD_PACKETS and not chunks:
                    break
                continue
            for frame in frames:
                try:
                    out = resampler.resample(frame)
                except ValueError:  # the stream changed rate/layout/format mid-way: start a new resampler
                    _collect(resampler.resample(None), chunks)
                    resampler = _new_resampler(sample_rate, layout)
                    out = resampler.resample(frame)
                _collect(out, chunks)
    except av.FFmpegError:
        # A demuxer error part-way: keep what decoded so far (a truncated upload still transcribes).
        bad_packets += 1
    _collect(resampler.resample(None), chunks)
    return chunks, bad_packets


def _new_resampler(sample_rate: int, layout: str) -> av.AudioResampler:
    # Packed float: planar output with many channels crashes some FFmpeg builds (seen with 7.1 AAC).
    return av.AudioResampler(format="flt", layout=layout, rate=sample_rate)


def _collect(frames: Sequence[av.AudioFrame | None], chunks: list[np.ndarray]) -> None:
    for frame in frames:
        if frame is None or frame.samples == 0:  # a passthrough resampler returns [None] on flush
            continue
        # Copy: the array would otherwise be a view that keeps the whole FFmpeg frame alive.
        channels = len(frame.layout.channels)
        interleaved = frame.to_ndarray().reshape(-1, channels)
        chunks.append(np.array(interleaved.T, dtype=np.float32, order="C", copy=True))


def _not_audio_message(path: Path) -> str:
    kind = _describe_file(path)
    return f"{_NOT_AUDIO} File type is {kind}." if kind else _NOT_AUDIO


_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "application/pdf (PDF document)"),
    (b"\x89PNG", "image/png (PNG image data)"),
    (b"\xff\xd8\xff", "image/jpeg (JPEG image data)"),
    (b"GIF8", "image/gif (GIF image data)"),
    (b"PK\x03\x04", "application/zip (Zip archive data)"),
    (b"\x1f\x8b", "application/gzip (gzip compressed data)"),
    (b"\x7fELF", "application/x-executable (ELF executable)"),
    (b"RIFF", "audio/x-wav (RIFF data)"),
    (b"fLaC", "audio/flac (FLAC audio)"),
    (b"OggS", "audio/ogg (Ogg data)"),
    (b"ID3", "audio/mpeg (MPEG audio with ID3 tag)"),
)


def _describe_file(path: Path) -> str | None:
    """A short ``mime (description)`` for the error message, in the style of ``file --mime-type``."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_SNIFF_BYTES)
    except OSError:
        return None
    if not head:
        return "application/x-empty (empty)"
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a multi-byte character cut at the end of the block
            return "application/octet-stream (data)"
        text = head[: exc.start].decode("utf-8")
    if "\x00" in text:
        return "application/octet-stream (data)"
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html")):
        return "text/html (HTML document)"
    if lowered.startswith("<?xml"):
        return "text/xml (XML document)"
    if lowered.startswith(("{", "[")):
        return "application/json (JSON text data)"
    return "text/plain (ASCII text)" if text.isascii() else "text/plain (Unicode text, UTF-8 text)"
