"""Redacted audio (redact_pii_audio) on an hour of audio: the time to write the redacted copy, against
plain decoding of the same file measured in the same run.

    .venv/bin/python benchmarks/redacted_audio.py [--minutes 60] [--cases mono16k,stereo44k]
        [--mp3-threads 1,4] [--json PATH]

Each case repeats a shared clip into a temporary file of ``--minutes`` (16 kHz mono WAV from
jfk/jfk.wav; 44.1 kHz stereo FLAC, and MP3 as LAME writes it by default, from
jfk/jfk_44k_stereo.flac), with one 600 ms redaction every 10 s (360 an hour: more than a call with
a name, number or address every few sentences). It times:

- decode: every frame of the file decoded by PyAV at its own rate and format (nothing else);
- transcode mp3: the baseline of a redacted MP3, the file decoded and encoded whole by one LAME
  with the redaction's options, nothing hidden;
- decode_16k: the transcription's own decode (``pipeline.audio.decode_audio``: 16 kHz mono float);
- redact mp3 / wav: ``pipeline.redacted_audio.write_redacted_audio`` with the beep, as a job runs it
  (MP3 once per ``--mp3-threads`` value: its segments encoded on that many threads; default: the
  server's, ``min(4, cores)``; an MP3 source is spliced, only windows around the spans encoded).

The target: under 30 s for an hour of audio (``--limit``). Building the input is not timed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import av
import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
AUDIO_DIR = REPO_ROOT.parent / "shared" / "audio"
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from stenograph.pipeline import redacted_audio  # noqa: E402
from stenograph.pipeline.audio import decode_audio  # noqa: E402
from stenograph.pipeline.redacted_audio import write_redacted_audio  # noqa: E402
from stenograph.pipeline.types import Redaction  # noqa: E402

CASES = {
    # name: (shared clip, container, codec)
    "mono16k": (AUDIO_DIR / "jfk" / "jfk.wav", "wav", "pcm_s16le"),
    "stereo44k": (AUDIO_DIR / "jfk" / "jfk_44k_stereo.flac", "flac", "flac"),
    "stereo44k_mp3": (AUDIO_DIR / "jfk" / "jfk_44k_stereo.flac", "mp3", "libmp3lame"),
}
SPAN_EVERY_MS = 10_000
SPAN_MS = 600


def build_input(clip: Path, container_format: str, codec: str, seconds: float, out: Path) -> tuple[int, int]:
    """``clip`` repeated into ``out`` until it holds ``seconds``; its (sample rate, channels)."""
    with av.open(str(clip)) as source:
        stream = source.streams.audio[0]
        rate, channels = stream.codec_context.sample_rate, stream.codec_context.channels
        layout = {1: "mono", 2: "stereo"}[channels]
        resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)
        pieces = [f.to_ndarray() for frame in source.decode(stream) for f in resampler.resample(frame)]
    clip_samples = np.concatenate(pieces, axis=1)  # packed s16: (1, n * channels)
    total = int(seconds * rate)
    per_clip = clip_samples.shape[1] // channels
    with av.open(str(out), "w", format=container_format) as sink:
        encoder = sink.add_stream(codec, rate=rate, layout=layout)
        encoder.codec_context.format = "s16p" if codec == "libmp3lame" else "s16"
        written = 0
        while written < total:
            n = min(per_clip, total - written)
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(clip_samples[:, : n * channels]), format="s16", layout=layout
            )
            frame.sample_rate, frame.pts = rate, written
            for packet in encoder.encode(frame):
                sink.mux(packet)
            written += n
        for packet in encoder.encode(None):
            sink.mux(packet)
    return rate, channels


def plain_decode(path: Path) -> int:
    samples = 0
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.audio[0]):
            samples += frame.samples
    return samples


def plain_transcode(path: Path, out: Path) -> int:
    """The baseline: every frame decoded and encoded to MP3 by one LAME (the redaction's options),
    nothing hidden."""
    samples = 0
    with av.open(str(path)) as container, av.open(str(out), "w", format="mp3") as sink:
        source = container.streams.audio[0]
        layout = {1: "mono", 2: "stereo"}[source.codec_context.channels]
        encoder = sink.add_stream("libmp3lame", rate=source.codec_context.sample_rate, layout=layout)
        encoder.codec_context.options = dict(redacted_audio.MP3_OPTIONS)
        for frame in container.decode(source):
            samples += frame.samples
            frame.pts = None
            for packet in encoder.encode(frame):
                sink.mux(packet)
        for packet in encoder.encode(None):
            sink.mux(packet)
    return samples


def timed(fn: Any, *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--limit", type=float, default=30.0, help="seconds allowed per hour of audio")
    parser.add_argument("--mp3-threads", default=str(redacted_audio.MP3_THREADS))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    seconds = args.minutes * 60
    redactions = [
        Redaction(start, start + SPAN_MS, "person_name")
        for start in range(5_000, int(seconds * 1000), SPAN_EVERY_MS)
    ]
    limit = args.limit * seconds / 3600
    results: list[dict[str, Any]] = []
    print(f"{args.minutes:g} min of audio, {len(redactions)} redactions; limit {limit:.1f} s\n")
    header = (
        f"{'case':<13} {'step':<14} {'seconds':>8} {'x real time':>12} {'/ decode':>9} {'/ transcode':>12}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory(prefix="redacted-bench-") as scratch:
        for name in args.cases.split(","):
            clip, container_format, codec = CASES[name]
            source = Path(scratch) / f"{name}.{container_format}"
            rate, channels = build_input(clip, container_format, codec, seconds, source)
            decode_s, samples = timed(plain_decode, source)
            decode16_s, _ = timed(decode_audio, source, limits=_unbounded())
            transcode_s, _ = timed(plain_transcode, source, Path(scratch) / f"{name}-plain.mp3")
            rows = [("decode", decode_s), ("decode_16k", decode16_s), ("transcode mp3", transcode_s)]
            runs = [("mp3", int(n)) for n in args.mp3_threads.split(",")] + [("wav", 1)]
            for audio_format, threads in runs:
                redacted_audio.MP3_THREADS = threads
                redact_s, written = timed(
                    write_redacted_audio,
                    source,
                    redactions,
                    Path(scratch) / f"{name}-redacted",
                    audio_format=audio_format,
                )
                assert written.samples == samples and written.sample_rate == rate, written
                step = f"redact {audio_format}" + (f" x{threads}" if audio_format == "mp3" else "")
                rows.append((step, redact_s))
                written.path.unlink()
            for step, took in rows:
                print(
                    f"{name:<13} {step:<14} {took:8.2f} {seconds / took:11.0f}x {took / decode_s:8.1f}x"
                    f" {took / transcode_s:11.2f}x"
                    + (("  PASS" if took < limit else "  FAIL") if step.startswith("redact") else "")
                )
                results.append(
                    {
                        "case": name,
                        "sample_rate": rate,
                        "channels": channels,
                        "step": step,
                        "seconds": round(took, 3),
                        "audio_seconds": seconds,
                        "ratio_to_decode": round(took / decode_s, 2),
                        "ratio_to_transcode": round(took / transcode_s, 2),
                    }
                )
            source.unlink()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def _unbounded() -> Any:
    from stenograph.pipeline.audio import AudioLimits

    return AudioLimits(max_seconds=10 * 3600)


if __name__ == "__main__":
    main()
