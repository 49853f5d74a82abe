"""Audio and pacing helpers for the streaming tests and benchmark: PCM at real-time pace."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16000


class AlwaysSpeech:
    """A VAD stand-in for plumbing tests: every 32 ms window is speech, so a turn is open and its
    audio due for decoding."""

    def process(self, samples: np.ndarray) -> np.ndarray:
        return np.ones(len(samples) // 512, dtype=np.float32)


def pcm16(path: Path, sample_rate: int = SAMPLE_RATE) -> bytes:
    from stenograph.pipeline.audio import decode_audio

    samples = decode_audio(path, sample_rate)
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


# Two LibriSpeech readers taking turns, A B A B (6-8 s each): streaming speaker-label tests.
CONVERSATION = ("2609-156975-0005", "2414-128291-0007", "2609-156975-0008", "2414-128291-0001")


def conversation(shared_audio: Path, gap_s: float = 1.5) -> tuple[bytes, list[tuple[float, float, str]]]:
    """16 kHz PCM of :data:`CONVERSATION` with ``gap_s`` between turns, and its reference turns
    (start s, end s, reader)."""
    pcm, turns, at = silence(0.5), [], 0.5
    for utterance in CONVERSATION:
        audio = pcm16(shared_audio / "librispeech" / f"{utterance}.flac")
        turns.append((at, at + len(audio) / 32000, utterance.split("-")[0]))
        pcm += audio + silence(gap_s)
        at += len(audio) / 32000 + gap_s
    return pcm + silence(1.0), turns


def silence(seconds: float, sample_rate: int = SAMPLE_RATE) -> bytes:
    return bytes(2 * int(seconds * sample_rate))


def chunks(pcm: bytes, chunk_ms: int = 100, sample_rate: int = SAMPLE_RATE) -> list[bytes]:
    """Fixed-size chunks; the last one is padded with silence to the full size (the server refuses
    chunks under 50 ms)."""
    size = 2 * sample_rate * chunk_ms // 1000
    out = [pcm[i : i + size] for i in range(0, len(pcm), size)]
    if out and len(out[-1]) < size:
        out[-1] = out[-1] + bytes(size - len(out[-1]))
    return out


def paced(pieces: Iterable[bytes], chunk_ms: int = 100) -> Iterable[bytes]:
    """Yield the chunks at real-time pace (absolute schedule, so delays do not add up)."""
    start = time.monotonic()
    for index, piece in enumerate(pieces):
        delay = start + index * chunk_ms / 1000 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        yield piece


class RawSession:
    """A plain ``websockets`` client for protocol-level checks (close codes, raw messages)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        from websockets.sync.client import connect

        self.ws = connect(url, additional_headers=headers or {}, open_timeout=10)
        self.messages: list[dict[str, Any]] = []
        self.close_code: int | None = None
        self.close_reason = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            for raw in self.ws:
                self.messages.append(json.loads(raw))
        except ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code
            self.close_reason = self.ws.close_reason or ""

    def send(self, data: bytes | dict[str, Any]) -> None:
        self.ws.send(json.dumps(data) if isinstance(data, dict) else data)

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.messages):
                if predicate(message):
                    return message
            if not self._reader.is_alive():
                break
            time.sleep(0.02)
        raise AssertionError(f"no matching message; got {self.messages[-5:]}, close {self.close_code}")

    def wait_closed(self, timeout: float = 30) -> int | None:
        self._reader.join(timeout)
        assert not self._reader.is_alive(), "the server did not close the connection"
        return self.close_code

    def close(self) -> None:
        self.ws.close()
        self._reader.join(5)


def encode_compressed(samples: np.ndarray, encoding: str, sample_rate: int = SAMPLE_RATE) -> list[bytes]:
    """Float samples encoded with PyAV as a client sends them: ``ogg_opus`` and ``aac`` as one
    byte stream (an Ogg Opus file, ADTS AAC at 44.1 kHz), ``opus`` as its raw packets, one each."""
    import io

    import av

    fmt, codec, rate = {"ogg_opus": ("ogg", "libopus", 48000), "opus": ("ogg", "libopus", 48000)}.get(
        encoding, ("adts", "aac", 44100)
    )
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        stream.bit_rate = 32000
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[np.newaxis, :], dtype=np.float32), format="flt", layout="mono"
        )
        frame.sample_rate = sample_rate
        for piece in resampler.resample(frame) + resampler.resample(None):
            out.mux(stream.encode(piece))
        out.mux(stream.encode(None))
    data = buffer.getvalue()
    if encoding != "opus":
        return [data]
    with av.open(io.BytesIO(data)) as container:
        return [bytes(p) for p in container.demux(container.streams.audio[0]) if p.size]


def split_unevenly(data: bytes, sizes: Iterable[int]) -> list[bytes]:
    """``data`` cut into pieces of the given sizes, cycled (the last piece what is left)."""
    out = []
    position = 0
    for size in itertools.cycle(sizes):
        if position >= len(data):
            return out
        out.append(data[position : position + size])
        position += size
    return out
