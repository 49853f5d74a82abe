"""A redacted MP3 of an MP3 source without re-encoding all of it: the source's frames are copied as
they are, and only short windows of frames around each span are re-encoded (from the decoded,
redacted signal) and spliced in on the source's frame grid.

Every frame outside the windows is the source's, byte for byte, so the untouched audio loses
nothing to a second encoding and LAME runs on seconds, not the hour (an hour of 44.1 kHz stereo
copies in a few seconds, against a minute of LAME). The splice keeps the stream valid and exact:

- Alignment: source frame ``k`` decodes to samples ``[k*N - D, (k+1)*N - D)`` (``N`` samples a
  frame, ``D`` the delay the decoder skips, measured while decoding). LAME is fed from
  ``(a - PRIMING)*N - D + LAME_DELAY`` so that its frame ``PRIMING`` lands on source frame ``a``.
- Junctions: a window starts and ends ``MARGIN`` frames away from any span, so the frames that
  overlap at each junction (MDCT overlap, synthesis filter) hold the same unredacted audio on
  both sides; its error there is the codec's.
- Bit reservoir: the re-encoded frames are written with the reservoir off (each holds its own
  data). The copied frame after a window may take its first bytes from the frames before it (its
  ``main_data_begin``); those bytes are appended to the last re-encoded frame, re-headered to a
  larger bitrate so that they fit (the decoder reads them as that frame's ancillary data).
- Header: the source's Xing/Info (or VBRI) frame is copied, so the encoder delay and padding, and
  with them the decoded sample count, are the source's. The frame count is unchanged.

:func:`splice` raises :class:`CannotSplice` for a stream it cannot splice safely (free format,
CRC-protected frames, a packet that fails to decode...); the caller then re-encodes everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

MARGIN = 2  # frames between a span and a window's edge
PRIMING = 4  # frames LAME encodes before a window (dropped)
TAIL = 3  # and after it (dropped)
GAP = 2 * (PRIMING + TAIL)  # windows closer than this many frames are joined
LAME_DELAY = 576 + 529  # LAME's encoder delay plus the decoder's, in samples (any MPEG version)
RESERVOIR_MAX = 511
# LAME's -q 7 ("fast": half the time of its default on noise-like audio, clean for speech), the bit
# reservoir off (every frame holds its own data, so frames of separate encodes join), and plain
# left/right stereo (no mid/side decision per frame: a quarter less time; at LAME's default 128
# kbit/s for 44.1 kHz stereo that is 64 kbit/s a channel, ample for speech).
LAME_OPTIONS = {"compression_level": "7", "reservoir": "0", "joint_stereo": "0"}
# Bitrates (kbit/s) by header index: MPEG-1 Layer III, and MPEG-2/2.5 Layer III.
_BITRATES = {
    True: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    False: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}

Hide = Callable[[np.ndarray, int], None]  # (samples (channels, n) float32, absolute start) -> in place


class CannotSplice(Exception):
    """The source cannot be spliced safely: re-encode it instead."""


@dataclass(frozen=True)
class _Header:
    mpeg1: bool
    crc: bool
    bitrate_index: int
    rate: int
    padding: int
    mono: bool

    @property
    def samples(self) -> int:
        return 1152 if self.mpeg1 else 576

    @property
    def side_info(self) -> int:
        if self.mpeg1:
            return 17 if self.mono else 32
        return 9 if self.mono else 17

    def size(self, bitrate_index: int | None = None, padding: int | None = None) -> int:
        index = self.bitrate_index if bitrate_index is None else bitrate_index
        pad = self.padding if padding is None else padding
        kbps = _BITRATES[self.mpeg1][index]
        return (144 if self.mpeg1 else 72) * kbps * 1000 // self.rate + pad


def parse_header(frame: bytes) -> _Header:
    """The MPEG audio Layer III header at the start of ``frame``."""
    if len(frame) < 4 or frame[0] != 0xFF or frame[1] & 0xE0 != 0xE0:
        raise CannotSplice("no frame sync")
    version = (frame[1] >> 3) & 3
    layer = (frame[1] >> 1) & 3
    bitrate_index = frame[2] >> 4
    rate_index = (frame[2] >> 2) & 3
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        raise CannotSplice("not a Layer III frame of a fixed bitrate index")
    return _Header(
        mpeg1=version == 3,
        crc=not frame[1] & 1,
        bitrate_index=bitrate_index,
        rate=_RATES[version][rate_index],
        padding=(frame[2] >> 1) & 1,
        mono=(frame[3] >> 6) == 3,
    )


def main_data_begin(frame: bytes, header: _Header) -> int:
    """How many bytes of the frames before it this frame's data starts with (the bit reservoir)."""
    offset = 4 + (2 if header.crc else 0)
    value = int.from_bytes(frame[offset : offset + 2], "big")
    return value >> 7 if header.mpeg1 else value >> 8


def payload(frame: bytes, header: _Header) -> bytes:
    """The frame's bytes after its header, CRC and side information (where main data lives)."""
    return frame[4 + (2 if header.crc else 0) + header.side_info :]


def with_reservoir(frame: bytes, reservoir: bytes) -> bytes:
    """``frame`` (its own data only, no CRC) re-headered to the smallest bitrate that also holds
    ``reservoir`` at its end, for the frame after it to read as its bit reservoir."""
    header = parse_header(frame)
    if header.crc:
        raise CannotSplice("a re-encoded frame carries a CRC")
    if not reservoir:
        return frame
    needed = len(frame) + len(reservoir)
    for index in range(header.bitrate_index, 15):
        size = header.size(index, padding=0)
        if size >= needed:
            head = bytes((frame[0], frame[1], (index << 4) | (frame[2] & 0x0C), frame[3]))
            return head + frame[4:] + bytes(size - needed) + reservoir
    raise CannotSplice("no bitrate holds the frame and its successor's reservoir")


def info_frame(path: Path) -> bytes:
    """The source's Xing/Info or VBRI frame (after any ID3v2 tag), or b"" when it has none."""
    with path.open("rb") as file:
        head = file.read(10)
        offset = 0
        if head[:3] == b"ID3" and len(head) == 10:
            size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
            offset = 10 + size + (10 if head[5] & 0x10 else 0)
        file.seek(offset)
        frame = file.read(4)
        try:
            header = parse_header(frame)
        except CannotSplice:
            return b""
        frame += file.read(header.size() - 4)
    tag = 4 + (2 if header.crc else 0) + header.side_info
    if frame[tag : tag + 4] in (b"Xing", b"Info") or frame[36:40] == b"VBRI":
        return frame
    return b""


@dataclass
class _Window:
    first: int  # source frame index, inclusive
    end: int  # exclusive


def windows(spans: list[tuple[int, int]], delay: int, frame: int) -> list[_Window]:
    """Frame windows (sorted, disjoint) that cover every sample span with MARGIN frames to spare."""
    out: list[_Window] = []
    for start, stop in sorted(spans):
        first = max(0, (start + delay) // frame - MARGIN)
        end = (stop - 1 + delay) // frame + 1 + MARGIN
        if out and first <= out[-1].end + GAP:
            out[-1].end = max(out[-1].end, end)
        else:
            out.append(_Window(first, end))
    return out


def splice(
    container: av.container.InputContainer,
    stream: av.AudioStream,
    layout: str,
    spans: list[tuple[int, int]],
    hide: Hide,
    destination: Path,
    source: Path,
) -> int:
    """Write the spliced MP3 of ``stream`` to ``destination``; spans are the samples to re-encode
    (every channel's, merged); ``hide`` applies the redaction to decoded samples in place. Returns
    the decoded samples per channel (as the source decodes)."""
    if stream.codec_context.codec.name not in ("mp3", "mp3float"):
        raise CannotSplice("not an MP3 stream")
    rate = stream.codec_context.sample_rate
    channels = stream.codec_context.channels
    packets: list[bytes] = []  # source frames not yet written, from frame `written` on
    decoded: list[np.ndarray] = []  # decoded samples from position `kept_from` on
    kept_from = 0
    decoded_count = 0
    written = 0
    frames = 0
    delay: int | None = None
    frame_samples = 0
    pending: list[_Window] = []
    reservoir = b""  # the last RESERVOIR_MAX bytes of source main data before frame `written`
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)

    with destination.open("wb") as out:
        out.write(info_frame(source))

        def copy_until(stop: int) -> None:
            nonlocal written, reservoir
            while written < stop:
                data = packets.pop(0)
                out.write(data)
                reservoir = (reservoir + payload(data, parse_header(data)))[-RESERVOIR_MAX:]
                written += 1

        def encode_window(window: _Window, total: int | None) -> None:
            nonlocal written, reservoir
            end = window.end if total is None else min(window.end, total)
            assert delay is not None
            count = end - window.first
            start = (window.first - PRIMING) * frame_samples - delay + LAME_DELAY
            stop = start + (PRIMING + count + TAIL) * frame_samples
            signal = _samples(decoded, kept_from, start, stop, channels)
            hide(signal, start)
            encoded = _encode(signal, rate, layout)[PRIMING : PRIMING + count]
            if len(encoded) != count:
                raise CannotSplice("LAME gave fewer frames than the window holds")
            copy_until(window.first)
            for data in packets[:count]:
                reservoir = (reservoir + payload(data, parse_header(data)))[-RESERVOIR_MAX:]
            del packets[:count]
            written += count
            following = packets[0] if packets else None
            needed = 0
            if following is not None:
                needed = main_data_begin(following, parse_header(following))
            if needed > len(reservoir):
                raise CannotSplice("a frame's bit reservoir reaches before the stream")
            encoded[-1] = with_reservoir(encoded[-1], reservoir[len(reservoir) - needed :] if needed else b"")
            for data in encoded:
                out.write(data)

        def drop_decoded(before: int) -> None:
            nonlocal kept_from
            while decoded and kept_from + decoded[0].shape[1] <= before:
                kept_from += decoded.pop(0).shape[1]

        for packet in container.demux(stream):
            if packet.size == 0:
                continue
            data = bytes(packet)
            header = parse_header(data)
            if header.crc or header.rate != rate or len(data) != header.size():
                raise CannotSplice("a frame this splice does not handle")
            frame_samples = header.samples
            try:
                pieces = [piece for frame in packet.decode() for piece in resampler.resample(frame)]
            except av.FFmpegError as exc:
                raise CannotSplice("a packet failed to decode") from exc
            packets.append(data)
            frames += 1
            for piece in pieces:
                decoded.append(piece.to_ndarray())
                decoded_count += piece.samples
            if delay is None and decoded_count:
                delay = frames * frame_samples - decoded_count
                if not 0 <= delay < 8 * frame_samples:
                    raise CannotSplice("an unexpected decoder delay")
                pending = windows(spans, delay, frame_samples)
            if delay is None:
                continue
            while pending:
                window = pending[0]
                need = (window.end + TAIL) * frame_samples - delay + LAME_DELAY
                if decoded_count < need:
                    break
                encode_window(pending.pop(0), None)
            # what is still to come needs neither older frames nor older samples
            next_first = pending[0].first if pending else frames
            copy_until(min(next_first, frames))
            low = (next_first - PRIMING) * frame_samples - delay + LAME_DELAY
            drop_decoded(low)
        for piece in resampler.resample(None):
            decoded.append(piece.to_ndarray())
            decoded_count += piece.samples
        if delay is None:
            if spans:
                raise CannotSplice("no audio decoded")
            pending = []
        for window in pending:
            if window.first < frames:
                encode_window(window, frames)
        copy_until(frames)
    return decoded_count


def _samples(decoded: list[np.ndarray], kept_from: int, start: int, stop: int, channels: int) -> np.ndarray:
    """Decoded samples ``start``..``stop`` (absolute), zeros where there are none."""
    out = np.zeros((channels, stop - start), dtype=np.float32)
    position = kept_from
    for piece in decoded:
        first, last = max(start, position), min(stop, position + piece.shape[1])
        if first < last:
            out[:, first - start : last - start] = piece[:, first - position : last - position]
        position += piece.shape[1]
        if position >= stop:
            break
    if max(start, 0) < kept_from:
        raise CannotSplice("samples needed were already dropped")
    return out


def _encode(signal: np.ndarray, rate: int, layout: str) -> list[bytes]:
    """LAME frames of ``signal``, reservoir off, the flush's included."""
    context = av.CodecContext.create("libmp3lame", "w")
    assert isinstance(context, av.AudioCodecContext)
    context.sample_rate = rate
    context.layout = layout
    context.format = "fltp"
    context.options = LAME_OPTIONS
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(signal), format="fltp", layout=layout)
    frame.sample_rate = rate
    frame.pts = 0
    packets = [bytes(p) for p in context.encode(frame)]
    packets += [bytes(p) for p in context.encode(None)]
    return packets
