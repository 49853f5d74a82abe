"""The language model's quality and speed (issue 24), one command:

    .venv/bin/python benchmarks/llm.py [--json PATH] [--threads N] [--skip-structured] [--skip-...]

Each part can run alone (``--skip-`` the others); the model is loaded only when a part needs it.

Question answering: the questions of benchmarks/data/llm_qa.json (written from the references
before any model ran) over four real recordings of ../shared/audio as tiny.en transcribes them
(transcribed in a child process, so that the memory figure below is the language model's), asked
as the LLM Gateway asks with ``transcript_id`` (the transcript in a system message), greedy, 40
tokens at most. An answer is right when it holds an accepted answer (lower case, punctuation
removed).

Structured output: 50 ``json_schema`` requests (10 schemas x 5 inputs below); each response parsed
and validated against its schema.

Speed: time to first token of a short chat (median of 5, streamed, model loaded), generation
tokens/s, and the process's resident memory with the model loaded (VmRSS, VmHWM).

Speed through HTTP (--skip-http-speed): a real ``stenograph serve`` with the packaged model; after
one warm-up chat (the model loads on first use), 5 short chats streamed from
``POST /v1/chat/completions`` (``stream: true``), each timed from the request to the first
server-sent event that carries text; and the server's resident memory then (VmRSS, VmHWM).

Translation (the transcript option's own code, stenograph/llmtasks/translation.py): chrF (character
6-grams, beta 2, as sacrebleu's default chrF2) of English -> de/es/fr/it/pt against references.
Held out: the 40 ``test`` sentences of benchmarks/data/translation_parallel.tsv (hand-written
meeting, call and interview speech with references in each language; the 20 ``dev`` ones are for
tuning), chrF per sentence averaged and on the joined text. Secondary (--skip-translation-paragraph):
the Azure sample paragraphs of ../shared/audio/multilingual/refs.tsv
(``azure_<lang>_train_audio1``: one English paragraph and its published translations). The FLEURS
sentences there are not parallel: each language's six ids are different sentences (only fr-005 and
pt-002 say the same thing, and neither is English), so they are not used.

Speaker identification on text (--skip-dialogues): the hand-written dialogues of
benchmarks/data/speaker_role_dialogues.json (roles to infer, names said by others) through
speakers.identify as the server runs it; the fraction of speakers mapped right, dev and test apart.

Speaker identification by role (stenograph/llmtasks/speakers.py) on the 2-3 speaker clips, with the
roles of benchmarks/data/llm_speaker_roles.json (written before any model ran): tiny.en with
diarization transcribes; each diarized label is scored against the reference speaker it overlaps
most.

Chapter boundaries (no language model): auto_chapters' boundary step (stenograph/llmtasks/
chapters.py: sentence embeddings, TextTiling depth scores) on the tiny.en transcript of the 7-minute
longform/dev_concat.flac, against its reference topic shifts (dev_concat.segments.tsv: a new
LibriSpeech speaker-chapter is a new book). Boundary precision/recall/F1 within 15 s, and Pk and
WindowDiff over the transcript's sentences (k: half the mean reference segment). The boundary
parameters were chosen before this file was scored and are not tuned on it.

Long summary: the time of a ``summarization`` (paragraph) of the 7-minute
longform/dev_concat.flac transcript repeated four times (~29 minutes of text), longer than the
model's 8192-token context, so condensed chunk by chunk first (stenograph/llmtasks/summary.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from stenograph.config import load_settings  # noqa: E402
from stenograph.llm import ChatMessage, GenerationRequest, LLMEngine  # noqa: E402
from stenograph.llm.factory import LLMSettings, build_engine  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from segmentation import boundary_scores, pk, window_diff, window_size  # noqa: E402

AUDIO = REPO_ROOT.parent / "shared" / "audio"
QA = Path(__file__).parent / "data" / "llm_qa.json"
CACHE = Path("/tmp") / "stenograph-bench-llm"
# As the LLM Gateway puts a transcript_id's transcript into the context (api/llm_gateway/routes.py).
TRANSCRIPT_INSTRUCTION = (
    "The transcript of a recording follows. Use it to answer the user's request.\n\n"
    "<transcript>\n{text}\n</transcript>"
)


def _transcribe(path: str) -> str:
    from stenograph.pipeline import TranscribeOptions, transcribe

    return transcribe(path, TranscribeOptions(model="tiny.en")).text


def transcripts(recordings: dict[str, str]) -> tuple[dict[str, str], float]:
    CACHE.mkdir(exist_ok=True)
    texts: dict[str, str] = {}
    todo = {k: v for k, v in recordings.items() if not (CACHE / f"{k}.txt").is_file()}
    started = time.monotonic()
    if todo:
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            for name, text in zip(
                todo, pool.map(_transcribe, [str(AUDIO / p) for p in todo.values()]), strict=True
            ):
                (CACHE / f"{name}.txt").write_text(text)
    for name in recordings:
        texts[name] = (CACHE / f"{name}.txt").read_text()
    return texts, time.monotonic() - started


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.lower()).split())


def right(answer: str, item: dict[str, Any]) -> bool:
    said = _norm(answer)
    if "all" in item:
        return all(_norm(a) in said for a in item["all"])
    return any(_norm(a) in said for a in item["any"])


def memory(pid: int | str = "self") -> dict[str, float]:
    """A process's resident memory (VmRSS) and its peak (VmHWM), in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM")):
            key, value = line.split(":")
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return fields


def ask(
    engine: LLMEngine, messages: list[ChatMessage], max_tokens: int, schema: dict[str, Any] | None = None
):
    return engine.generate(
        GenerationRequest(
            messages=tuple(messages), max_tokens=max_tokens, temperature=0.0, json_schema=schema
        )
    )


def speed(engine: LLMEngine) -> dict[str, Any]:
    firsts, rates = [], []
    for n in range(5):
        started = time.monotonic()
        first: list[float] = []
        result = engine.generate(
            GenerationRequest(
                messages=(ChatMessage("user", f"Write one sentence about the number {n + 3}."),),
                max_tokens=40,
            ),
            on_token=lambda _p, first=first, started=started: (
                first or first.append(time.monotonic() - started)
            ),
        )
        firsts.append(first[0])
        if result.completion_tokens > 1:
            rates.append((result.completion_tokens - 1) / max(1e-6, result.seconds - first[0]))
    return {
        "ttft_s_median": round(statistics.median(firsts), 2),
        "ttft_s_max": round(max(firsts), 2),
        "generation_tokens_per_s": round(statistics.median(rates), 1) if rates else None,
    }


def http_speed(cache_dir: Path, threads: int) -> dict[str, Any]:
    import secrets
    import tempfile

    import httpx

    from tests.support.live_server import LiveServer

    env = {"STENOGRAPH_MODEL_CACHE_DIR": str(cache_dir), "STENOGRAPH_EMBEDDED_WORKER": "false"}
    if threads:
        env["STENOGRAPH_LLM_THREADS"] = str(threads)
    with tempfile.TemporaryDirectory() as folder:
        server = LiveServer(data_dir=Path(folder) / "data", api_key=secrets.token_hex(16), env=env)
        server.start()
        try:
            headers = {"Authorization": server.api_key}
            with httpx.Client(base_url=server.base_url, headers=headers, timeout=300) as client:
                firsts = [_first_text_s(client, n) for n in range(6)][1:]  # the first loads the model
            assert server.process is not None
            rss = memory(server.process.pid)
        finally:
            server.stop()
    return {
        "ttft_s_median": round(statistics.median(firsts), 2),
        "ttft_s_max": round(max(firsts), 2),
        "server_memory_mb": rss,
    }


def _first_text_s(client: Any, n: int) -> float:
    body = {
        "model": "claude-sonnet-4-5",
        "messages": [{"role": "user", "content": f"Write one sentence about the number {n + 3}."}],
        "max_tokens": 40,
        "stream": True,
    }
    started = time.monotonic()
    first = None
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if first is None and line.startswith("data: {"):
                delta = json.loads(line[6:])["choices"][0].get("delta") or {}
                if delta.get("content"):
                    first = time.monotonic() - started
    if first is None:
        raise RuntimeError("the stream carried no text")
    return first


def qa(engine: LLMEngine, texts: dict[str, str], items: list[dict[str, Any]]) -> dict[str, Any]:
    per: dict[str, list[bool]] = {}
    wrong = []
    started = time.monotonic()
    prompt_tokens = {}
    for item in items:
        messages = [
            ChatMessage("system", TRANSCRIPT_INSTRUCTION.format(text=texts[item["recording"]])),
            ChatMessage("user", item["question"] + " Answer in a few words."),
        ]
        result = ask(engine, messages, 40)
        prompt_tokens[item["recording"]] = result.prompt_tokens
        ok = right(result.text, item)
        per.setdefault(item["recording"], []).append(ok)
        if not ok:
            wrong.append({"question": item["question"], "answer": result.text.strip()})
    flat = [ok for oks in per.values() for ok in oks]
    return {
        "questions": len(flat),
        "accuracy": round(sum(flat) / len(flat), 3),
        "per_recording": {k: f"{sum(v)}/{len(v)}" for k, v in per.items()},
        "transcript_prompt_tokens": prompt_tokens,
        "seconds": round(time.monotonic() - started, 1),
        "wrong": wrong,
    }


CALL = (
    "Agent: Thanks for calling Northwind, this is Priya. Customer: Hi, I'm Tom Baker, my order 5512 "
    "arrived broken. Agent: Sorry about that, Tom. I'll send a replacement by Friday and refund the "
    "shipping of 7 dollars 50. Customer: Great, thank you, that's very kind."
)
INPUTS = [
    CALL,
    "Maria: The budget review moved to Tuesday. Ken: I'll book room 4 and send the agenda by noon. "
    "Maria: Thanks. Ken, also invite Lee from finance.",
    "Diane in New Jersey and Sheila in Texas talk on the phone; both are originally from Chicago.",
    "Doctor: Take 200 milligrams twice a day for 10 days. Patient: Should I take it with food? "
    "Doctor: Yes, and come back in two weeks if the cough persists.",
    "Support: Your ticket 88231 is resolved, the password was reset. Customer: It still fails on my "
    "phone. Support: Then I'll escalate it to level two today.",
]
SCHEMAS: list[tuple[str, dict[str, Any]]] = [
    (
        "List the people named, with a role for each.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["people"],
            "properties": {
                "people": {
                    "type": "array",
                    "maxItems": 6,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "role"],
                        "properties": {"name": {"type": "string"}, "role": {"type": "string"}},
                    },
                }
            },
        },
    ),
    (
        "What is the overall sentiment?",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["sentiment"],
            "properties": {"sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]}},
        },
    ),
    (
        "Summarise in one sentence, and give a title.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["title", "summary"],
            "properties": {
                "title": {"type": "string", "maxLength": 80},
                "summary": {"type": "string", "maxLength": 300},
            },
        },
    ),
    (
        "List the action items.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["action_items"],
            "properties": {
                "action_items": {
                    "type": "array",
                    "maxItems": 5,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["owner", "task"],
                        "properties": {"owner": {"type": "string"}, "task": {"type": "string"}},
                    },
                }
            },
        },
    ),
    (
        "List every number mentioned.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["numbers"],
            "properties": {"numbers": {"type": "array", "maxItems": 8, "items": {"type": "number"}}},
        },
    ),
    (
        "Is a follow-up needed, and how urgent is it (1-5)?",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["follow_up", "urgency"],
            "properties": {
                "follow_up": {"type": "boolean"},
                "urgency": {"type": "integer", "minimum": 1, "maximum": 5},
            },
        },
    ),
    (
        "Give the speakers as a mapping from label to name.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["speakers"],
            "properties": {
                "speakers": {
                    "type": "array",
                    "maxItems": 4,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["label", "name"],
                        "properties": {
                            "label": {"type": "string", "enum": ["A", "B", "C", "D"]},
                            "name": {"type": "string"},
                        },
                    },
                }
            },
        },
    ),
    (
        "Classify the conversation.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["category", "confidence"],
            "properties": {
                "category": {"type": "string", "enum": ["support", "meeting", "medical", "social", "other"]},
                "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            },
        },
    ),
    (
        "Give three keywords.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["keywords"],
            "properties": {
                "keywords": {
                    "type": "array",
                    "minItems": 3,
                    "maxItems": 3,
                    "items": {"type": "string", "maxLength": 30},
                }
            },
        },
    ),
    (
        "Answer: does anyone promise to do something? Quote it if so.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["promise"],
            "properties": {"promise": {"anyOf": [{"type": "null"}, {"type": "string", "maxLength": 200}]}},
        },
    ),
]


def structured(engine: LLMEngine) -> dict[str, Any]:
    import jsonschema_rs

    parsed = valid = total = 0
    failures = []
    started = time.monotonic()
    for instruction, schema in SCHEMAS:
        validator = jsonschema_rs.validator_for(schema)
        for text in INPUTS:
            total += 1
            result = ask(
                engine, [ChatMessage("user", f"{text}\n\n{instruction} Answer in JSON.")], 200, schema
            )
            try:
                value = json.loads(result.text)
            except ValueError:
                failures.append(
                    {"instruction": instruction, "text": result.text[:200], "finish": result.finish_reason}
                )
                continue
            parsed += 1
            if validator.is_valid(value):
                valid += 1
            else:
                failures.append({"instruction": instruction, "value": value})
    return {
        "requests": total,
        "parsed": parsed,
        "valid": valid,
        "seconds": round(time.monotonic() - started, 1),
        "failures": failures,
    }


# --------------------------------------------------------------------------- language-model tasks


def chrf(hypothesis: str, reference: str, order: int = 6, beta: float = 2.0) -> float:
    """chrF (sacrebleu's chrF2: character n-grams 1..6, whitespace removed, beta 2), 0-100."""

    def grams(text: str, n: int) -> dict[str, int]:
        text = "".join(text.split())
        out: dict[str, int] = {}
        for i in range(len(text) - n + 1):
            out[text[i : i + n]] = out.get(text[i : i + n], 0) + 1
        return out

    precisions, recalls = [], []
    for n in range(1, order + 1):
        hyp, ref = grams(hypothesis, n), grams(reference, n)
        match = sum(min(c, ref.get(g, 0)) for g, c in hyp.items())
        if hyp:
            precisions.append(match / sum(hyp.values()))
        if ref:
            recalls.append(match / sum(ref.values()))
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    if p + r == 0:
        return 0.0
    return 100 * (1 + beta**2) * p * r / (beta**2 * p + r)


def _refs() -> dict[str, str]:
    rows = (AUDIO / "multilingual" / "refs.tsv").read_text().splitlines()[1:]
    return {row.split("\t")[0]: row.split("\t")[3] for row in rows if row.count("\t") >= 3}


def translation_chrf(engine: LLMEngine) -> dict[str, Any]:
    from stenograph.llmtasks.generate import Generator
    from stenograph.llmtasks.translation import translate_lines

    refs = _refs()
    source = refs["azure_en-US_train_audio1"]
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", source) if s.strip()]
    scores: dict[str, float] = {}
    outputs: dict[str, str] = {}
    seconds: dict[str, float] = {}
    for lang, ref_id in (("de", "de-DE"), ("es", "es-ES"), ("fr", "fr-FR"), ("it", "it-IT"), ("pt", "pt-BR")):
        started = time.monotonic()
        text = " ".join(translate_lines(Generator(engine), sentences, lang, formal=False))
        seconds[lang] = round(time.monotonic() - started, 1)
        outputs[lang] = text
        scores[lang] = round(chrf(text, refs[f"azure_{ref_id}_train_audio1"]), 1)
    scores["mean"] = round(statistics.mean(scores.values()), 1)
    return {"chrf": scores, "seconds": seconds, "sentences": len(sentences), "outputs": outputs}


PARALLEL = Path(__file__).parent / "data" / "translation_parallel.tsv"
TARGETS = ("de", "es", "fr", "it", "pt")


def parallel_chrf(engine: LLMEngine, split: str = "test") -> dict[str, Any]:
    """chrF per language on the hand-written sentences of translation_parallel.tsv (``split``),
    translated in one request's batches as the transcript option does (translate_lines: numbered
    lines under a JSON schema). Scored per sentence and averaged (a sentence whose translation is
    missing counts 0), and on the joined text."""
    from stenograph.llmtasks.generate import Generator
    from stenograph.llmtasks.translation import translate_lines

    lines = PARALLEL.read_text().splitlines()
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:] if line.strip()]
    rows = [r for r in rows if r["split"] == split]
    sources = [r["en"] for r in rows]
    per_sentence: dict[str, float] = {}
    joined: dict[str, float] = {}
    seconds: dict[str, float] = {}
    worst: dict[str, list[dict[str, Any]]] = {}
    for lang in TARGETS:
        started = time.monotonic()
        got = translate_lines(Generator(engine), sources, lang, formal=False)
        seconds[lang] = round(time.monotonic() - started, 1)
        scores = [chrf(hyp, row[lang]) for hyp, row in zip(got, rows, strict=True)]
        per_sentence[lang] = round(statistics.mean(scores), 1)
        joined[lang] = round(chrf(" ".join(got), " ".join(r[lang] for r in rows)), 1)
        ranked = sorted(zip(scores, got, rows, strict=True), key=lambda x: x[0])[:3]
        worst[lang] = [
            {"id": r["id"], "chrf": round(sc, 1), "got": hyp, "reference": r[lang]} for sc, hyp, r in ranked
        ]
    per_sentence["mean"] = round(statistics.mean(per_sentence[lang] for lang in TARGETS), 1)
    joined["mean"] = round(statistics.mean(joined[lang] for lang in TARGETS), 1)
    return {
        "split": split,
        "sentences": len(rows),
        "chrf_sentence_mean": per_sentence,
        "chrf_joined": joined,
        "seconds": seconds,
        "worst": worst,
    }


DIALOGUES = Path(__file__).parent / "data" / "speaker_role_dialogues.json"


def _all_right(counts: dict[str, list[int]]) -> int:
    return sum(r == o for r, o in zip(counts["right"], counts["of"], strict=True))


def dialogue_speakers(engine: LLMEngine) -> dict[str, Any]:
    """Speaker identification on the hand-written dialogues of speaker_role_dialogues.json: each
    dialogue's utterances as a transcript's, through the server's speakers.identify with its
    ``speaker_type`` and ``known_values``; a speaker is right when mapped to its expected value.
    dev and test reported apart, and role / name dialogues apart."""
    from stenograph.llmtasks.generate import Generator
    from stenograph.llmtasks.speakers import identify

    dialogues = json.loads(DIALOGUES.read_text())["dialogues"]
    tally: dict[str, dict[str, list[int]]] = {}
    wrong: list[dict[str, Any]] = []
    started = time.monotonic()
    for dialogue in dialogues:
        utterances = [
            {"speaker": u["speaker"], "text": u["text"], "start": i * 1000, "end": i * 1000 + 900}
            for i, u in enumerate(dialogue["utterances"])
        ]
        result = {"text": " ".join(u["text"] for u in utterances), "utterances": utterances, "words": []}
        mapping = identify(
            Generator(engine),
            result,
            speaker_type=dialogue["speaker_type"],
            known_values=dialogue.get("known_values") or [],
        )
        expected = dialogue["expected"]
        ok = sum(mapping.get(label) == value for label, value in expected.items())
        for key in (dialogue["split"], f"{dialogue['split']}/{dialogue['speaker_type']}"):
            counts = tally.setdefault(key, {"right": [], "of": []})
            counts["right"].append(ok)
            counts["of"].append(len(expected))
        if ok < len(expected):
            wrong.append(
                {"id": dialogue["id"], "split": dialogue["split"], "got": mapping, "expected": expected}
            )
    return {
        "accuracy": {
            key: {
                "speakers_right": f"{sum(c['right'])}/{sum(c['of'])}",
                "accuracy": round(sum(c["right"]) / sum(c["of"]), 3),
                "dialogues_all_right": f"{_all_right(c)}/{len(c['of'])}",
            }
            for key, c in sorted(tally.items())
        },
        "seconds": round(time.monotonic() - started, 1),
        "wrong": wrong,
    }


def _diarized(path: str, speakers: int) -> dict[str, Any]:
    from stenograph.pipeline import TranscribeOptions, transcribe

    result = transcribe(
        path, TranscribeOptions(model="tiny.en", speaker_labels=True, speakers_expected=speakers)
    )
    words = [{"text": w.text, "start": w.start, "end": w.end, "speaker": w.speaker} for w in result.words]
    utterances = [
        {"speaker": u.speaker, "text": u.text, "start": u.start, "end": u.end}
        for u in result.utterances or ()
    ]
    return {"words": words, "utterances": utterances}


def _reference_speaker(stm: Path, words: list[dict[str, Any]]) -> dict[str, str]:
    """Each diarized label -> the reference speaker its words overlap most (by time)."""
    turns = []
    for line in stm.read_text().splitlines():
        parts = line.split()
        turns.append((parts[2], float(parts[3]) * 1000, float(parts[4]) * 1000))
    overlap: dict[str, dict[str, float]] = {}
    for w in words:
        for speaker, start, end in turns:
            shared = min(end, w["end"]) - max(start, w["start"])
            if shared > 0:
                label = overlap.setdefault(str(w["speaker"]), {})
                label[speaker] = label.get(speaker, 0.0) + shared
    return {label: max(by, key=by.__getitem__) for label, by in overlap.items()}


def speaker_roles(engine: LLMEngine) -> dict[str, Any]:
    from stenograph.llmtasks.generate import Generator
    from stenograph.llmtasks.speakers import identify

    data = json.loads((Path(__file__).parent / "data" / "llm_speaker_roles.json").read_text())
    CACHE.mkdir(exist_ok=True)
    right_, total = 0, 0
    clips: dict[str, Any] = {}
    for clip in data["clips"]:
        cached = CACHE / f"diarized-{Path(clip['file']).stem}.json"
        if not cached.is_file():
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                cached.write_text(
                    json.dumps(pool.apply(_diarized, (str(AUDIO / clip["file"]), clip["speakers"])))
                )
        result = json.loads(cached.read_text())
        reference = _reference_speaker(AUDIO / Path(clip["file"]).with_suffix(".stm"), result["words"])
        started = time.monotonic()
        mapping = identify(
            Generator(engine), result, speaker_type=clip["speaker_type"], known_values=clip["known_values"]
        )
        seconds = round(time.monotonic() - started, 1)
        scored = {
            label: (mapping.get(label), clip["expected"].get(reference.get(label, ""), "?"))
            for label in sorted({u["speaker"] for u in result["utterances"]})
        }
        ok = sum(got == want for got, want in scored.values())
        right_ += ok
        total += len(scored)
        clips[clip["id"]] = {"right": ok, "of": len(scored), "seconds": seconds, "mapping": scored}
    return {
        "accuracy": round(right_ / total, 2) if total else None,
        "right": right_,
        "of": total,
        "clips": clips,
    }


def _words_transcript(path: str) -> dict[str, Any]:
    from stenograph.pipeline import TranscribeOptions, transcribe

    result = transcribe(path, TranscribeOptions(model="tiny.en"))
    return {"words": [{"text": w.text, "start": w.start, "end": w.end} for w in result.words]}


def _reference_segments() -> list[tuple[str, float, float]]:
    """(speaker-chapter, start s, end s) of each utterance of longform/dev_concat.flac."""
    rows = (AUDIO / "longform" / "dev_concat.segments.tsv").read_text().splitlines()[1:]
    out = []
    for row in rows:
        utt, start, end = row.split("\t")[:3]
        out.append(("-".join(utt.split("-")[:2]), float(start), float(end)))
    return out


def chapter_boundaries(tolerance_s: float = 15.0) -> dict[str, Any]:
    """auto_chapters' boundary step (sentence embeddings, TextTiling depth; no language model) on
    the tiny.en transcript of longform/dev_concat.flac, against the reference topic shifts (a new
    LibriSpeech speaker-chapter is a new book). Its parameters were not tuned on this file."""
    from stenograph.llmtasks.chapters import boundaries
    from stenograph.llmtasks.text import sentences

    cached = CACHE / "longform-words.json"
    if not cached.is_file():
        CACHE.mkdir(exist_ok=True)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            result = pool.apply(_words_transcript, (str(AUDIO / "longform" / "dev_concat.flac"),))
        cached.write_text(json.dumps(result))
    found = sentences(json.loads(cached.read_text()))
    segments = _reference_segments()
    shifts = [start for (before, _, _), (book, start, _) in itertools.pairwise(segments) if book != before]
    books = list(dict.fromkeys(book for book, _, _ in segments))
    started = time.monotonic()
    starts = boundaries(found)
    seconds = round(time.monotonic() - started, 1)

    def book_at(ms: float) -> int:
        t = ms / 1000
        for book, start, end in segments:
            if start <= t <= end + 0.6:  # the 0.6 s gap after an utterance belongs to it
                return books.index(book)
        return books.index(segments[-1][0]) if t > segments[-1][2] else 0

    reference = [book_at((s.start + s.end) / 2) for s in found]
    hypothesis = [sum(1 for b in starts if b <= i) - 1 for i in range(len(found))]
    k = window_size(reference)
    found_s = [found[i].start / 1000 for i in starts[1:]]
    # Baselines for Pk/WindowDiff: one segment, and as many boundaries as found spaced evenly.
    even = [i * len(starts) // len(found) for i in range(len(found))]
    return {
        "sentences": len(found),
        "reference_shifts_s": [round(x, 1) for x in shifts],
        "found_shifts_s": [round(x, 1) for x in found_s],
        f"boundaries_within_{int(tolerance_s)}s": boundary_scores(found_s, shifts, tolerance_s),
        "pk": round(pk(reference, hypothesis, k), 3),
        "window_diff": round(window_diff(reference, hypothesis, k), 3),
        "window_sentences": k,
        "baseline_one_segment": {
            "pk": round(pk(reference, [0] * len(found), k), 3),
            "window_diff": round(window_diff(reference, [0] * len(found), k), 3),
        },
        "baseline_even": {
            "pk": round(pk(reference, even, k), 3),
            "window_diff": round(window_diff(reference, even, k), 3),
        },
        "seconds": seconds,
    }


def long_summary(engine: LLMEngine) -> dict[str, Any]:
    from stenograph.llmtasks.generate import Generator
    from stenograph.llmtasks.summary import summarize

    texts, _ = transcripts({"longform": "longform/dev_concat.flac"})
    text = " ".join([texts["longform"]] * 4)
    words = [{"text": w, "start": 0, "end": 0} for w in text.split()]
    gen = Generator(engine)
    started = time.monotonic()
    summary = summarize(gen, {"text": text, "words": words}, kind="paragraph")
    return {
        "seconds": round(time.monotonic() - started, 1),
        "words": len(words),
        "generations": len(gen.generations),
        "prompt_tokens": sum(g.prompt_tokens for g in gen.generations),
        "completion_tokens": sum(g.completion_tokens for g in gen.generations),
        "summary": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument("--threads", type=int, default=0, help="llama.cpp threads (0: every core)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=load_settings().resolved_model_cache_dir,
        help="where the model's parts are joined (default: the server's model cache)",
    )
    parser.add_argument("--skip-chapters", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-http-speed", action="store_true")
    parser.add_argument("--skip-qa", action="store_true")
    parser.add_argument("--skip-structured", action="store_true")
    parser.add_argument("--skip-translation", action="store_true")
    parser.add_argument("--skip-translation-paragraph", action="store_true")
    parser.add_argument("--skip-dialogues", action="store_true")
    parser.add_argument("--skip-speakers", action="store_true")
    parser.add_argument("--skip-long-summary", action="store_true")
    args = parser.parse_args()

    data = json.loads(QA.read_text())
    report: dict[str, Any] = {}
    if not args.skip_chapters:  # no language model: before it is loaded
        report["chapter_boundaries"] = chapter_boundaries()
        print(json.dumps({"chapter_boundaries": report["chapter_boundaries"]}), flush=True)
    if not args.skip_http_speed:  # its own server process: before this one loads the model
        report["http_speed"] = http_speed(args.cache_dir, args.threads)
        print(json.dumps({"http_speed": report["http_speed"]}), flush=True)
    model_parts = (
        *("qa", "structured", "speed", "translation", "translation_paragraph", "dialogues"),
        *("speakers", "long_summary"),
    )
    if all(getattr(args, f"skip_{part}") for part in model_parts):
        _finish(report, args.json)
        return
    if not args.skip_qa:
        texts, seconds = transcripts(data["recordings"])
        report["transcription_s"] = round(seconds, 1)
        report["transcript_words"] = {k: len(v.split()) for k, v in texts.items()}
    started = time.monotonic()
    engine = build_engine(LLMSettings(cache_dir=args.cache_dir, threads=args.threads, context_tokens=8192))
    engine.backend.load()  # type: ignore[attr-defined]
    report["model"] = engine.model_name
    report["load_s"] = round(time.monotonic() - started, 1)
    if not args.skip_speed:
        report["speed"] = speed(engine)
    report["memory_mb_model_loaded"] = memory()
    print(json.dumps({k: v for k, v in report.items() if k != "chapter_boundaries"}), flush=True)
    if not args.skip_qa:
        report["qa"] = qa(engine, texts, data["questions"])
        print(json.dumps({"qa": {k: v for k, v in report["qa"].items() if k != "wrong"}}), flush=True)
    if not args.skip_structured:
        report["structured"] = structured(engine)
        print(
            json.dumps({"structured": {k: v for k, v in report["structured"].items() if k != "failures"}}),
            flush=True,
        )
    if not args.skip_translation:
        report["translation"] = parallel_chrf(engine)
        printed = {k: v for k, v in report["translation"].items() if k != "worst"}
        print(json.dumps({"translation": printed}), flush=True)
    if not args.skip_translation_paragraph:
        report["translation_paragraph"] = translation_chrf(engine)
        print(json.dumps({"translation_paragraph": report["translation_paragraph"]["chrf"]}), flush=True)
    if not args.skip_dialogues:
        report["dialogue_speakers"] = dialogue_speakers(engine)
        print(json.dumps({"dialogue_speakers": report["dialogue_speakers"]["accuracy"]}), flush=True)
    if not args.skip_speakers:
        report["speaker_roles"] = speaker_roles(engine)
        print(json.dumps({"speaker_roles": report["speaker_roles"]["accuracy"]}), flush=True)
    if not args.skip_long_summary:
        report["long_summary"] = long_summary(engine)
        print(json.dumps({"long_summary": report["long_summary"]}), flush=True)
    report["memory_mb_end"] = memory()
    engine.shutdown()
    _finish(report, args.json)


def _finish(report: dict[str, Any], path: Path | None) -> None:
    print(json.dumps(report, indent=2))
    if path:
        path.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
