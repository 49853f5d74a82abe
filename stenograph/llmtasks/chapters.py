"""Chapters: the transcript split where its topic shifts (sentence embeddings, TextTiling-style
depth scores between the windows before and after each sentence boundary), then a headline, gist
and summary per chapter under a JSON schema (the token cap and the repeat penalty always on)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from stenograph.llmtasks.generate import Generator
from stenograph.llmtasks.text import Sentence, sentences

WINDOW = 3  # sentences each side of a boundary
MIN_CHAPTER_MS = 30_000
MIN_CHAPTER_SENTENCES = 4
CHAPTER_MS = 90_000  # about one chapter per minute and a half at most

Embed = Callable[[Sequence[str]], np.ndarray]


def _default_embed(texts: Sequence[str]) -> np.ndarray:
    from stenograph.understanding.embeddings import embed

    return embed(texts)


def boundaries(
    found: Sequence[Sentence], embed: Embed = _default_embed, wanted: int | None = None
) -> list[int]:
    """Indexes of the sentences that start a new chapter (0 always)."""
    n = len(found)
    if n < 2 * MIN_CHAPTER_SENTENCES:
        return [0]
    duration = found[-1].end - found[0].start
    most = wanted if wanted else max(1, math.ceil(duration / CHAPTER_MS))
    if most <= 1:
        return [0]
    vectors = embed([s.text for s in found])
    sims = np.array(
        [
            float(_unit(vectors[max(0, i - WINDOW) : i].mean(0)) @ _unit(vectors[i : i + WINDOW].mean(0)))
            for i in range(1, n)
        ]
    )  # sims[i - 1]: between sentence i - 1 and i
    depth = np.zeros_like(sims)
    for k in range(len(sims)):
        left = sims[: k + 1].max() if wanted else _peak(sims, k, -1)
        right = sims[k:].max() if wanted else _peak(sims, k, 1)
        depth[k] = (left - sims[k]) + (right - sims[k])
    threshold = 0.0 if wanted else float(depth.mean() + 0.5 * depth.std())
    chosen: list[int] = [0]
    for k in np.argsort(-depth):
        if len(chosen) >= most or depth[k] <= threshold:
            break
        start = int(k) + 1
        candidate = sorted([*chosen, start])
        if _long_enough(found, candidate):
            chosen = candidate
    return chosen


def _peak(sims: np.ndarray, k: int, step: int) -> float:
    best = sims[k]
    j = k + step
    while 0 <= j < len(sims) and sims[j] >= best:
        best = sims[j]
        j += step
    return float(best)


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def _long_enough(found: Sequence[Sentence], starts: Sequence[int]) -> bool:
    ends = [*starts[1:], len(found)]
    for a, b in zip(starts, ends, strict=True):
        if b - a < MIN_CHAPTER_SENTENCES or found[b - 1].end - found[a].start < MIN_CHAPTER_MS:
            return False
    return True


def spans(
    result: Mapping[str, Any], embed: Embed = _default_embed, wanted: int | None = None
) -> list[list[Sentence]]:
    found = sentences(result)
    if not found:
        return []
    starts = boundaries(found, embed, wanted)
    ends = [*starts[1:], len(found)]
    return [list(found[a:b]) for a, b in zip(starts, ends, strict=True)]


CHAPTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "headline": {"type": "string", "minLength": 1, "maxLength": 120},
        "gist": {"type": "string", "minLength": 1, "maxLength": 40},
        "summary": {"type": "string", "minLength": 1, "maxLength": 700},
    },
    "required": ["headline", "gist", "summary"],
}


def chapters(
    gen: Generator, result: Mapping[str, Any], embed: Embed = _default_embed
) -> list[dict[str, Any]]:
    """The ``chapters`` of the Transcript: start, end, gist, headline, summary."""
    out = []
    for chapter in spans(result, embed):
        text = gen.fitted([_line(s) for s in chapter], max_tokens=400, task="auto_chapters")
        answer = gen.json(
            "You write chapter titles for a transcript. Answer in JSON: 'headline' is one sentence "
            "saying what the chapter is about, 'gist' a few words (at most 6), 'summary' two or "
            "three sentences.",
            f"Chapter of the transcript:\n{text}",
            CHAPTER_SCHEMA,
            max_tokens=400,
            task="auto_chapters",
        )
        out.append(
            {
                "start": chapter[0].start,
                "end": chapter[-1].end,
                "gist": str(answer["gist"]).strip(),
                "headline": str(answer["headline"]).strip(),
                "summary": str(answer["summary"]).strip(),
            }
        )
    return out


def _line(s: Sentence) -> str:
    return f"{s.speaker}: {s.text}" if s.speaker else s.text


def sectioned_summary(
    gen: Generator,
    result: Mapping[str, Any],
    *,
    summary_type: str,
    headline_length: int = 10,
    approximate_chapters: int | None = None,
    embed: Embed = _default_embed,
) -> dict[str, Any]:
    """``speech_understanding.request.summarization``: per section a headline and a paragraph or
    bullets, and a ``block_summary`` of the whole."""
    task = "speech_understanding.summarization"
    bullets = summary_type == "bullets"
    body: dict[str, Any] = (
        {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 200},
            "minItems": 1,
            "maxItems": 5,
        }
        if bullets
        else {"type": "string", "minLength": 1, "maxLength": 700}
    )
    schema = {
        "type": "object",
        "properties": {
            "headline": {"type": "string", "minLength": 1, "maxLength": headline_length * 12},
            "summary": body,
        },
        "required": ["headline", "summary"],
    }
    sections = []
    for chapter in spans(result, embed, approximate_chapters):
        text = gen.fitted([_line(s) for s in chapter], max_tokens=400, task=task)
        answer = gen.json(
            f"You summarise a section of a transcript. Answer in JSON: 'headline' of about "
            f"{headline_length} words; 'summary' "
            + (
                "as up to five short bullet points."
                if bullets
                else "as one paragraph of two or three sentences."
            ),
            f"Section of the transcript:\n{text}",
            schema,
            max_tokens=400,
            task=task,
        )
        section: dict[str, Any] = {
            "start": chapter[0].start,
            "end": chapter[-1].end,
            "headline": str(answer["headline"]).strip(),
        }
        if bullets:
            section["bullets"] = [str(b).strip() for b in answer["summary"]]
        else:
            section["text"] = str(answer["summary"]).strip()
        sections.append(section)
    notes = "\n".join(
        f"- {s['headline']}: {s.get('text') or '; '.join(s.get('bullets') or [])}" for s in sections
    )
    block = (
        gen.run(
            "You summarise a transcript from its section summaries, in one paragraph of three to "
            "five sentences. Answer with the paragraph only.",
            notes,
            max_tokens=300,
            task=task,
        ).text.strip()
        if sections
        else ""
    )
    return {"summary": sections, "block_summary": block}
