"""``speech_understanding.request.speaker_identification``: the diarization's labels ("A", "B")
mapped to names or roles the model reads from the conversation (constrained to ``known_values``
when they are given), then applied to the utterances and words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stenograph.llmtasks.generate import Generator
from stenograph.llmtasks.text import speaker_lines

TASK = "speech_understanding.speaker_identification"


def labels(result: Mapping[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for u in result.get("utterances") or ():
        if u.get("speaker"):
            seen[str(u["speaker"])] = None
    return list(seen)


def identify(
    gen: Generator,
    result: Mapping[str, Any],
    *,
    speaker_type: str,
    known_values: Sequence[str] = (),
    speakers: Sequence[Mapping[str, Any]] = (),
) -> dict[str, str]:
    found = labels(result)
    if not found:
        return {}
    described = [
        (str(s.get(speaker_type) or s.get("name") or s.get("role")), str(s.get("description") or ""))
        for s in speakers
    ]
    values = list(dict.fromkeys([*known_values, *(v for v, _ in described)]))
    value_schema: dict[str, Any] = (
        {"type": "string", "enum": values}
        if values
        else {
            "type": "string",
            "minLength": 1,
            "maxLength": 60,
        }
    )
    schema = {
        "type": "object",
        "properties": {label: value_schema for label in found},
        "required": found,
    }
    text = gen.fitted(speaker_lines(result), max_tokens=40 * len(found) + 40, task=TASK)
    kind = "role" if speaker_type == "role" else "name"
    hints = "".join(f"\n- {v}: {d}" for v, d in described if d)
    choices = (
        f" Choose each {kind} from: {', '.join(values)}."
        if values
        else (f" Use the {kind} said or implied in the conversation; 'Unknown' if it never is.")
    )
    answer = gen.json(
        f"You identify the speakers of a transcript by {kind}. Speakers are labelled "
        f"{', '.join(found)}. Answer in JSON, mapping each label to the speaker's {kind}.{choices}"
        + (f"\nWho they are:{hints}" if hints else ""),
        f"Transcript:\n{text}\n\nWhat is the {kind} of each speaker ({', '.join(found)})?",
        schema,
        max_tokens=40 * len(found) + 40,
        task=TASK,
    )
    return {label: str(answer[label]).strip() for label in found if str(answer.get(label) or "").strip()}


def apply(result: dict[str, Any], mapping: Mapping[str, str]) -> None:
    """Rename the speakers of utterances and words (and their words) in place."""

    def rename(item: dict[str, Any]) -> None:
        speaker = item.get("speaker")
        if isinstance(speaker, str) and speaker in mapping:
            item["speaker"] = mapping[speaker]

    for word in result.get("words") or ():
        rename(word)
    for utterance in result.get("utterances") or ():
        rename(utterance)
        for word in utterance.get("words") or ():
            rename(word)
    for sentence in result.get("sentiment_analysis_results") or ():
        rename(sentence)
