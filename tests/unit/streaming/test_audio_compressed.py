"""The compressed streaming encodings (``opus``, ``ogg_opus``, ``aac``): Ogg pages and ADTS frames
found in bytes cut anywhere, decoded to 16 kHz mono as they come, and bad data refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from stenograph.streaming.audio import (
    MAX_COMPRESSED_MESSAGE_BYTES,
    AdtsFrames,
    AudioDecodeError,
    CompressedConverter,
    OggPackets,
    converter_for,
    ogg_crc,
)
from tests.support.streaming_helpers import encode_compressed, split_unevenly

SIZES = (1, 7, 333, 4096, 17, 1500, 64)  # odd pieces: headers, pages and frames split anywhere


@pytest.fixture(scope="module")
def speech(shared_audio: Path) -> np.ndarray:
    from stenograph.pipeline.audio import decode_audio

    return decode_audio(shared_audio / "jfk" / "jfk.wav")[: 16000 * 4]


def _decode(encoding: str, pieces: list[bytes]) -> tuple[np.ndarray, list[int]]:
    converter = converter_for(encoding, None)
    outs = [converter.convert(piece) for piece in pieces]
    return np.concatenate(outs), [len(o) for o in outs]


@pytest.mark.parametrize("encoding", ["ogg_opus", "aac", "opus"])
def test_compressed_audio_decodes_as_it_comes(speech: np.ndarray, encoding: str) -> None:
    encoded = encode_compressed(speech, encoding)
    pieces = encoded if encoding == "opus" else split_unevenly(encoded[0], SIZES)
    decoded, sizes = _decode(encoding, pieces)
    assert decoded.dtype == np.float32
    assert abs(len(decoded) - len(speech)) < 16000 * 0.1  # within 100 ms (codec delay, priming)
    # Incremental: samples come out all along (an Ogg page at a time), not only at the end.
    half = int(np.searchsorted(np.cumsum([len(p) for p in pieces]), sum(map(len, pieces)) // 2))
    assert sum(sizes[: half + 1]) > len(speech) * 0.2
    assert sum(1 for size in sizes if size) >= 3
    # The same sound: the loudness of each 20 ms follows the original's (codec delay under 50 ms).
    original, heard = _envelope(speech), _envelope(decoded)
    best = max(float(np.corrcoef(heard[lag : lag + 150], original[:150])[0, 1]) for lag in range(3))
    assert best > 0.95, best
    assert 0.7 < np.sqrt(np.mean(decoded**2)) / np.sqrt(np.mean(speech**2)) < 1.3


def _envelope(samples: np.ndarray) -> np.ndarray:
    frames = samples[: len(samples) // 320 * 320].reshape(-1, 320)
    return np.sqrt(np.mean(frames**2, axis=1))


def test_whole_stream_in_one_message_equals_pieces(speech: np.ndarray) -> None:
    data = encode_compressed(speech, "ogg_opus")[0]
    whole, _ = _decode("ogg_opus", [data[:60000], data[60000:]])
    pieces, _ = _decode("ogg_opus", split_unevenly(data, SIZES))
    assert np.allclose(whole, pieces, atol=1e-6)


def test_ogg_pages_and_crc() -> None:
    assert ogg_crc(b"") == 0 and ogg_crc(b"OggS") == 0x5FB0A94F
    packets = OggPackets()
    assert packets.feed(b"Og") == []  # a page header in pieces
    with pytest.raises(AudioDecodeError, match="OggS"):
        OggPackets().feed(b"RIFF....WAVE")
    with pytest.raises(AudioDecodeError, match="OggS"):
        OggPackets().feed(b"x")


def test_corrupt_ogg_is_refused(speech: np.ndarray) -> None:
    data = bytearray(encode_compressed(speech, "ogg_opus")[0])
    data[len(data) // 2] ^= 0x40  # one flipped bit in a page
    converter = CompressedConverter("ogg_opus")
    with pytest.raises(AudioDecodeError, match="checksum"):
        for piece in split_unevenly(bytes(data), SIZES):
            converter.convert(piece)
    not_opus = CompressedConverter("ogg_opus")
    page = _ogg_page(b"\x01vorbis" + bytes(23), serial=1, flags=0x02)
    with pytest.raises(AudioDecodeError, match="OpusHead"):
        not_opus.convert(page)


def _ogg_page(payload: bytes, serial: int, flags: int, sequence: int = 0) -> bytes:
    import struct

    lacing = bytes([255] * (len(payload) // 255) + [len(payload) % 255])
    header = b"OggS" + bytes([0, flags]) + struct.pack("<qIIi", 0, serial, sequence, 0) + bytes([len(lacing)])
    page = bytearray(header + lacing + payload)
    page[22:26] = ogg_crc(bytes(page)).to_bytes(4, "little")
    return bytes(page)


def test_ogg_with_a_second_logical_stream_is_refused() -> None:
    packets = OggPackets()
    assert packets.feed(_ogg_page(b"a" * 300, serial=1, flags=0x02)) == [b"a" * 300]
    with pytest.raises(AudioDecodeError, match="logical stream"):
        packets.feed(_ogg_page(b"b", serial=2, flags=0x02))


def test_adts_frames_and_garbage(speech: np.ndarray) -> None:
    data = encode_compressed(speech, "aac")[0]
    frames = AdtsFrames()
    found = [f for piece in split_unevenly(data, SIZES) for f in frames.feed(piece)]
    assert b"".join(found) == data and all(f[:2] in (b"\xff\xf1", b"\xff\xf9") for f in found)
    with pytest.raises(AudioDecodeError, match="ADTS"):
        AdtsFrames().feed(b"ID3\x04" + bytes(100))
    with pytest.raises(AudioDecodeError, match="ADTS"):
        AdtsFrames().feed(data[:100] + b"\x00" * 3000)  # a frame, then no sync word
    with pytest.raises(AudioDecodeError, match="could not be decoded"):
        CompressedConverter("aac").convert(b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(9))


def test_bad_opus_packets_and_oversized_messages() -> None:
    with pytest.raises(AudioDecodeError, match="opus data could not be decoded"):
        CompressedConverter("opus").convert(b"\xff\xfe\x00garbage" * 10)
    with pytest.raises(AudioDecodeError, match="at most"):
        CompressedConverter("opus").convert(bytes(MAX_COMPRESSED_MESSAGE_BYTES + 1))
    assert CompressedConverter("opus").duration_ms(1000) is None
    assert len(CompressedConverter("opus").convert(b"")) == 0


@pytest.mark.parametrize(("encoding", "suffix"), [("ogg_opus", ".ogg"), ("aac", ".aac")])
def test_same_samples_as_the_file_decoder(
    speech: np.ndarray, encoding: str, suffix: str, tmp_path: Path
) -> None:
    """Decoded in pieces, the stream is the file decoder's audio, sample for sample in time: the
    Opus pre-skip dropped once (by the decoder, from the OpusHead), no shift."""
    from stenograph.pipeline.audio import decode_audio

    data = encode_compressed(speech, encoding)[0]
    (tmp_path / f"clip{suffix}").write_bytes(data)
    whole = decode_audio(tmp_path / f"clip{suffix}")
    pieces, _ = _decode(encoding, split_unevenly(data, SIZES))
    assert abs(len(pieces) - len(whole)) < 16000 * 0.02  # the file decoder trims the end padding
    common = min(len(pieces), len(whole))
    assert np.abs(pieces[:common] - whole[:common]).max() < 0.01
