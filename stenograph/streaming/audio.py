"""Streamed audio -> 16 kHz mono float32 samples, one binary message at a time.

Raw PCM (s16le or G.711 mu-law at any rate) is :class:`PcmConverter`. The self-describing compressed
encodings of Universal-Streaming v3 are :class:`CompressedConverter`, as the SDKs define them
(``assemblyai`` 1.8 ``Encoding``, JS 4.35-4.36 CHANGELOG):

- ``opus``: raw Opus packets, one packet per message;
- ``ogg_opus``: an Ogg Opus byte stream (opusenc, ffmpeg, a browser's MediaRecorder) cut anywhere;
- ``aac``: an AAC byte stream in ADTS framing, cut anywhere.

Ogg pages and ADTS frames are found here, as they arrive (at most one unfinished page or frame is
buffered), and their packets decoded with PyAV's Opus and AAC decoders. Data that is not what the
encoding says raises :class:`AudioDecodeError`, whose message is a close reason.
"""

from __future__ import annotations

import struct
from typing import Any, Protocol

import numpy as np

from stenograph.pipeline.audio import SAMPLE_RATE

PCM_ENCODINGS = ("pcm_s16le", "pcm_mulaw")
COMPRESSED_ENCODINGS = ("opus", "ogg_opus", "aac")
ENCODINGS = PCM_ENCODINGS + COMPRESSED_ENCODINGS

# The most bytes a compressed message may hold: over a second at Opus's and AAC's highest bit rates
# for one voice, and few enough that one message cannot expand into minutes of samples at once.
MAX_COMPRESSED_MESSAGE_BYTES = 128 * 1024


class AudioDecodeError(ValueError):
    """The client's audio is not what its encoding says; the message says why (a close reason)."""


class AudioConverter(Protocol):
    """What a streaming session needs of its audio conversion."""

    encoding: str

    def duration_ms(self, nbytes: int) -> float | None:
        """How long a message of ``nbytes`` lasts; None when the bytes do not tell (compressed)."""
        ...

    def convert(self, data: bytes) -> np.ndarray:
        """The 16 kHz mono float32 samples that ``data`` completes (state carried across calls)."""
        ...


def converter_for(encoding: str, sample_rate: int | None) -> AudioConverter:
    """The converter of an encoding; ``sample_rate`` is needed (and only used) for PCM."""
    if encoding in COMPRESSED_ENCODINGS:
        return CompressedConverter(encoding)
    if sample_rate is None:
        raise ValueError("sample_rate is required for PCM encodings")
    return PcmConverter(sample_rate, encoding)


def _mulaw_table() -> np.ndarray:
    """G.711 mu-law byte -> linear 16-bit sample."""
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


_MULAW = _mulaw_table()
_EMPTY = np.zeros(0, dtype=np.float32)


class PcmConverter:
    """Turns the bytes of each binary message into 16 kHz float32 samples, keeping any odd trailing
    byte for the next message and the resampler's state across messages."""

    def __init__(self, sample_rate: int, encoding: str = "pcm_s16le") -> None:
        if encoding not in PCM_ENCODINGS:
            raise ValueError(f"encoding must be one of {', '.join(PCM_ENCODINGS)}, not {encoding!r}")
        if sample_rate <= 0:
            raise ValueError("sample_rate must be a positive integer")
        self.sample_rate = sample_rate
        self.encoding = encoding
        self.bytes_per_sample = 2 if encoding == "pcm_s16le" else 1
        self._carry = b""
        self._resampler: Any = None  # an av.AudioResampler when the rate is not 16 kHz
        if sample_rate != SAMPLE_RATE:
            import av

            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)

    def duration_ms(self, nbytes: int) -> float:
        return nbytes / self.bytes_per_sample / self.sample_rate * 1000.0

    def convert(self, data: bytes) -> np.ndarray:
        data = self._carry + data
        usable = len(data) - len(data) % self.bytes_per_sample
        self._carry = data[usable:]
        if self.encoding == "pcm_s16le":
            pcm = np.frombuffer(data[:usable], dtype="<i2")
        else:
            pcm = _MULAW[np.frombuffer(data[:usable], dtype=np.uint8)]
        if self._resampler is None:
            return pcm.astype(np.float32) / 32768.0
        return self._resample(pcm.astype(np.int16, copy=False))

    def _resample(self, pcm: np.ndarray) -> np.ndarray:
        import av

        if len(pcm) == 0:
            return _EMPTY
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(pcm[np.newaxis, :]), format="s16", layout="mono"
        )
        frame.sample_rate = self.sample_rate
        chunks = [out.to_ndarray()[0] for out in self._resampler.resample(frame)]
        return np.concatenate(chunks).astype(np.float32, copy=False) if chunks else _EMPTY


# --------------------------------------------------------------------------- Ogg pages


def _ogg_crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_OGG_CRC = _ogg_crc_table()


def ogg_crc(data: bytes) -> int:
    """The CRC-32 of an Ogg page (polynomial 0x04C11DB7, no reflection, zero start)."""
    crc = 0
    table = _OGG_CRC
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ byte]
    return crc


class OggPackets:
    """An Ogg byte stream cut anywhere -> the packets of its one logical stream, in order.

    Buffers at most one unfinished page (under 64 KiB) and one packet spanning pages (at most
    ``max_packet`` bytes); every page's capture pattern, version, stream serial and CRC are checked.
    """

    HEADER = 27
    MAX_PAGE = HEADER + 255 + 255 * 255

    def __init__(self, max_packet: int = 256 * 1024) -> None:
        self.max_packet = max_packet
        self._buffer = bytearray()
        self._packet = bytearray()
        self._packet_open = False  # the last page ended inside a packet
        self._serial: int | None = None
        self.ended = False  # an end-of-stream page came

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        packets: list[bytes] = []
        buffer = self._buffer
        while len(buffer) >= 4:
            if buffer[:4] != b"OggS":
                raise AudioDecodeError("not an Ogg stream: a page does not start with 'OggS'")
            if len(buffer) < self.HEADER:
                break
            if buffer[4] != 0:
                raise AudioDecodeError(f"unsupported Ogg page version {buffer[4]}")
            segments = buffer[26]
            if len(buffer) < self.HEADER + segments:
                break
            lacing = buffer[self.HEADER : self.HEADER + segments]
            size = self.HEADER + segments + sum(lacing)
            if len(buffer) < size:
                break
            page = bytes(buffer[:size])
            del buffer[:size]
            packets.extend(self._page(page, lacing))
        if len(buffer) < 4 and buffer and not b"OggS".startswith(bytes(buffer)):
            raise AudioDecodeError("not an Ogg stream: a page does not start with 'OggS'")
        return packets

    def _page(self, page: bytes, lacing: bytes) -> list[bytes]:
        flags = page[5]
        serial, _sequence, crc = struct.unpack_from("<IIi", page, 14)
        if ogg_crc(page[:22] + b"\0\0\0\0" + page[26:]) != crc & 0xFFFFFFFF:
            raise AudioDecodeError("corrupt Ogg page: checksum mismatch")
        if self._serial is None:
            self._serial = serial
        elif serial != self._serial:
            raise AudioDecodeError("an Ogg stream with more than one logical stream is not supported")
        if self.ended:
            raise AudioDecodeError("Ogg data after the end of the stream")
        self.ended = bool(flags & 0x04)
        continued = bool(flags & 0x01)
        if continued != self._packet_open:
            raise AudioDecodeError("corrupt Ogg stream: a page is missing")
        packets = []
        offset = self.HEADER + len(lacing)
        for value in lacing:
            self._packet += page[offset : offset + value]
            offset += value
            if len(self._packet) > self.max_packet:
                raise AudioDecodeError(f"an Ogg packet over {self.max_packet} bytes")
            if value < 255:
                packets.append(bytes(self._packet))
                self._packet.clear()
        self._packet_open = bool(lacing) and lacing[-1] == 255
        return packets


# --------------------------------------------------------------------------- ADTS frames


class AdtsFrames:
    """An AAC ADTS byte stream cut anywhere -> whole ADTS frames (header included), in order.

    Buffers at most one unfinished frame (an ADTS frame is under 8 KiB)."""

    HEADER = 7

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        buffer = self._buffer
        frames: list[bytes] = []
        while len(buffer) >= 2:
            if buffer[0] != 0xFF or buffer[1] & 0xF6 != 0xF0:
                raise AudioDecodeError("not an AAC ADTS stream: no ADTS sync word where a frame starts")
            if len(buffer) < self.HEADER:
                break
            if (buffer[2] >> 2) & 0x0F > 12:
                raise AudioDecodeError("corrupt ADTS header: invalid sampling frequency index")
            length = ((buffer[3] & 0x03) << 11) | (buffer[4] << 3) | (buffer[5] >> 5)
            header = self.HEADER if buffer[1] & 0x01 else self.HEADER + 2  # protection_absent
            if length <= header:
                raise AudioDecodeError(f"corrupt ADTS header: frame length {length}")
            if len(buffer) < length:
                break
            frames.append(bytes(buffer[:length]))
            del buffer[:length]
        if len(buffer) == 1 and buffer[0] != 0xFF:
            raise AudioDecodeError("not an AAC ADTS stream: no ADTS sync word where a frame starts")
        return frames


# --------------------------------------------------------------------------- decoding


class _Mono16k:
    """Decoded frames of any format, layout and rate -> 16 kHz mono float32. Channels are averaged
    (a mono voice decoded as two equal channels keeps its level); a change of rate mid-stream (an
    AAC stream may change it) flushes the old resampler and starts a new one."""

    def __init__(self) -> None:
        self._resampler: Any = None
        self._rate: int | None = None

    def convert(self, frames: list[Any]) -> list[np.ndarray]:
        import av

        out: list[np.ndarray] = []
        for frame in frames:
            if frame.sample_rate != self._rate:
                if self._resampler is not None:
                    out.extend(f.to_ndarray()[0] for f in self._resampler.resample(None))
                self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
                self._rate = frame.sample_rate
            mono = av.AudioFrame.from_ndarray(_average_channels(frame), format="flt", layout="mono")
            mono.sample_rate = frame.sample_rate
            out.extend(f.to_ndarray()[0] for f in self._resampler.resample(mono))
        return out


def _average_channels(frame: Any) -> np.ndarray:
    """A decoded frame's samples as one float32 channel, shape (1, samples)."""
    raw = frame.to_ndarray()
    if not frame.format.is_planar:
        raw = raw.reshape(-1, len(frame.layout.channels)).T  # interleaved -> one row per channel
    samples = raw.astype(np.float32)
    if raw.dtype.kind == "i":  # the Opus and AAC decoders give floats; integers are scaled
        samples /= float(np.iinfo(raw.dtype).max + 1)
    return np.ascontiguousarray(samples.mean(axis=0, keepdims=True))


class CompressedConverter:
    """Opus packets, an Ogg Opus stream or an ADTS AAC stream -> 16 kHz mono float32 samples."""

    def __init__(self, encoding: str) -> None:
        if encoding not in COMPRESSED_ENCODINGS:
            raise ValueError(f"encoding must be one of {', '.join(COMPRESSED_ENCODINGS)}, not {encoding!r}")
        self.encoding = encoding
        self._ogg = OggPackets() if encoding == "ogg_opus" else None
        self._adts = AdtsFrames() if encoding == "aac" else None
        self._codec: Any = None
        self._packets = 0  # Ogg packets seen: the first two are the Opus headers
        self._mono = _Mono16k()
        if encoding != "ogg_opus":
            import av

            self._codec = av.CodecContext.create("aac" if encoding == "aac" else "opus", "r")

    def duration_ms(self, nbytes: int) -> None:
        return None

    def convert(self, data: bytes) -> np.ndarray:
        if len(data) > MAX_COMPRESSED_MESSAGE_BYTES:
            raise AudioDecodeError(
                f"a {self.encoding} message of {len(data)} bytes; at most {MAX_COMPRESSED_MESSAGE_BYTES}"
            )
        if self._ogg is not None:
            packets = self._opus_from_ogg(self._ogg.feed(data))
        elif self._adts is not None:
            packets = self._adts.feed(data)
        else:
            if not data:
                return _EMPTY
            packets = [data]  # one Opus packet per message
        chunks = self._mono.convert(self._decode(packets))
        return np.concatenate(chunks).astype(np.float32, copy=False) if chunks else _EMPTY

    def _opus_from_ogg(self, packets: list[bytes]) -> list[bytes]:
        audio = []
        for packet in packets:
            self._packets += 1
            if self._packets == 1:
                self._open_ogg_opus(packet)
            elif self._packets == 2:
                if not packet.startswith(b"OpusTags"):
                    raise AudioDecodeError("not an Ogg Opus stream: no OpusTags header")
            elif packet:
                audio.append(packet)
        return audio

    def _open_ogg_opus(self, head: bytes) -> None:
        import av

        if not head.startswith(b"OpusHead") or len(head) < 19:
            raise AudioDecodeError("not an Ogg Opus stream: it does not begin with an OpusHead header")
        version, channels = head[8], head[9]
        if version >> 4 != 0 or channels == 0:
            raise AudioDecodeError("unsupported OpusHead header")
        codec = av.CodecContext.create("opus", "r")
        codec.extradata = head  # channels, mapping and pre-skip: the decoder drops the pre-skip itself
        self._codec = codec

    def _decode(self, packets: list[bytes]) -> list[Any]:
        import av

        frames: list[Any] = []
        for packet in packets:
            try:
                decoded = self._codec.decode(av.Packet(packet))
            except av.FFmpegError as exc:
                raise AudioDecodeError(f"{self.encoding} data could not be decoded: {exc.strerror}") from None
            frames.extend(decoded)
        return frames
