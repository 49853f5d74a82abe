"""Streaming engine replayed on a virtual clock: the live benchmark's figures, faster, per setting.

    .venv/bin/python benchmarks/streaming_replay.py [--utterances N] [--decode-ms MS] [--chunk-ms MS]
        [SETTINGS ...]

Each SETTINGS is ``name=value,...`` over :class:`stenograph.streaming.engine.StreamConfig` (empty:
the defaults), e.g. ``decode_step_ms=150`` ``anchor_words=3,slide_words=5``. One session's stream
(the same as ``benchmarks/streaming.py`` builds) is fed chunk by chunk; every decode really runs and
takes its measured time on the clock, while the idle time between chunks is skipped. So a setting
costs its decoding time, not the stream's length, and the figures match a live single-session run
(word-final and end-of-turn latency, WER against the batch path on the same utterances). For tuning;
the live benchmark remains the measure (it includes the server, the socket and concurrent sessions).

Decode times differ a little from run to run, so the windows do, and tiny.en's words with them: two
runs of one setting can differ by a point of WER. ``--decode-ms`` counts every decode as that long
instead, so every run sees the same windows and settings that do not change a decode's cost compare
pairwise.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from streaming import (  # a sibling script, importable once its folder is on the path
    CHUNK_MS,
    SAMPLE_RATE,
    Placed,
    batch_texts,
    build_stream,
    load_utterances,
    per_utterance,
    percentile,
)

from stenograph.streaming.engine import (
    DecodeJob,
    JobResult,
    StreamConfig,
    StreamingEngine,
    TurnEvent,
    run_job,
)


def parse_settings(text: str) -> StreamConfig:
    config = StreamConfig()
    for part in filter(None, text.split(",")):
        name, value = part.split("=", 1)
        current = getattr(config, name)  # AttributeError names an unknown setting
        setattr(config, name, type(current)(value))
    return config


@dataclass
class Replay:
    """One session on a virtual clock: a decode starts when due and the engine is free, and its
    result is applied at start + its measured duration."""

    engine: StreamingEngine
    decoder: object
    decode_seconds: float | None = None  # every decode takes this long on the clock (None: as measured)
    chunk_ms: int = CHUNK_MS
    events: list[tuple[float, TurnEvent]] = field(default_factory=list)
    in_flight: tuple[DecodeJob, JobResult, float] | None = None
    compute_s: float = 0.0

    def start_decode(self, now: float) -> None:
        job = self.engine.pending_decode()
        if job is None:
            self.in_flight = None
            return
        started = time.perf_counter()
        result = run_job(self.decoder, job)  # type: ignore[arg-type]
        took = time.perf_counter() - started
        self.compute_s += took
        self.in_flight = (job, result, now + (took if self.decode_seconds is None else self.decode_seconds))

    def settle(self, now: float) -> None:
        while self.in_flight is not None and self.in_flight[2] <= now:
            job, result, finished = self.in_flight
            self.events += [(finished, e) for e in self.engine.complete_decode(job, result)]
            self.start_decode(finished)

    def run(self, samples: np.ndarray) -> None:
        size = SAMPLE_RATE * self.chunk_ms // 1000
        chunks = len(samples) // size
        for index in range(chunks):
            now = (index + 1) * self.chunk_ms / 1000  # as the live client: chunk i once its audio is spoken
            self.settle(now)
            self.events += [(now, e) for e in self.engine.feed(samples[index * size : (index + 1) * size])]
            if self.in_flight is None:
                self.start_decode(now)
        now = chunks * self.chunk_ms / 1000
        self.events += [(now, e) for e in self.engine.force_endpoint(final=True)]
        if self.in_flight is None:
            self.start_decode(now)
        self.settle(float("inf"))


def measure(replay: Replay, placed: list[Placed]) -> tuple[list[float], list[float], list[str]]:
    """Word-final latencies, end-of-turn latencies (ms) and each utterance's final text, counted as
    ``benchmarks/streaming.py`` counts them."""
    seen: set[tuple[int, int]] = set()
    word_latencies: list[float] = []
    ended: list[tuple[float, TurnEvent]] = []
    for now, event in replay.events:
        for index, word in enumerate(w for w in event.words if w.final):
            if (event.turn_order, index) not in seen:
                seen.add((event.turn_order, index))
                word_latencies.append(now * 1000 - word.end)
        if event.end_of_turn:
            ended.append((now, event))
    texts, eot_latencies = per_utterance(
        placed, [(now, e.words[0].start, " ".join(w.text for w in e.words)) for now, e in ended if e.words]
    )
    return word_latencies, eot_latencies, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utterances", type=int, default=20, help="LibriSpeech utterances (0: all 53)")
    parser.add_argument("--gap", type=float, default=1.5)
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument(
        "--decode-ms",
        type=float,
        help="count every decode as this long instead of its measured time: the same windows on every"
        " run, so settings compare without the run-to-run jitter of timings (latencies then follow it)",
    )
    parser.add_argument("--chunk-ms", type=int, default=CHUNK_MS, help="audio per message, as the live one")
    parser.add_argument(
        "--show", action="store_true", help="print reference, batch and streaming text where they differ"
    )
    parser.add_argument("settings", nargs="*", default=[""])
    args = parser.parse_args()

    from stenograph.streaming.decoder import get_decoder
    from tests.support.audio_refs import wer

    utterances = load_utterances(args.utterances)
    references = [u.reference for u in utterances]
    batch, _ = batch_texts(utterances, args.model)
    batch_wer = wer(references, batch)
    pcm, placed = build_stream(utterances, args.gap)
    samples = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768
    decoder = get_decoder(args.model)
    stream_seconds = len(samples) / SAMPLE_RATE
    print(f"{len(utterances)} utterances, {stream_seconds:.0f} s of stream, batch WER {batch_wer:.2%}")
    decode_seconds = None if args.decode_ms is None else args.decode_ms / 1000
    for settings in args.settings:
        replay = Replay(StreamingEngine(parse_settings(settings)), decoder, decode_seconds, args.chunk_ms)
        replay.run(samples)
        words, eots, texts = measure(replay, placed)
        streaming_wer = wer(references, texts)
        print(
            f"[{settings or 'defaults'}] word-final p50 {percentile(words, 50):.0f}"
            f" p95 {percentile(words, 95):.0f} ms | end-of-turn p50 {percentile(eots, 50):.0f}"
            f" p95 {percentile(eots, 95):.0f} ms"
            f" | WER {streaming_wer:.2%} ({(streaming_wer - batch_wer) / batch_wer:+.1%} vs batch)"
            f" | {replay.engine.decodes} decodes, {replay.compute_s / stream_seconds:.2f}x real time",
            flush=True,
        )
        if args.show:
            for index, (reference, batch_text, text) in enumerate(zip(references, batch, texts, strict=True)):
                if wer([reference], [text]) > wer([reference], [batch_text]):
                    print(f"  #{index}\n    ref   {reference}\n    batch {batch_text}\n    live  {text}")


if __name__ == "__main__":
    main()
