"""``custom_spelling``: :func:`apply_custom_spelling`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from stenograph.pipeline.textform.words import split_edges
from stenograph.pipeline.types import Word

__all__ = ["Rule", "apply_custom_spelling"]

Rule = Any  # (from_list, to) pair, {"from": [...], "to": ...}, or an object with .sources/.target


def _rule_parts(rule: Rule) -> tuple[Sequence[str], str]:
    if hasattr(rule, "sources") and hasattr(rule, "target"):
        sources, target = rule.sources, rule.target
    elif isinstance(rule, Mapping):
        sources, target = rule["from"], rule["to"]
    else:
        sources, target = rule
    return ([sources] if isinstance(sources, str) else sources), target


def _source_key(source: str) -> tuple[str, ...]:
    return tuple(core.lower() for core in (split_edges(part)[1] for part in source.split()) if core)


def apply_custom_spelling(words: Sequence[Word], rules: Iterable[Rule]) -> list[Word]:
    """AssemblyAI ``custom_spelling``: each rule is ``(from_list, to)`` (or ``{"from": [...],
    "to": ...}``, or a ``CustomSpelling``). A ``from`` matches words' cores case-insensitively
    (the ``from`` text's own edge punctuation is ignored as well) and the word keeps its edge
    punctuation: ``Sequel,`` -> ``SQL,``.

    A ``from`` of several words matches that many consecutive words (punctuation between them is
    ignored and lost); they become one Word spanning ``first.start..last.end`` with the lowest
    confidence (other fields from the first). A ``to`` of several words is still one Word. Longer
    ``from`` phrases are tried first; among equally long ones the first rule wins. One left-to-right
    pass: replaced text is not matched again. Rules with an empty ``from`` or ``to`` are ignored.
    """
    table: dict[tuple[str, ...], str] = {}
    for rule in rules:
        sources, target = _rule_parts(rule)
        if not target or not target.strip():
            continue
        for source in sources:
            key = _source_key(source)
            if key:
                table.setdefault(key, target.strip())
    if not table:
        return list(words)
    lengths = sorted({len(key) for key in table}, reverse=True)
    parts = [split_edges(w.text) for w in words]
    cores = [core.lower() for _, core, _ in parts]
    out: list[Word] = []
    i = 0
    while i < len(words):
        for length in lengths:
            key = tuple(cores[i : i + length])
            if len(key) == length and key in table:
                span = words[i : i + length]
                text = parts[i][0] + table[key] + parts[i + length - 1][2]
                out.append(
                    replace(
                        span[0],
                        text=text,
                        end=span[-1].end,
                        confidence=min(w.confidence for w in span),
                    )
                )
                i += length
                break
        else:
            out.append(words[i])
            i += 1
    return out
