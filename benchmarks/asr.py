"""ASR speed, accuracy and memory: the API path against bare faster-whisper, same model and audio, one run.

    .venv/bin/python benchmarks/asr.py [--model tiny.en] [--repeats N] [--skip-utterances] [--json PATH]

Baseline: ``faster_whisper.WhisperModel`` with the server's device / compute type / threads and the exact
decode kwargs the server uses, in a subprocess of its own (so its peak RSS is its own). API path: the real
server (``tests.support.live_server.LiveServer``) driven by the official ``assemblyai`` SDK, timed from
before the upload to ``completed``. Model load is excluded on both sides (each is warmed with one short
file first). Utterances go through both paths sequentially, one file after another. Runs alternate
baseline / API.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
AUDIO_DIR = REPO_ROOT.parent / "shared" / "audio"
WARMUP = AUDIO_DIR / "jfk" / "jfk.wav"
POLLING_INTERVAL = 0.1
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))  # `tests` (LiveServer, references, WER) lives beside the package

Dataset = tuple[str, list[tuple[Path, str]]]  # name, [(audio file, reference text)]
Key = tuple[str, str]  # (dataset, "baseline" | "api")


# --------------------------------------------------------------------------- baseline worker (subprocess)


def baseline_worker(model_name: str) -> None:
    """Load the model, warm it, then answer one JSON line per JSON list of paths read from stdin."""
    from faster_whisper import WhisperModel

    from stenograph.config import get_settings
    from stenograph.pipeline.asr import whisper_decode_kwargs
    from stenograph.pipeline.models import ModelSettings, model_directory, placement
    from stenograph.pipeline.transcribe import plan_model
    from stenograph.pipeline.types import TranscribeOptions

    # What the server would use (as runtime.model_settings builds it; importing the runtime here
    # would load the whole server stack into the baseline's process and its peak memory).
    server = get_settings()
    settings = ModelSettings(
        device=server.device, cpu_threads=server.cpu_threads, cache_dir=server.resolved_model_cache_dir
    )
    where = placement(settings)
    model = WhisperModel(
        str(model_directory(model_name, settings)),
        device=where.device,
        compute_type=where.compute_type,
        cpu_threads=where.cpu_threads,
        local_files_only=True,
    )
    options = TranscribeOptions(model=model_name)
    kwargs = whisper_decode_kwargs(options, plan_model(options)[1])

    def run(path: str) -> str:
        segments, _ = model.transcribe(path, **kwargs)
        return " ".join(" ".join(segment.text for segment in segments).split())

    run(str(WARMUP))
    print(json.dumps({"ready": True, **dataclasses.asdict(where)}), flush=True)
    for line in sys.stdin:
        paths: list[str] = json.loads(line)
        start = time.perf_counter()
        texts = [run(path) for path in paths]
        print(json.dumps({"seconds": time.perf_counter() - start, "texts": texts}), flush=True)
    print(json.dumps({"peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


class Baseline:
    def __init__(self, model: str) -> None:
        command = [sys.executable, __file__, "--baseline-worker", "--model", model]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.info = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"baseline worker exited with {self.process.wait()}")
        return json.loads(line)

    def transcribe(self, paths: list[Path]) -> tuple[float, list[str]]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps([str(p) for p in paths]) + "\n")
        self.process.stdin.flush()
        reply = self._read()  # the worker's own timing: IPC is not counted
        return reply["seconds"], reply["texts"]

    def close(self) -> float:
        """Stop the worker; its peak RSS in MiB."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        peak = self._read()["peak_rss_mib"]
        self.process.wait()
        return peak


# --------------------------------------------------------------------------- API path (live server + SDK)


def api_transcribe(paths: list[Path]) -> tuple[float, list[str]]:
    import assemblyai as aai

    start = time.perf_counter()
    transcripts = [aai.Transcriber().transcribe(str(path)) for path in paths]
    seconds = time.perf_counter() - start
    for transcript in transcripts:
        if transcript.status != aai.TranscriptStatus.completed:
            raise RuntimeError(f"transcript {transcript.id} ended {transcript.status}: {transcript.error}")
    return seconds, [transcript.text or "" for transcript in transcripts]


def server_peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not found")


# --------------------------------------------------------------------------- data and reporting


def datasets(skip_utterances: bool) -> list[Dataset]:
    from tests.support.audio_refs import librispeech

    folder = AUDIO_DIR / "longform"
    refs = dict(line.split("\t", 1) for line in (folder / "refs.tsv").read_text().splitlines() if line)
    out: list[Dataset] = [("long-form", [(folder / "dev_concat.flac", refs["dev_concat"])])]
    if not skip_utterances:
        out.append(("utterances", librispeech(AUDIO_DIR)))
    return out


def audio_seconds(paths: list[Path]) -> float:
    from stenograph.pipeline.audio import SAMPLE_RATE, decode_audio

    return sum(len(decode_audio(path, SAMPLE_RATE)) / SAMPLE_RATE for path in paths)


def summarise(audio: float, times: list[float], refs: list[str], texts: list[str]) -> dict[str, Any]:
    from tests.support.audio_refs import wer

    best, median = min(times), statistics.median(times)
    rtf = {"rtf_best": audio / best, "rtf_median": audio / median, "wer": wer(refs, texts)}
    return {"audio_s": audio, "times_s": times, "best_s": best, "median_s": median, **rtf}


def compare(name: str, base: dict[str, Any], api: dict[str, Any], same_text: bool) -> dict[str, Any]:
    ratios = {k: api[f"rtf_{k}"] / base[f"rtf_{k}"] for k in ("best", "median")}
    same_wer = abs(api["wer"] - base["wer"]) < 1e-12
    return {"dataset": name, "baseline": base, "api": api, "ratio": ratios, "wer_identical": same_wer,
            "texts_identical": same_text}  # fmt: skip


def print_report(meta: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    print(f"\nmachine: {meta['cores']} cores; device {meta['device']}, compute type {meta['compute_type']}, "
          f"cpu_threads {meta['cpu_threads']} (0 = CTranslate2 default); model {meta['model']}; "
          f"repeats {meta['repeats']} (baseline/API alternating)")  # fmt: skip
    print(f"utterances: API path = SDK Transcriber().transcribe() one file after another "
          f"(polling_interval {meta['polling_interval']} s), as the baseline runs them\n")  # fmt: skip
    header = (f"{'dataset':<11} {'path':<9} {'audio s':>8} {'best s':>8} {'median s':>9} {'RTF best':>9} "
              f"{'RTF med':>8} {'WER %':>7} {'API/base best':>14} {'API/base med':>13}")  # fmt: skip
    print(header + "\n" + "-" * len(header))
    for row in rows:
        for side in ("baseline", "api"):
            r, q = row[side], row["ratio"]
            ratio = f"{q['best']:>14.3f} {q['median']:>13.3f}" if side == "api" else ""
            print(f"{row['dataset']:<11} {side:<9} {r['audio_s']:>8.1f} {r['best_s']:>8.2f} "
                  f"{r['median_s']:>9.2f} {r['rtf_best']:>8.1f}x {r['rtf_median']:>7.1f}x "
                  f"{100 * r['wer']:>7.2f} {ratio}")  # fmt: skip
    print()
    for row in rows:
        target = "meets" if row["ratio"]["best"] >= 0.95 else "BELOW"
        print(f"{row['dataset']}: WER identical: {'yes' if row['wer_identical'] else 'NO'}; normalised texts "
              f"identical: {'yes' if row['texts_identical'] else 'NO'}; API/baseline throughput "
              f"{target} the 0.95 target (best-of)")  # fmt: skip
    print(f"peak RSS: baseline process {meta['baseline_peak_rss_mib']:.0f} MiB (ru_maxrss), "
          f"server process {meta['server_peak_rss_mib']:.0f} MiB (VmHWM)")  # fmt: skip
    print(f"total benchmark wall time: {meta['total_wall_s']:.1f} s")


# --------------------------------------------------------------------------- main


def measure(
    args: argparse.Namespace, data: list[Dataset], baseline: Baseline
) -> tuple[dict[Key, list[float]], dict[Key, list[str]], float]:
    """Alternate baseline and API runs: wall times and texts per (dataset, path), the server's peak RSS."""
    import assemblyai as aai

    from tests.support.live_server import LiveServer

    times: dict[Key, list[float]] = {}
    texts: dict[Key, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="stenograph-bench-") as tmp:
        env = {"STENOGRAPH_DEFAULT_MODEL": args.model}
        server = LiveServer(data_dir=Path(tmp) / "data", api_key=secrets.token_hex(16), env=env).start()
        try:
            aai.settings.base_url, aai.settings.api_key = server.base_url, server.api_key
            aai.settings.polling_interval = POLLING_INTERVAL
            api_transcribe([WARMUP])  # the server loads its model at the first job
            for repeat in range(args.repeats):
                for name, pairs in data:
                    for side, run in (("baseline", baseline.transcribe), ("api", api_transcribe)):
                        seconds, out = run([path for path, _ in pairs])
                        times.setdefault((name, side), []).append(seconds)
                        texts.setdefault((name, side), out)
                        tag = f"[{repeat + 1}/{args.repeats}] {name:<10} {side:<8}"
                        print(f"{tag} {seconds:7.2f} s", flush=True)
            assert server.process is not None
            return times, texts, server_peak_rss_mib(server.process.pid)
        finally:
            server.stop()


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--skip-utterances", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--baseline-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_worker:
        baseline_worker(args.model)
        return

    from tests.support.audio_refs import normalise

    started = time.perf_counter()
    data = datasets(args.skip_utterances)
    baseline = Baseline(args.model)
    try:
        times, texts, server_peak = measure(args, data, baseline)
    finally:
        baseline_peak = baseline.close()
    rows = []
    for name, pairs in data:
        refs = [ref for _, ref in pairs]
        audio = audio_seconds([path for path, _ in pairs])
        base, api = (summarise(audio, times[(name, s)], refs, texts[(name, s)]) for s in ("baseline", "api"))
        api_texts, base_texts = texts[(name, "api")], texts[(name, "baseline")]
        same = [normalise(t) for t in api_texts] == [normalise(t) for t in base_texts]
        rows.append(compare(name, base, api, same))
    info = {k: baseline.info[k] for k in ("device", "compute_type", "cpu_threads")}
    meta = {"model": args.model, "repeats": args.repeats, "cores": os.cpu_count(), **info,
            "polling_interval": POLLING_INTERVAL, "baseline_peak_rss_mib": baseline_peak,
            "server_peak_rss_mib": server_peak, "total_wall_s": time.perf_counter() - started}  # fmt: skip
    print_report(meta, rows)
    if args.json:
        args.json.write_text(json.dumps({"meta": meta, "results": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
