"""A copy of an audio file with spans hidden: each redacted stretch replaced by a 1 kHz tone (a
"beep") or by silence; the rest of the audio, its duration, sample rate and channels kept.

Streaming: one decoded frame at a time goes through, so memory stays flat whatever the length.
Only frames that overlap a span are touched in numpy; the others go to the encoder as decoded.
MP3 (LAME, the whole cost) is encoded in 60 s segments on up to 4 threads and joined frame to
frame (:class:`_Mp3Segments`); WAV by one encoder.
Times are counted in decoded samples from the first one, as :func:`pipeline.audio.decode_audio`
counts them, so the spans of a transcript of the same file land on the same samples.

MP3 holds one or two channels at the MPEG sample rates only: a source beyond that is written as
WAV (``RedactedAudioFile.format`` says which was written). WAV keeps the source's sample depth
(16-bit for 8/16-bit sources, 24-bit for 24/32-bit integers, 32-bit float for float sources), so
outside the spans it is the source's samples unchanged.
"""

from __future__ import annotations

import bisect
import logging
import math
import os
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import numpy as np

from stenograph.pipeline.mp3_splice import LAME_OPTIONS, CannotSplice, splice
from stenograph.pipeline.types import AudioDecodeError, Redaction

logger = logging.getLogger(__name__)

AudioFormat = Literal["mp3", "wav"]
Method = Literal["beep", "silence"]

TONE_HZ = 1000.0
TONE_LEVEL = 0.25  # peak, of full scale (-12 dBFS): clearly audible, never clipping
FADE_SECONDS = 0.005  # the tone rises and falls this fast: no click at the span's edges
MP3_SAMPLE_RATES = frozenset({8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000})
# LAME's options (mp3_splice.LAME_OPTIONS): -q 7, the bit reservoir off (segments encoded apart join
# frame to frame, see _Mp3Segments), left/right stereo. The bitrate is LAME's default for the sample
# rate (CBR: 128 kbit/s at 44.1 kHz stereo, 24 kbit/s at 16 kHz mono); a lower or higher one
# measured no faster.
MP3_OPTIONS = LAME_OPTIONS
MP3_FRAME = 1152  # segments start on this grid: a whole number of frames of 1152 (MPEG-1) or 576
MP3_SEGMENT_SECONDS = 60
MP3_PRIMING = 4 * MP3_FRAME  # audio before a segment its encoder is fed first
MP3_TAIL = 3 * MP3_FRAME  # and after it, so that its last kept frame is complete
MP3_THREADS = max(1, min(4, os.cpu_count() or 1))
PARTIAL_SUFFIX = ".part"
_LAYOUTS = {1: "mono", 2: "stereo"}


@dataclass(frozen=True)
class RedactedAudioFile:
    path: Path
    format: AudioFormat
    sample_rate: int
    channels: int
    samples: int  # per channel, as written


@dataclass(frozen=True)
class _Target:
    format: AudioFormat
    codec: str
    rate: int
    layout: str
    channels: int


# Word times from the recogniser are often a little short: measured on benchmarks/pii.py's real-speech
# clips, with the bare word spans 6 of 30 redacted words were heard again in the redacted audio.
# So the spans hidden are the words' spans widened by this much on both sides; a neighbouring word
# may lose an edge, the PII may not be heard.
PAD_MS = 150


def widened(redactions: Iterable[Redaction], pad_ms: int = PAD_MS) -> list[Redaction]:
    """The redactions with ``pad_ms`` more on both sides (never before the start)."""
    return [replace(r, start=max(0, r.start - pad_ms), end=r.end + pad_ms) for r in redactions]


def write_redacted_audio(
    source: str | Path,
    redactions: Iterable[Redaction],
    destination: str | Path,
    *,
    audio_format: AudioFormat = "mp3",
    method: Method = "beep",
) -> RedactedAudioFile:
    """Write ``source`` to ``destination`` with every redaction's span hidden. A redaction with a
    channel ("1", "2", ...) hides that channel only; without one, every channel.

    The file is ``destination`` with the format's suffix added (``.mp3``/``.wav``); it appears
    whole or not at all (written beside it under ``.part`` and renamed). Raises
    :class:`AudioDecodeError` when the source holds no audio stream."""
    source = Path(source)
    with _open(source) as container:
        if not container.streams.audio:
            raise AudioDecodeError("The file holds no audio stream to redact.")
        stream = container.streams.audio[0]
        target = _target(stream, audio_format)
        destination = Path(destination)
        final = destination.with_name(f"{destination.name}.{target.format}")
        partial = final.with_name(final.name + PARTIAL_SUFFIX)
        spans = _channel_spans(redactions, target.rate, target.channels)
        try:
            samples = _spliced(container, stream, target, spans, method, partial, source)
            if samples is None:
                with _open(source) as again:
                    samples = _transcode(again, again.streams.audio[0], target, spans, method, partial)
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return RedactedAudioFile(final, target.format, target.rate, target.channels, samples)


def _spliced(
    container: av.container.InputContainer,
    stream: av.AudioStream,
    target: _Target,
    spans: list[list[tuple[int, int]]],
    method: Method,
    partial: Path,
    source: Path,
) -> int | None:
    """An MP3 source written as MP3: its frames copied and only windows around the spans re-encoded
    (:mod:`pipeline.mp3_splice`); None when it cannot be (then everything is re-encoded)."""
    if target.format != "mp3" or stream.codec_context.codec.name not in ("mp3", "mp3float"):
        return None
    every = sorted(span for channel in spans for span in channel)

    def hide(samples: np.ndarray, start: int) -> None:
        hide_block(samples, start, spans, method, target.rate)

    try:
        return splice(container, stream, target.layout, every, hide, partial, source)
    except CannotSplice as exc:
        logger.info("redacted audio: the MP3 is re-encoded whole (%s)", exc)
        partial.unlink(missing_ok=True)
        return None


def hide_block(
    samples: np.ndarray, start: int, spans: list[list[tuple[int, int]]], method: Method, rate: int
) -> None:
    """Hide, in place, the spans' samples within ``samples`` (channels x n, from ``start``)."""
    end = start + samples.shape[1]
    for channel, channel_spans in enumerate(spans):
        index = bisect.bisect_right(channel_spans, (start, math.inf)) - 1
        for span_start, span_stop in channel_spans[max(index, 0) :]:
            if span_start >= end:
                break
            first, last = max(span_start, start), min(span_stop, end)
            if first < last:
                samples[channel, first - start : last - start] = _replacement(
                    first, last, span_start, span_stop, method, rate
                )


def _open(source: Path) -> av.container.InputContainer:
    try:
        return av.open(str(source), mode="r", metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioDecodeError("The audio could not be read again to redact it.") from exc


def _target(stream: av.AudioStream, wanted: AudioFormat) -> _Target:
    rate = stream.codec_context.sample_rate
    channels = stream.codec_context.channels
    layout = stream.layout.name
    if channels in _LAYOUTS and layout not in _LAYOUTS.values():
        layout = _LAYOUTS[channels]  # e.g. a WAV without a channel mask: "1 channels"
    if wanted == "mp3" and channels in _LAYOUTS and rate in MP3_SAMPLE_RATES:
        return _Target("mp3", "libmp3lame", rate, layout, channels)
    source_format = stream.codec_context.format.name.rstrip("p") if stream.codec_context.format else "s16"
    codec = {"u8": "pcm_s16le", "s16": "pcm_s16le", "s32": "pcm_s24le", "s64": "pcm_s24le"}.get(
        source_format, "pcm_f32le"
    )
    return _Target("wav", codec, rate, layout, channels)


def _channel_spans(redactions: Iterable[Redaction], rate: int, channels: int) -> list[list[tuple[int, int]]]:
    """Per output channel: the sample spans to hide, sorted and merged (so their ends are sorted too)."""
    raw: list[list[tuple[int, int]]] = [[] for _ in range(channels)]
    for redaction in redactions:
        start = max(0, math.floor(redaction.start * rate / 1000))
        end = math.ceil(redaction.end * rate / 1000)
        if end <= start:
            continue
        index = _channel_index(redaction.channel, channels)
        for channel in range(channels) if index is None else (index,):
            raw[channel].append((start, end))
    merged: list[list[tuple[int, int]]] = []
    for spans in raw:
        out: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged.append(out)
    return merged


def _channel_index(channel: str | None, channels: int) -> int | None:
    """ "1" -> 0, ...; None (or a channel the file does not have) -> every channel."""
    if channel is None or not channel.isdigit():
        return None
    index = int(channel) - 1
    return index if 0 <= index < channels else None


def _transcode(
    container: av.container.InputContainer,
    stream: av.AudioStream,
    target: _Target,
    spans: list[list[tuple[int, int]]],
    method: Method,
    partial: Path,
) -> int:
    out = av.open(str(partial), mode="w", format=target.format)
    with out:
        encoder = out.add_stream(target.codec, rate=target.rate, layout=target.layout)
        assert isinstance(encoder, av.AudioStream)
        sink: _Sink = _Mp3Segments(out, encoder, target) if target.format == "mp3" else _Encoder(out, encoder)
        try:
            cursors = [0] * target.channels
            position = 0
            resampler = _resampler(target)
            for frame in _decoded(container, stream):
                try:
                    converted = resampler.resample(frame)
                except ValueError:  # the stream changed rate/layout mid-way: a new resampler
                    converted = resampler.resample(None)
                    resampler = _resampler(target)
                    converted += resampler.resample(frame)
                for piece in converted:
                    position = _hide(sink, piece, position, spans, cursors, method, target.rate)
            for piece in resampler.resample(None):
                position = _hide(sink, piece, position, spans, cursors, method, target.rate)
            sink.close()
        finally:
            sink.abandon()
    return position


class _Sink:
    def add(self, frame: av.AudioFrame) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Encode what is left and write it."""

    def abandon(self) -> None:
        """Stop any work still running (after close: nothing)."""


class _Encoder(_Sink):
    """One encoder, frame by frame (WAV)."""

    def __init__(self, out: av.container.OutputContainer, encoder: av.AudioStream) -> None:
        self.out, self.encoder = out, encoder

    def add(self, frame: av.AudioFrame) -> None:
        for packet in self.encoder.encode(frame):
            self.out.mux(packet)

    def close(self) -> None:
        for packet in self.encoder.encode(None):
            self.out.mux(packet)


class _Mp3Segments(_Sink):
    """MP3 encoded in segments on several threads (PyAV lets go of the GIL while LAME encodes),
    joined into one stream: LAME is the whole cost of a redacted MP3, one core encodes about 45x
    real time at 44.1 kHz stereo.

    A segment starts on an MP3 frame boundary (a multiple of 1152 samples); its encoder is primed
    with the audio before it and fed a little past its end, and only the frames of its own stretch
    are kept, so the frames of consecutive segments follow one another as one encoder's would (same
    delay, same frame grid, no gap or overlap). The bit reservoir is off: no frame borrows bytes
    from frames of another segment's encoder. The joined stream decodes to the same number of
    samples as the source, and its error at the joins is that of the codec elsewhere."""

    def __init__(self, out: av.container.OutputContainer, stream: av.AudioStream, target: _Target) -> None:
        self.out, self.stream, self.target = out, stream, target
        context = stream.codec_context
        context.format = "fltp"  # as decoded: no conversion before LAME's own
        context.options = MP3_OPTIONS
        context.open()  # the muxer's header (LAME tag: encoder delay) comes from this context
        self.frame = context.frame_size  # 1152 samples (MPEG-1), 576 (MPEG-2/2.5: 24 kHz and below)
        self.segment = MP3_SEGMENT_SECONDS * target.rate // MP3_FRAME * MP3_FRAME
        self.pool = ThreadPoolExecutor(max_workers=MP3_THREADS, thread_name_prefix="redacted-mp3")
        self.running: deque[Future[list[av.Packet]]] = deque()
        self.held: list[np.ndarray] = []  # decoded samples from self.held_from on
        self.held_from = 0
        self.held_count = 0
        self.start = 0  # where the next segment starts
        self.packets = 0

    def add(self, frame: av.AudioFrame) -> None:
        self.held.append(frame.to_ndarray())
        self.held_count += frame.samples
        end = self.start + self.segment
        if self.held_from + self.held_count >= end + MP3_TAIL:
            self._cut(end)

    def _cut(self, end: int | None) -> None:
        """Hand the segment from self.start to ``end`` (None: to the end of the audio) to a thread."""
        held = np.concatenate(self.held, axis=1) if len(self.held) > 1 else self.held[0]
        first = max(0, self.start - MP3_PRIMING)  # absolute; a multiple of MP3_FRAME
        stop = held.shape[1] if end is None else end + MP3_TAIL - self.held_from
        samples = held[:, first - self.held_from : stop]
        skip = (self.start - first) // self.frame
        keep = None if end is None else (end - self.start) // self.frame
        while len(self.running) > MP3_THREADS:  # bounded: at most this much audio waits in memory
            self._write(self.running.popleft())
        self.running.append(self.pool.submit(_encode_segment, samples, self.target, skip, keep))
        if end is not None:
            kept_from = end - MP3_PRIMING
            self.held = [held[:, kept_from - self.held_from :]]
            self.held_count = held.shape[1] - (kept_from - self.held_from)
            self.held_from = kept_from
            self.start = end

    def _write(self, done: Future[list[av.Packet]]) -> None:
        for packet in done.result():
            packet.stream = self.stream
            packet.time_base = Fraction(1, self.target.rate)
            packet.pts = packet.dts = self.packets * self.frame
            self.packets += 1
            self.out.mux(packet)

    def close(self) -> None:
        if not self.held:  # no audio at all
            self.held = [np.zeros((self.target.channels, 0), dtype=np.float32)]
        self._cut(None)  # the rest, from the last cut (never empty after one: the tail is past it)
        while self.running:
            self._write(self.running.popleft())

    def abandon(self) -> None:
        for future in self.running:
            future.cancel()
        self.pool.shutdown(wait=True)


def _encode_segment(samples: np.ndarray, target: _Target, skip: int, keep: int | None) -> list[av.Packet]:
    """MP3 frames of ``samples``, less the first ``skip`` (priming) and beyond ``keep`` (None: all,
    the flush's included)."""
    context = av.CodecContext.create("libmp3lame", "w")
    assert isinstance(context, av.AudioCodecContext)
    context.sample_rate = target.rate
    context.layout = target.layout
    context.format = "fltp"
    context.options = MP3_OPTIONS
    packets: list[av.Packet] = []
    step = MP3_FRAME * 16
    for first in range(0, samples.shape[1], step):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[:, first : first + step]), format="fltp", layout=target.layout
        )
        frame.sample_rate = target.rate
        frame.pts = first
        packets.extend(context.encode(frame))
    packets.extend(context.encode(None))
    return packets[skip:] if keep is None else packets[skip : skip + keep]


def _decoded(container: av.container.InputContainer, stream: av.AudioStream) -> Iterable[av.AudioFrame]:
    """The stream's frames; corrupt packets skipped, and a demuxer error ends the stream (as the
    transcription's decode does, so both see the same samples)."""
    try:
        for packet in container.demux(stream):
            try:
                yield from packet.decode()
            except av.InvalidDataError:
                continue
    except av.FFmpegError:
        return


def _resampler(target: _Target) -> av.AudioResampler:
    return av.AudioResampler(format="fltp", layout=target.layout, rate=target.rate)


def _hide(
    sink: _Sink,
    frame: av.AudioFrame | None,
    position: int,
    spans: list[list[tuple[int, int]]],
    cursors: list[int],
    method: Method,
    rate: int,
) -> int:
    if frame is None or frame.samples == 0:
        return position
    count = frame.samples
    end = position + count
    hits = []
    for channel, channel_spans in enumerate(spans):
        cursor = cursors[channel]
        while cursor < len(channel_spans) and channel_spans[cursor][1] <= position:
            cursor += 1
        cursors[channel] = cursor
        index = cursor
        while index < len(channel_spans) and channel_spans[index][0] < end:
            hits.append((channel, channel_spans[index]))
            index += 1
    if hits:
        samples = frame.to_ndarray().copy()
        for channel, (start, stop) in hits:
            first, last = max(start, position), min(stop, end)
            samples[channel, first - position : last - position] = _replacement(
                first, last, start, stop, method, rate
            )
        frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout=frame.layout.name)
        frame.sample_rate = rate
    frame.pts = position
    frame.time_base = Fraction(1, rate)
    sink.add(frame)
    return end


def _replacement(first: int, last: int, start: int, stop: int, method: Method, rate: int) -> np.ndarray:
    """Samples ``first``..``last`` (absolute) of the replacement for the span ``start``..``stop``."""
    if method == "silence":
        return np.zeros(last - first, dtype=np.float32)
    index = np.arange(first, last, dtype=np.float64)
    tone = np.sin(2 * np.pi * TONE_HZ * index / rate) * TONE_LEVEL
    fade = max(1.0, min(FADE_SECONDS * rate, (stop - start) / 2))
    envelope = np.clip(np.minimum(index - start + 1, stop - index) / fade, 0.0, 1.0)
    return (tone * envelope).astype(np.float32)
