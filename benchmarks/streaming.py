"""Real-time streaming: latency, accuracy and capacity of /v3/ws, one command.

    .venv/bin/python benchmarks/streaming.py [--utterances N] [--gap S] [--chunk-ms MS] [--levels 1,2,4,6,8]
        [--json PATH]

Streams LibriSpeech utterances from ../shared/audio/librispeech, joined by ``--gap`` seconds of
silence, to a live server (``tests.support.live_server.LiveServer``) at real-time pace in chunks
of ``--chunk-ms`` (100 ms), and prints:

- word-final latency: for every word, when the client first received it with ``word_is_final``, minus
  the audio time of the word's end (its ``end`` in the stream); p50 / p95. The clock is the audio's:
  stream time t is wall time ``start + t``, so a chunk goes out when its last sample has been
  spoken (with 100 ms chunks, chunk i, audio i x 100 to (i + 1) x 100 ms, at (i + 1) x 100 ms), as
  from a microphone: waiting for a chunk to fill is part of the latency;
- end-of-turn latency: when the ``end_of_turn`` Turn after an utterance arrived, minus when its speech
  stopped (the end of the last speech in the utterance by Silero VAD, computed offline); p50 / p95;
- WER of the final turns against the references, next to the WER of the batch path
  (``stenograph.pipeline.transcribe``, same model, same files, run in this process before streaming),
  and the relative difference;
- capacity: the same measurements with N sessions streaming at once (each its own utterances); a level
  holds when every session kept real time: end-of-turn p95 <= 1.5 s, word-final p95 <= 2.5 s, no error.

The machine's load average is printed too: on shared machines other work takes CPU from the server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
AUDIO_DIR = REPO_ROOT.parent / "shared" / "audio"
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # `tests` (LiveServer, references, WER) lives beside the package

CHUNK_MS = 100
SAMPLE_RATE = 16000
HOLD_EOT_P95_MS = 1500
HOLD_WORD_P95_MS = 2500


@dataclass
class Utterance:
    path: Path
    reference: str
    pcm: bytes
    speech_end: float  # seconds into the utterance where speech stops (VAD)


@dataclass
class Placed:
    utterance: Utterance
    offset: float  # seconds into the stream where the utterance starts


@dataclass
class SessionResult:
    placed: list[Placed]
    word_latencies: list[float] = field(default_factory=list)  # ms
    eot_latencies: list[float] = field(default_factory=list)  # ms
    texts: list[str] = field(default_factory=list)  # final turns' text per utterance
    error: str | None = None
    close_code: int | None = None
    decode_messages: int = 0


def load_utterances(count: int) -> list[Utterance]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    from stenograph.pipeline.audio import decode_audio
    from tests.support.audio_refs import librispeech

    out = []
    for path, reference in librispeech(AUDIO_DIR)[: count or None]:
        samples = decode_audio(path)
        spans = get_speech_timestamps(samples, VadOptions(min_silence_duration_ms=100, speech_pad_ms=0))
        speech_end = (spans[-1]["end"] if spans else len(samples)) / SAMPLE_RATE
        pcm = (samples.clip(-1, 1) * 32767).astype("<i2").tobytes()
        out.append(Utterance(path, reference, pcm, speech_end))
    return out


def build_stream(utterances: list[Utterance], gap: float) -> tuple[bytes, list[Placed]]:
    silence = bytes(2 * int(gap * SAMPLE_RATE))
    parts, placed, position = [silence[: len(silence) // 2]], [], gap / 2
    for utterance in utterances:
        placed.append(Placed(utterance, position))
        parts += [utterance.pcm, silence]
        position += len(utterance.pcm) / 2 / SAMPLE_RATE + gap
    return b"".join(parts), placed


async def stream_session(
    url: str, key: str, pcm: bytes, placed: list[Placed], chunk_ms: int = CHUNK_MS
) -> SessionResult:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    result = SessionResult(placed)
    size = 2 * SAMPLE_RATE * chunk_ms // 1000
    pieces = [pcm[i : i + size] for i in range(0, len(pcm), size)]
    if len(pieces[-1]) < size:
        pieces[-1] += bytes(size - len(pieces[-1]))
    finals_seen: set[tuple[int, int]] = set()
    turns: list[dict[str, Any]] = []  # ended turns, with their arrival
    loop = asyncio.get_running_loop()
    try:
        async with connect(url, additional_headers={"Authorization": key}, max_size=None) as ws:
            begin = json.loads(await ws.recv())
            assert begin["type"] == "Begin", begin
            start = loop.time()

            async def receive() -> None:
                async for raw in ws:
                    now = loop.time()
                    message = json.loads(raw)
                    if message.get("type") != "Turn" or message.get("turn_is_formatted"):
                        continue
                    result.decode_messages += 1
                    finals = [w for w in message["words"] if w["word_is_final"]]
                    for index, word in enumerate(finals):
                        if (message["turn_order"], index) not in finals_seen:
                            finals_seen.add((message["turn_order"], index))
                            result.word_latencies.append((now - start) * 1000 - word["end"])
                    if message["end_of_turn"]:
                        turns.append({**message, "arrived": now - start})

            receiver = asyncio.create_task(receive())
            for index, piece in enumerate(pieces):
                delay = start + (index + 1) * chunk_ms / 1000 - loop.time()  # once its audio is spoken
                if delay > 0:
                    await asyncio.sleep(delay)
                await ws.send(piece)
            await ws.send(json.dumps({"type": "Terminate"}))
            try:
                await asyncio.wait_for(receiver, timeout=60)
            except TimeoutError:
                result.error = "no Termination within 60 s"
            if ws.close_code not in (None, 1000):
                result.close_code = ws.close_code
                result.error = f"closed with {ws.close_code} {ws.close_reason}"
    except ConnectionClosed as closed:  # refused or shed (3009): counted apart from the sessions served
        code = closed.rcvd.code if closed.rcvd else None
        result.close_code = code
        result.error = f"closed with {code} {closed.rcvd.reason if closed.rcvd else ''}"

    ended = [(t["arrived"], t["words"][0]["start"], t["transcript"]) for t in turns if t["words"]]
    result.texts, result.eot_latencies = per_utterance(placed, ended)
    return result


def per_utterance(placed: list[Placed], ended: list[tuple[float, int, str]]) -> tuple[list[str], list[float]]:
    """Ended turns, as (arrival s, first word's start ms, text), given to the utterance their first word
    starts in: each utterance's text, and the end-of-turn latency (ms) of those that got one."""
    texts, latencies = [], []
    for index, item in enumerate(placed):
        begin_ms = (item.offset - 0.3) * 1000
        end_ms = (placed[index + 1].offset - 0.3) * 1000 if index + 1 < len(placed) else float("inf")
        mine = [(arrived, text) for arrived, start, text in ended if begin_ms <= start < end_ms]
        texts.append(" ".join(text for _, text in mine))
        speech_end = item.offset + item.utterance.speech_end
        after = [arrived for arrived, _ in mine if arrived >= speech_end]
        if after:
            latencies.append((min(after) - speech_end) * 1000)
    return texts, latencies


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def batch_texts(utterances: list[Utterance], model: str) -> tuple[list[str], float]:
    from stenograph.pipeline import TranscribeOptions, transcribe

    options = TranscribeOptions(model=model)
    transcribe(utterances[0].path, options)  # load and warm the model
    started = time.perf_counter()
    texts = [transcribe(u.path, options).text for u in utterances]
    return texts, time.perf_counter() - started


def summarise(results: list[SessionResult], batch: dict[Path, str] | None = None) -> dict[str, Any]:
    """Latency percentiles and WER of sessions; with ``batch`` (the batch path's text of each file)
    also the batch WER of the same utterances and the relative difference."""
    from tests.support.audio_refs import wer

    words = [x for r in results for x in r.word_latencies]
    eots = [x for r in results for x in r.eot_latencies]
    refs = [p.utterance.reference for r in results for p in r.placed]
    texts = [t for r in results for t in r.texts]
    streaming_wer = wer(refs, texts)
    batch_wer = (
        wer(refs, [batch[p.utterance.path] for r in results for p in r.placed]) if batch else float("nan")
    )
    return {
        "sessions": len(results),
        "words": len(words),
        "word_final_p50_ms": round(percentile(words, 50)),
        "word_final_p95_ms": round(percentile(words, 95)),
        "eot_p50_ms": round(percentile(eots, 50)),
        "eot_p95_ms": round(percentile(eots, 95)),
        "turns_missing": sum(len(r.placed) - len(r.eot_latencies) for r in results),
        "wer": round(streaming_wer, 4),
        "wer_batch": round(batch_wer, 4),
        "wer_relative": round((streaming_wer - batch_wer) / batch_wer, 4) if batch_wer else float("nan"),
        "errors": [r.error for r in results if r.error],
    }


async def run_level(
    server: Any,
    utterances: list[Utterance],
    sessions: int,
    per_session: int,
    gap: float,
    batch: dict[Path, str] | None = None,
    chunk_ms: int = CHUNK_MS,
) -> dict:
    url = f"ws://127.0.0.1:{server.port}/v3/ws?sample_rate={SAMPLE_RATE}"
    jobs = []
    for index in range(sessions):
        chosen = [utterances[(index * per_session + k) % len(utterances)] for k in range(per_session)]
        pcm, placed = build_stream(chosen, gap)
        jobs.append(stream_session(url, server.api_key, pcm, placed, chunk_ms))
        await asyncio.sleep(0.37)  # staggered starts, as real callers are
    results = await asyncio.gather(*jobs, return_exceptions=True)
    shed = [r for r in results if isinstance(r, SessionResult) and r.close_code == 3009]
    served = [r for r in results if isinstance(r, SessionResult) and r.close_code != 3009]
    summary = summarise(served, batch)
    summary["shed"] = len(shed)  # refused or closed by the server's load shedding
    summary["errors"] += [repr(r) for r in results if not isinstance(r, SessionResult)]
    summary["holds"] = (
        not summary["errors"]
        and not summary["shed"]
        and summary["turns_missing"] == 0
        and summary["eot_p95_ms"] <= HOLD_EOT_P95_MS
        and summary["word_final_p95_ms"] <= HOLD_WORD_P95_MS
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--utterances", type=int, default=0, help="LibriSpeech utterances in the main run (0: all 53)"
    )
    parser.add_argument("--gap", type=float, default=1.5, help="seconds of silence between utterances")
    parser.add_argument(
        "--chunk-ms", type=int, default=CHUNK_MS, help="audio per message (the API takes 50-1000 ms)"
    )
    parser.add_argument("--levels", default="1,2,4,6,8", help="concurrent sessions to try for capacity")
    parser.add_argument("--per-session", type=int, default=6, help="utterances per session in capacity runs")
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    from tests.support.live_server import LiveServer

    if not AUDIO_DIR.is_dir():
        sys.exit(f"shared audio not found at {AUDIO_DIR}")
    utterances = load_utterances(args.utterances)
    audio_seconds = sum(len(u.pcm) / 2 / SAMPLE_RATE for u in utterances)
    print(f"{len(utterances)} utterances, {audio_seconds:.0f} s of speech, {args.gap} s gaps; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip

    print("batch path (same model, in process) ...", flush=True)
    batch, batch_seconds = batch_texts(utterances, args.model)
    from tests.support.audio_refs import wer

    batch_wer = wer([u.reference for u in utterances], batch)

    data_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"stenograph-stream-bench-{secrets.token_hex(4)}"
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    server = LiveServer(
        data_dir=data_dir / "data",
        api_key=secrets.token_hex(16),
        env={
            "STENOGRAPH_STREAMING_MAX_SESSIONS": str(max([*levels, 1]) + 1),
            "STENOGRAPH_STREAMING_MODEL": args.model,
            "STENOGRAPH_EMBEDDED_WORKER": "0",
        },
    ).start()
    try:
        print("warming the server's model ...", flush=True)
        asyncio.run(run_level(server, utterances[:1], 1, 1, 1.0))
        print(f"main run: one session, {len(utterances)} utterances at real-time pace ...", flush=True)
        pcm, placed = build_stream(utterances, args.gap)
        url = f"ws://127.0.0.1:{server.port}/v3/ws?sample_rate={SAMPLE_RATE}"
        main_result = asyncio.run(stream_session(url, server.api_key, pcm, placed, args.chunk_ms))
        batch_by_path = {u.path: text for u, text in zip(utterances, batch, strict=True)}
        main = summarise([main_result], batch_by_path)
        capacity = []
        for level in levels:
            print(f"capacity: {level} concurrent session(s) ...", flush=True)
            row = asyncio.run(
                run_level(server, utterances, level, args.per_session, args.gap, batch_by_path, args.chunk_ms)
            )
            row["load_average"] = round(os.getloadavg()[0], 2)
            capacity.append(row)
            print(f"  {row}", flush=True)
    finally:
        server.stop()

    relative = (main["wer"] - batch_wer) / batch_wer if batch_wer else float("nan")
    held = [row["sessions"] for row in capacity if row["holds"]]
    report = {
        "model": args.model,
        "utterances": len(utterances),
        "speech_seconds": round(audio_seconds, 1),
        "word_final_latency_ms": {"p50": main["word_final_p50_ms"], "p95": main["word_final_p95_ms"]},
        "end_of_turn_latency_ms": {"p50": main["eot_p50_ms"], "p95": main["eot_p95_ms"]},
        "wer_streaming": main["wer"],
        "wer_batch": round(batch_wer, 4),
        "wer_relative_to_batch": round(relative, 4),
        "batch_seconds": round(batch_seconds, 2),
        "main_errors": main["errors"],
        "turns_missing": main["turns_missing"],
        "capacity": capacity,
        "concurrent_sessions_held": max(held) if held else 0,
        "cpus": os.cpu_count(),
        "load_average_end": round(os.getloadavg()[0], 2),
    }
    print()
    print(f"model {args.model}, {len(utterances)} LibriSpeech utterances ({audio_seconds:.0f} s of speech)")
    word, eot = main, main
    print(
        f"word-final latency   p50 {word['word_final_p50_ms']:>5} ms   p95 {word['word_final_p95_ms']:>5} ms"
        f"   ({word['words']} words)"
    )
    print(
        f"end-of-turn latency  p50 {eot['eot_p50_ms']:>5} ms   p95 {eot['eot_p95_ms']:>5} ms   (after speech"
        f" stops, by VAD; {eot['turns_missing']} utterances without an end of turn)"
    )
    print(f"WER streaming {main['wer']:.2%}  batch {batch_wer:.2%}  relative {relative:+.1%}")
    print("capacity (sessions: word-final p50/p95, end-of-turn p50/p95, WER streaming/batch, holds):")
    for row in capacity:
        print(f"  {row['sessions']:>2}: {row['word_final_p50_ms']}/{row['word_final_p95_ms']} ms, "
              f"{row['eot_p50_ms']}/{row['eot_p95_ms']} ms, {row['wer']:.2%}/{row['wer_batch']:.2%}, "
              f"{row['shed']} shed, {'holds' if row['holds'] else 'does not hold'} "
              f"(load {row['load_average']})")  # fmt: skip
    print(
        f"concurrent real-time sessions held on {os.cpu_count()} CPUs: {report['concurrent_sessions_held']}"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
