"""Decode any audio or video file into 16 kHz mono float32 samples with PyAV (bundled FFmpeg)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from stenograph.pipeline.types import AudioDecodeError, AudioTooLongError, AudioTooShortError

SAMPLE_RATE = 16000
MIN_AUDIO_SECONDS = 0.16
_NOT_AUDIO = "File does not appear to contain audio."
_SNIFF_BYTES = 4096
_MAX_BAD_PACKETS = 1000  # give up on a stream that is nothing but undecodable packets


@dataclass(frozen=True)
class AudioLimits:
    """What a file may claim and hold before it is refused: these bound a decode's memory.

    Decoded audio is float32 at 16 kHz (64 KB a second per channel kept apart), held twice at the
    peak, so a decode needs at most about ``2 x 64 KB x max_seconds x channels`` (4.6 GB for 10 h
    of mono), whatever the file's header says.
    """

    max_seconds: float = 36_000.0
    max_channels: int = 32
    min_sample_rate: int = 1_000  # below this, resampling to 16 kHz multiplies a file's size absurdly
    max_sample_rate: int = 768_000


DEFAULT_AUDIO_LIMITS = AudioLimits()
# Containers round their durations; a file this much over the limit by its header is still decoded
# and then held to the limit by what it really holds.
_HEADER_SLACK_SECONDS = 1.0


def decode_audio(
    path: str | Path,
    sample_rate: int = SAMPLE_RATE,
    keep_channels: bool = False,
    limits: AudioLimits = DEFAULT_AUDIO_LIMITS,
) -> np.ndarray:
    """Decode the first audio stream of ``path`` to mono float32 at ``sample_rate``; with
    ``keep_channels``, to a (channels, samples) array instead of a downmix.

    Frames are resampled one at a time and kept as float32 chunks, so the peak memory is about
    twice the decoded result, whatever the source format. Corrupt packets are skipped. The header's
    sample rate, channel count and duration are checked against ``limits`` before decoding, and the
    decoded length while decoding. Raises :class:`AudioDecodeError` or :class:`AudioTooLongError`
    (messages meant for the user) when there is no usable audio or too much of it.
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
        _check_header(container, stream, limits)
        layout = stream.layout.name if keep_channels else "mono"
        chunks, bad_packets = _decode_stream(container, stream, sample_rate, layout, limits)
    if not chunks:
        if bad_packets:
            raise AudioDecodeError(f"{_NOT_AUDIO} The audio data could not be decoded.")
        return np.zeros((len(av.AudioLayout(layout).channels), 0) if keep_channels else 0, dtype=np.float32)
    samples = np.concatenate(chunks, axis=1) if len(chunks) > 1 else chunks[0]
    return samples if keep_channels else samples[0]


def _check_header(
    container: av.container.InputContainer, stream: av.AudioStream, limits: AudioLimits
) -> None:
    _check_rate(stream.codec_context.sample_rate, limits)
    channels = stream.codec_context.channels
    if channels > limits.max_channels:
        raise AudioDecodeError(
            f"The audio has {channels} channels; this server accepts at most {limits.max_channels}."
        )
    seconds = _header_seconds(container, stream)
    if seconds is not None and seconds > limits.max_seconds + _HEADER_SLACK_SECONDS:
        raise _too_long(seconds, limits.max_seconds)


def _check_rate(rate: int, limits: AudioLimits) -> None:
    if not limits.min_sample_rate <= rate <= limits.max_sample_rate:
        raise AudioDecodeError(
            f"The audio's sample rate of {rate} Hz is outside the supported range of "
            f"{limits.min_sample_rate} to {limits.max_sample_rate} Hz; the file may be damaged."
        )


def _header_seconds(container: av.container.InputContainer, stream: av.AudioStream) -> float | None:
    """The duration the container declares, if it declares one."""
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _too_long(seconds: float, max_seconds: float, at_least: bool = False) -> AudioTooLongError:
    return AudioTooLongError(
        f"Audio duration is too long. The maximum on this server is {_hours(max_seconds)}; "
        f"this file has {'more than ' if at_least else ''}{_hours(seconds)} of audio."
    )


def _hours(seconds: float) -> str:
    hours, rest = divmod(round(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d} (h:mm:ss)"


def check_duration(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Raise :class:`AudioTooShortError` for audio shorter than the 160 ms minimum."""
    if len(audio) < round(MIN_AUDIO_SECONDS * sample_rate):
        seconds = len(audio) / sample_rate
        raise AudioTooShortError(
            f"Audio duration is too short. The minimum is {int(MIN_AUDIO_SECONDS * 1000)} ms; "
            f"this file has {seconds * 1000:.0f} ms of audio."
        )


def _decode_stream(
    container: av.container.InputContainer,
    stream: av.AudioStream,
    sample_rate: int,
    layout: str,
    limits: AudioLimits,
) -> tuple[list[np.ndarray], int]:
    """The resampled chunks and the count of undecodable packets; AudioTooLongError as soon as the
    chunks hold more than ``limits.max_seconds`` (a header may understate the duration), and
    AudioDecodeError for a frame whose sample rate is out of bounds."""
    max_samples = round(limits.max_seconds * sample_rate)
    chunks: list[np.ndarray] = []
    bad_packets = 0
    held = 0
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
                _check_rate(frame.sample_rate, limits)
                try:
                    out = resampler.resample(frame)
                except ValueError:  # the stream changed rate/layout/format mid-way: start a new resampler
                    held += _collect(resampler.resample(None), chunks)
                    resampler = _new_resampler(sample_rate, layout)
                    out = resampler.resample(frame)
                held += _collect(out, chunks)
                if held > max_samples:
                    raise _too_long(held / sample_rate, limits.max_seconds, at_least=True)
    except av.FFmpegError:
        # A demuxer error part-way: keep what decoded so far (a truncated upload still transcribes).
        bad_packets += 1
    _collect(resampler.resample(None), chunks)
    return chunks, bad_packets


def _new_resampler(sample_rate: int, layout: str) -> av.AudioResampler:
    # Packed float: planar output with many channels crashes some FFmpeg builds (seen with 7.1 AAC).
    return av.AudioResampler(format="flt", layout=layout, rate=sample_rate)


def _collect(frames: Sequence[av.AudioFrame | None], chunks: list[np.ndarray]) -> int:
    """Append the frames' samples to ``chunks``; returns how many samples (per channel) were added."""
    added = 0
    for frame in frames:
        if frame is None or frame.samples == 0:  # a passthrough resampler returns [None] on flush
            continue
        # Copy: the array would otherwise be a view that keeps the whole FFmpeg frame alive.
        channels = len(frame.layout.channels)
        interleaved = frame.to_ndarray().reshape(-1, channels)
        chunks.append(np.array(interleaved.T, dtype=np.float32, order="C", copy=True))
        added += interleaved.shape[0]
    return added


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
