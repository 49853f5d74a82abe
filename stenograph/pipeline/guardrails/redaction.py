"""Findings -> words: which words each finding spans, and the words with PII replaced."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from stenograph.pipeline.guardrails.analyzer import Finding
from stenograph.pipeline.guardrails.policies import entity_label
from stenograph.pipeline.guardrails.textview import TextView, plain_view
from stenograph.pipeline.textform.words import split_edges
from stenograph.pipeline.types import Redaction, Word


@dataclass(frozen=True)
class Detected:
    """One entity in the words: its policy (or a static entity's label) and the words it spans."""

    policy: str
    first: int  # index of its first word
    last: int  # index of its last word (inclusive)


def detected_in_words(findings: Sequence[Finding], view: TextView) -> list[Detected]:
    """Each finding as the run of words it touches; a word belongs to the first finding that claims it."""
    claimed: set[int] = set()
    out = []
    for finding in findings:
        indexes = [i for i in view.words_between(finding.start, finding.end) if i not in claimed]
        if not indexes:
            continue
        claimed.update(range(indexes[0], indexes[-1] + 1))
        out.append(Detected(finding.policy, indexes[0], indexes[-1]))
    return out


def static_entities_in_words(words: Sequence[Word], static: dict[str, list[str]]) -> list[Detected]:
    """``redact_static_entities``: exact, case-insensitive, whole-word matches of each term, also where
    the recogniser split the term over several words ("Steno graph") or wrote it as one."""
    view = plain_view(words)
    out = []
    for label, terms in static.items():
        for term in terms:
            letters = [re.escape(char) for char in term if not char.isspace()]
            if not letters:
                continue
            pattern = re.compile(r"(?<!\w)" + r"\s*".join(letters) + r"(?!\w)", re.IGNORECASE)
            for match in pattern.finditer(view.text):
                indexes = view.words_between(match.start(), match.end())
                if indexes and _on_word_edges(view, match.start(), match.end()):
                    out.append(Detected(label, indexes[0], indexes[-1]))
    return out


def _on_word_edges(view: TextView, start: int, end: int) -> bool:
    """The match starts at a word's start and ends at a word's end (punctuation aside)."""
    before = view.owners[start - 1] if start > 0 else -1
    after = view.owners[end] if end < len(view.owners) else -1
    owner_start, owner_end = view.owners[start], view.owners[end - 1]
    starts_word = before != owner_start or not view.text[start - 1].isalnum()
    ends_word = after != owner_end or not view.text[end].isalnum()
    return starts_word and ends_word


def redact_words(words: Sequence[Word], detected: Sequence[Detected], substitution: str) -> list[Word]:
    """The words with every detected one replaced: ``hash`` (``#`` per character of the word, its
    punctuation kept) or ``entity_name`` (``[PERSON_NAME]``). Times and confidence are kept."""
    out = list(words)
    for entity in detected:
        for index in range(entity.first, entity.last + 1):
            out[index] = replace(out[index], text=hidden_text(out[index].text, entity.policy, substitution))
    return out


def hidden_text(text: str, policy: str, substitution: str) -> str:
    """A word's text with its core hidden (``#`` per character, or ``[POLICY]``), its punctuation
    kept; a word of punctuation only stays as it is."""
    lead, core, trail = split_edges(text.strip())
    if not core:
        return text
    return f"{lead}{'#' * len(core) if substitution == 'hash' else entity_label(policy)}{trail}"


def redacted_spans(words: Sequence[Word], detected: Sequence[Detected]) -> list[Redaction]:
    """The stretches of audio to hide for the detected words, in time order: from the end of the
    word before to the start of the word after (the recogniser's word times can be short, even
    empty: the PII is somewhere between its neighbours), or the words' own times where those reach
    further. ``words`` are one channel's, in time order."""
    spans = []
    for d in detected:
        start, end = words[d.first].start, words[d.last].end
        if d.first > 0:
            start = min(start, words[d.first - 1].end)
        if d.last + 1 < len(words):
            end = max(end, words[d.last + 1].start)
        spans.append(Redaction(start, end, d.policy, words[d.first].channel))
    return sorted(spans, key=lambda r: (r.start, r.channel or ""))
