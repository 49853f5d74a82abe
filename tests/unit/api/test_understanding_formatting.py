"""``custom_formatting`` through the LLM Gateway's ``POST /v1/understanding`` on a stored transcript:
the same deterministic formatter the transcript option runs (no language model is asked). The
application runs in-process; the transcript is written into the store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from stenograph.llm import LLMEngine
from tests.support.fake_llm import FakeBackend
from tests.support.inprocess_app import InProcessApp, inprocess_app

TURNS = [
    ("A", "Call me at four one five five five five zero one three two, please."),
    ("B", "Sure. I was born on March 7, 1961, by the way."),
    ("A", "Then write to jane dot doe at example dot com."),
]


def _stored_result() -> dict[str, Any]:
    words: list[dict[str, Any]] = []
    utterances: list[dict[str, Any]] = []
    t = 0
    for speaker, text in TURNS:
        own = []
        for token in text.split():
            own.append({"text": token, "start": t, "end": t + 400, "confidence": 0.9, "speaker": speaker})
            t += 500
        words.extend(own)
        utterances.append(
            {"speaker": speaker, "text": text, "start": own[0]["start"], "end": own[-1]["end"],
             "confidence": 0.9, "words": own}
        )  # fmt: skip
    return {"text": " ".join(text for _, text in TURNS), "words": words, "utterances": utterances}


@dataclass
class Served:
    app: InProcessApp
    backend: FakeBackend
    transcript_id: str

    def understand(self, request: dict[str, Any]) -> Any:
        return self.app.client.post(
            "/v1/understanding",
            json={"transcript_id": self.transcript_id, "speech_understanding": {"request": request}},
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with inprocess_app(tmp_path_factory.mktemp("understanding-formatting")) as app:
        backend = FakeBackend()
        app.use_engine(LLMEngine(backend))
        yield Served(app, backend, app.completed_transcript(_stored_result()))


def test_custom_formatting_runs_on_the_stored_transcript(served: Served) -> None:
    patterns = {"date": "mm/dd/yyyy", "phone_number": "(xxx)xxx-xxxx", "email": "username@domain.com"}
    response = served.understand({"custom_formatting": patterns})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["speech_understanding"]["request"] == {"custom_formatting": patterns}
    formatted = body["speech_understanding"]["response"]["custom_formatting"]
    assert formatted["status"] == "success"
    assert formatted["mapping"] == {
        "four one five five five five zero one three two": "(415)555-0132",
        "March 7, 1961": "03/07/1961",
        "jane dot doe at example dot com": "jane.doe@example.com",
    }
    assert formatted["formatted_text"] == (
        "Call me at (415)555-0132, please. Sure. I was born on 03/07/1961, by the way. "
        "Then write to jane.doe@example.com."
    )
    assert [(u["speaker"], u["text"]) for u in formatted["formatted_utterances"]] == [
        ("A", "Call me at (415)555-0132, please."),
        ("B", "Sure. I was born on 03/07/1961, by the way."),
        ("A", "Then write to jane.doe@example.com."),
    ]
    # the stored utterances' times: turns of 14 and 11 words of 500 ms
    assert [u["start"] for u in formatted["formatted_utterances"]] == [0, 7000, 12500]
    assert served.backend.requests == []  # deterministic: the language model was not asked


def test_only_the_asked_patterns_apply(served: Served) -> None:
    response = served.understand({"custom_formatting": {"date": "yyyy-mm-dd"}})
    formatted = response.json()["speech_understanding"]["response"]["custom_formatting"]
    assert formatted["mapping"] == {"March 7, 1961": "1961-03-07"}
    assert "four one five" in formatted["formatted_text"]


def test_validate_accepts_it(served: Served) -> None:
    response = served.app.client.post(
        "/v1/understanding/validate",
        json={"speech_understanding": {"request": {"custom_formatting": {"date": "mm/dd/yyyy"}}}},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("request_", "named"),
    [
        ({"custom_formatting": {"date": "whenever"}}, "speech_understanding.request.custom_formatting.date"),
        (
            {"custom_formatting": {"date": "mm/dd/yyyy", "effort": "medium"}},
            "speech_understanding.request.custom_formatting.effort",
        ),
    ],
)
def test_bad_patterns_and_effort_are_400_naming_the_field(
    served: Served, request_: dict[str, Any], named: str
) -> None:
    response = served.understand(request_)
    assert response.status_code == 400, response.text
    assert named in response.json()["message"]
