"""The language-model tasks' plumbing on a scripted backend (fast): what is asked, how answers land
on the transcript, chapters at topic shifts, the long-transcript strategy, failures. The real
models run them in tests/e2e/test_llm_tasks.py."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from stenograph.llm import Generation, GenerationRequest, LLMEngine
from stenograph.llm.types import TokenSink
from stenograph.llmtasks import LLMTaskError, TaskRequest, run_tasks
from stenograph.llmtasks import chapters as chapters_
from stenograph.llmtasks.generate import Generator
from stenograph.llmtasks.text import sentences


class Scripted:
    """Answers JSON that fits the schema asked for (first enum value, "x" strings, n items), or
    ``text`` without one; records every request."""

    def __init__(self, text: str = "- one point\n- another point", context_tokens: int = 4096) -> None:
        self.text = text
        self.requests: list[GenerationRequest] = []
        self._context = context_tokens

    model_name = "scripted"

    @property
    def context_tokens(self) -> int:
        return self._context

    def generate(
        self, request: GenerationRequest, *, deadline: float, on_token: TokenSink | None = None
    ) -> Generation:
        self.requests.append(request)
        text = json.dumps(_fill(request.json_schema)) if request.json_schema else self.text
        return Generation(text, 10, 5, "stop", self.model_name)

    def close(self) -> None:
        pass


def _fill(schema: Any) -> Any:
    if schema.get("enum"):
        return schema["enum"][-1]
    kind = schema.get("type")
    if kind == "object":
        return {k: _fill(v) for k, v in schema["properties"].items()}
    if kind == "array":
        return [_fill(schema["items"]) for _ in range(schema.get("minItems", 1))]
    return "x"


def _word(text: str, start: int, speaker: str | None = None) -> dict[str, Any]:
    return {"text": text, "start": start, "end": start + 400, "confidence": 0.9, "speaker": speaker}


def _result(sentences_: list[tuple[str, str]], gap_ms: int = 5000) -> dict[str, Any]:
    words: list[dict[str, Any]] = []
    utterances: list[dict[str, Any]] = []
    t = 0
    for speaker, sentence in sentences_:
        ws = [_word(w, t + i * 400, speaker) for i, w in enumerate(sentence.split())]
        t += gap_ms
        words.extend(ws)
        if utterances and utterances[-1]["speaker"] == speaker:
            utterances[-1]["words"].extend(ws)
            utterances[-1]["text"] += " " + sentence
            utterances[-1]["end"] = ws[-1]["end"]
        else:
            utterances.append(
                {
                    "speaker": speaker,
                    "text": sentence,
                    "start": ws[0]["start"],
                    "end": ws[-1]["end"],
                    "words": ws,
                }
            )
    return {"text": " ".join(s for _, s in sentences_), "words": words, "utterances": utterances}


CALL = _result(
    [
        ("A", "Thank you for calling, how can I help?"),
        ("B", "My card was charged twice."),
        ("A", "I am sorry, let me check that for you."),
        ("B", "Thanks."),
    ]
)


def _engine(backend: Scripted) -> LLMEngine:
    return LLMEngine(backend, max_waiting=2, time_limit_s=10)


def test_nothing_asked_nothing_run() -> None:
    assert not TaskRequest.from_request({"speaker_labels": True}).wanted


def test_summary_bullets_tidied_and_asked_in_its_form() -> None:
    backend = Scripted("* one point\n2. another point\n")
    tasks = TaskRequest.from_request({"summarization": True, "summary_type": "bullets"})
    out = run_tasks(CALL, tasks, _engine(backend))
    assert out["summary"] == "- one point\n- another point"
    prompt = backend.requests[0].messages
    assert "bullet points" in prompt[0].content
    assert "A: Thank you for calling" in prompt[1].content  # speaker turns in the prompt
    assert backend.requests[0].repeat_penalty > 1.0 and backend.requests[0].max_tokens <= 600
    assert "summary" not in CALL  # the stored result is not changed in place


def test_headline_is_one_line() -> None:
    backend = Scripted('"Billing error fixed"\nmore')
    tasks = TaskRequest.from_request({"summarization": True, "summary_type": "headline"})
    assert run_tasks(CALL, tasks, _engine(backend))["summary"] == "Billing error fixed"


def _agent_embed(texts: Sequence[str]) -> np.ndarray:
    """Help and checking: the agent's side; charges and thanks: the customer's."""
    return np.array(
        [[1.0, 0.0] if ("help" in t or "check" in t or "Agent" in t) else [0.0, 1.0] for t in texts],
        dtype=np.float32,
    )


def test_speaker_identification_maps_and_applies_to_utterances_and_words() -> None:
    from stenograph.llmtasks import speakers

    for values in (["Agent", "Customer"], ["Customer", "Agent"]):  # not by the order given
        mapping = speakers.identify(
            Generator(_engine(Scripted())), CALL, speaker_type="role", known_values=values, embed=_agent_embed
        )
        assert mapping == {"A": "Agent", "B": "Customer"}
    out = copy.deepcopy(CALL)
    speakers.apply(out, mapping)
    assert [u["speaker"] for u in out["utterances"]] == ["Agent", "Customer", "Agent", "Customer"]
    assert {w["speaker"] for w in out["words"]} == {"Agent", "Customer"}
    assert [w["speaker"] for w in out["utterances"][1]["words"]] == ["Customer"] * 5


def test_a_self_introduction_names_the_speaker() -> None:
    from stenograph.llmtasks import speakers

    call = _result(
        [("A", "Hello."), ("B", "Hi, this is Diane in New Jersey."), ("A", "And I'm Sheila in Texas.")]
    )
    flat = lambda texts: np.ones((len(texts), 2), dtype=np.float32)  # noqa: E731
    assert speakers.assign(call, ["A", "B"], ["Diane", "Sheila"], {}, flat) == {"A": "Sheila", "B": "Diane"}


class RoleVoter(Scripted):
    """Asked which speaker is ``a_is``, names A; any other value, B."""

    def __init__(self, a_is: str = "Agent") -> None:
        super().__init__()
        self.a_is = a_is

    def generate(
        self, request: GenerationRequest, *, deadline: float, on_token: TokenSink | None = None
    ) -> Generation:
        self.requests.append(request)
        speaker = "A" if f"Which speaker is the {self.a_is}?" in request.messages[-1].content else "B"
        return Generation(json.dumps({"speaker": speaker}), 10, 5, "stop", self.model_name)


def test_roles_the_embeddings_cannot_tell_apart_follow_the_models_votes() -> None:
    from stenograph.llmtasks import speakers

    flat = lambda texts: np.ones((len(texts), 2), dtype=np.float32)  # noqa: E731
    backend = RoleVoter()
    for values in (["Agent", "Customer"], ["Customer", "Agent"]):
        mapping = speakers.identify(
            Generator(_engine(backend)), CALL, speaker_type="role", known_values=values, embed=flat
        )
        assert mapping == {"A": "Agent", "B": "Customer"}
    assert len(backend.requests) == 4  # one question per value
    assert backend.requests[0].json_schema["properties"]["speaker"]["enum"] == ["A", "B"]  # type: ignore[index]


def test_a_clear_embedding_outweighs_a_vote() -> None:
    from stenograph.llmtasks import speakers

    backend = RoleVoter(a_is="Customer")  # wrong, against what the words clearly say
    mapping = speakers.identify(
        Generator(_engine(backend)), CALL, speaker_type="role", known_values=["Customer", "Agent"],
        embed=_agent_embed,
    )  # fmt: skip
    assert mapping == {"A": "Agent", "B": "Customer"}
    assert len(backend.requests) == 2


def test_a_name_said_to_someone_is_theirs_not_the_speakers() -> None:
    from stenograph.llmtasks import speakers

    standup = _result(
        [
            ("A", "Kevin, you want to go first?"),
            ("B", "Sure. I asked Tomas to review the export."),
            ("C", "I will, this morning."),
            ("A", "Thanks, Tomas."),
            ("C", "Will do, Priya."),
        ]
    )

    def unused(texts: Sequence[str]) -> np.ndarray:
        raise AssertionError("names are not compared by meaning")

    backend = Scripted()
    for values in (["Priya", "Kevin", "Tomas"], ["Tomas", "Kevin", "Priya"]):
        mapping = speakers.identify(
            Generator(_engine(backend)), standup, speaker_type="name", known_values=values, embed=unused
        )
        assert mapping == {"A": "Priya", "B": "Kevin", "C": "Tomas"}
    assert backend.requests == []  # nor asked of the language model


def test_speaker_names_without_known_values_are_asked_one_speaker_at_a_time() -> None:
    backend = Scripted()
    request = {"speech_understanding": {"request": {"speaker_identification": {"speaker_type": "name"}}}}
    out = run_tasks(CALL, TaskRequest.from_request(request), _engine(backend))
    assert out["speech_understanding_response"]["speaker_identification"]["mapping"] == {"A": "x", "B": "x"}
    asked = [r for r in backend.requests if r.json_schema]
    assert "What speaker A says:\nThank you for calling" in asked[0].messages[1].content
    assert "What speaker B says:\nMy card was charged twice." in asked[1].messages[1].content


def test_translation_per_utterance_and_joined() -> None:
    backend = Scripted()
    request = {
        "speech_understanding": {
            "request": {"translation": {"target_languages": ["es", "de"], "match_original_utterance": True}}
        }
    }
    out = run_tasks(CALL, TaskRequest.from_request(request), _engine(backend))
    assert out["translated_texts"] == {"es": "x x x x", "de": "x x x x"}
    assert [u["translated_texts"] for u in out["utterances"]] == [{"es": "x", "de": "x"}] * 4
    assert out["speech_understanding_response"]["translation"] == {"status": "success"}
    assert "Spanish" in backend.requests[0].messages[0].content
    assert backend.requests[0].json_schema["properties"]["translations"]["minItems"] == 4  # type: ignore[index]


def _topic_embed(texts: Sequence[str]) -> np.ndarray:
    """Two orthogonal topics: sentences about cards and about weather."""
    return np.array([[1.0, 0.0] if "card" in t else [0.0, 1.0] for t in texts], dtype=np.float32)


def test_chapters_split_at_the_topic_shift() -> None:
    result = _result(
        [("A", f"The card number {i} was wrong.") for i in range(8)]
        + [("B", f"The weather on day {i} was sunny.") for i in range(8)],
        gap_ms=10_000,
    )
    found = sentences(result)
    assert chapters_.boundaries(found, _topic_embed) == [0, 8]
    backend = Scripted()
    out = chapters_.chapters(Generator(_engine(backend)), result, _topic_embed)
    assert [(c["start"], c["end"]) for c in out] == [(0, found[7].end), (80_000, found[-1].end)]
    assert set(out[0]) == {"start", "end", "gist", "headline", "summary"}
    assert all(r.max_tokens <= 400 and r.repeat_penalty > 1.0 for r in backend.requests)


def test_a_short_transcript_is_one_chapter() -> None:
    assert chapters_.boundaries(sentences(CALL), _topic_embed) == [0]


def test_sectioned_summary_shape() -> None:
    result = _result(
        [("A", f"The card number {i} was wrong.") for i in range(8)]
        + [("B", f"The weather on day {i} was sunny.") for i in range(8)],
        gap_ms=10_000,
    )
    out = chapters_.sectioned_summary(
        Generator(_engine(Scripted("All about cards."))), result, summary_type="bullets", embed=_topic_embed
    )
    assert len(out["summary"]) == 2 and out["summary"][0]["bullets"] == ["x"]
    assert out["block_summary"] == "All about cards."


def test_a_long_transcript_is_condensed_in_chunks_first() -> None:
    lines = [f"{'AB'[i % 2]}: " + "word " * 50 + "end." for i in range(60)]  # ~3000 words
    fits = Scripted("notes", context_tokens=131_072)
    assert Generator(_engine(fits)).fitted(lines, max_tokens=300, task="t") == "\n".join(lines)
    assert fits.requests == []  # it fits: no notes
    small = Scripted("notes", context_tokens=2048)
    condensed = Generator(_engine(small)).fitted(lines, max_tokens=300, task="t")
    parts = [r for r in small.requests if "take notes" in r.messages[0].content]
    assert len(parts) >= 4 and parts[0].messages[1].content.startswith(f"Part 1 of {len(parts)}:")
    assert condensed.startswith("[Part 1] notes")
    tasks = TaskRequest.from_request({"summarization": True, "summary_type": "paragraph"})
    long = _result([("AB"[i % 2], "word " * 50 + "end.") for i in range(60)])
    assert run_tasks(long, tasks, _engine(Scripted("notes", context_tokens=2048)))["summary"] == "notes"


class Failing(Scripted):
    def generate(self, request: GenerationRequest, **_: Any) -> Generation:
        from stenograph.llm import LLMError

        raise LLMError("connection refused")


def test_a_failure_is_an_actionable_task_error() -> None:
    tasks = TaskRequest.from_request({"summarization": True})
    with pytest.raises(LLMTaskError, match=r"summarization: the language model failed.*STENOGRAPH_LLM_"):
        run_tasks(CALL, tasks, _engine(Failing()))


def test_fit_transcripts_keeps_what_fits_and_condenses_the_rest_on_the_question() -> None:
    from stenograph.llm import InvalidGenerationRequest
    from stenograph.llmtasks import fit_transcripts

    short = Scripted(context_tokens=4096)
    assert fit_transcripts(_engine(short), ["A: hello."], focus="who?", max_tokens=100) == (["A: hello."], [])
    long_text = "\n".join(f"A: {'word ' * 50}end." for _ in range(60))
    small = Scripted("notes", context_tokens=2048)
    texts, used = fit_transcripts(_engine(small), [long_text], focus="What did A decide?", max_tokens=300)
    assert texts[0].startswith("[Part 1] notes") and len(used) == len(small.requests) > 1
    assert "What did A decide?" in small.requests[0].messages[0].content
    huge = "\n".join(f"A: {'word ' * 50}end." for _ in range(2000))
    with pytest.raises(InvalidGenerationRequest, match="more than 32 parts"):
        fit_transcripts(_engine(Scripted(context_tokens=2048)), [huge], focus="q", max_tokens=300)
