"""Speech understanding without an LLM (issue 21) through the official Python SDK on real audio:
sentiment per sentence and key phrases."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.live_server import LiveServer


@pytest.fixture(scope="module")
def client(server: LiveServer):
    with httpx.Client(base_url=server.base_url, headers={"Authorization": server.api_key}, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def call_url(client: httpx.Client, shared_audio: Path) -> str:
    path = shared_audio / "diarization" / "pyannote_sample.wav"
    return client.post("/v2/upload", content=path.read_bytes()).json()["upload_url"]


def test_sentiment_per_sentence_with_speakers(aai_module, call_url: str) -> None:
    """sentiment_analysis (issue 21) through the SDK: one result per sentence, in order, each with its
    speaker, text and times from the transcript's own sentences."""
    aai = aai_module
    transcript = aai.Transcriber().transcribe(
        call_url,
        aai.TranscriptionConfig(
            speaker_labels=True, speakers_expected=2, sentiment_analysis=True, audio_end_at=22000
        ),
    )
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    results = transcript.sentiment_analysis
    sentences = transcript.get_sentences()
    assert [(r.text, r.start, r.end, r.speaker) for r in results] == [
        (s.text, s.start, s.end, s.speaker) for s in sentences
    ]
    assert {r.sentiment for r in results} <= {"POSITIVE", "NEUTRAL", "NEGATIVE"}
    assert len({r.speaker for r in results}) == 2
    assert all(0.5 <= r.confidence <= 1 for r in results)


def test_sentiment_for_another_language_is_400(client: httpx.Client, call_url: str) -> None:
    response = client.post(
        "/v2/transcript", json={"audio_url": call_url, "sentiment_analysis": True, "language_code": "es"}
    )
    assert response.status_code == 400 and "sentiment_analysis" in response.json()["error"]


def test_key_phrases_with_every_occurrence(aai_module, client: httpx.Client, shared_audio: Path) -> None:
    """auto_highlights on the JFK excerpt: "... ask not what your country can do for you, ask what you
    can do for your country." The phrases are ranked, and each occurrence is timed on its words."""
    aai = aai_module
    url = client.post("/v2/upload", content=(shared_audio / "jfk" / "jfk.wav").read_bytes()).json()[
        "upload_url"
    ]
    transcript = aai.Transcriber().transcribe(url, aai.TranscriptionConfig(auto_highlights=True))
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    result = transcript.auto_highlights
    assert result.status == "success" and result.results
    ranks = [r.rank for r in result.results]
    assert ranks == sorted(ranks, reverse=True) and 0 < sum(ranks) <= 1.0001
    country = next(r for r in result.results if r.text.lower() == "country")
    assert country.count == 2 == len(country.timestamps)
    words = {(w.start, w.end): w.text.strip(",.").lower() for w in transcript.words}
    assert [words[(t.start, t.end)] for t in country.timestamps] == ["country", "country"]


def test_custom_formatting_through_the_sdk(aai_module, call_url: str) -> None:
    """speech_understanding.request.custom_formatting: the phone call holds no date, number or
    address, so the formatted text is the text, with each utterance's; the SDK parses the response
    (formatting itself: tests/unit/understanding/test_formatting.py)."""
    aai = aai_module
    config = aai.TranscriptionConfig(
        speaker_labels=True,
        speakers_expected=2,
        audio_end_at=15000,
        speech_understanding=aai.SpeechUnderstandingRequest(
            request=aai.SpeechUnderstandingFeatureRequests(
                custom_formatting=aai.CustomFormattingRequest(date="mm/dd/yyyy", phone_number="(xxx)xxx-xxxx")
            )
        ),
    )
    transcript = aai.Transcriber().transcribe(call_url, config)
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    formatted = transcript.speech_understanding.response.custom_formatting
    assert formatted.status == "success" and formatted.mapping == {}
    assert formatted.formatted_text == transcript.text
    assert [u["text"] for u in formatted.formatted_utterances] == [u.text for u in transcript.utterances]
    assert transcript.speech_understanding.request.custom_formatting.date == "mm/dd/yyyy"


@pytest.mark.parametrize(
    ("understanding", "named"),
    [
        (
            {"request": {"translation": {"target_languages": "de"}}},
            "speech_understanding.request.translation.target_languages",
        ),
        (
            {"request": {"custom_formatting": {"colour": "red"}}},
            "speech_understanding.request.custom_formatting.colour",
        ),
        (
            {"request": {"custom_formatting": {"date": "whenever"}}},
            "speech_understanding.request.custom_formatting.date",
        ),
        ({"request": {}}, "speech_understanding.request"),
    ],
)
def test_bad_speech_understanding_is_400_naming_it(
    client: httpx.Client, call_url: str, understanding: dict, named: str
) -> None:
    response = client.post(
        "/v2/transcript", json={"audio_url": call_url, "speech_understanding": understanding}
    )
    assert response.status_code == 400, response.text
    assert named in response.json()["error"]


@pytest.fixture(scope="module")
def weather_url(client: httpx.Client, shared_audio: Path) -> str:
    path = shared_audio / "compressed" / "azure_whatstheweatherlike.mp3"
    return client.post("/v2/upload", content=path.read_bytes()).json()["upload_url"]


def test_topics_and_content_safety_through_the_sdk(aai_module, weather_url: str) -> None:
    """iab_categories and content_safety on a real question about the weather: the topic is the
    taxonomy's weather category, and nothing in it is sensitive."""
    aai = aai_module
    transcript = aai.Transcriber().transcribe(
        weather_url, aai.TranscriptionConfig(iab_categories=True, content_safety=True)
    )
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    assert "weather" in transcript.text.lower()
    topics = transcript.iab_categories
    assert topics.status == "success" and len(topics.results) == 1
    (segment,) = topics.results
    assert segment.text == transcript.text
    assert (segment.timestamp.start, segment.timestamp.end) == (
        transcript.words[0].start,
        transcript.words[-1].end,
    )
    assert segment.labels[0].label == "NewsAndPolitics>Weather"
    assert next(iter(topics.summary)) == "NewsAndPolitics>Weather"
    safety = transcript.content_safety
    assert safety.status == "success"
    assert safety.results == [] and safety.summary == {} and safety.severity_score_summary == {}


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"content_safety": True, "content_safety_confidence": 10}, "content_safety_confidence"),
        ({"content_safety": True, "content_safety_confidence": 101}, "content_safety_confidence"),
        ({"iab_categories": True, "language_code": "fr"}, "iab_categories"),
        ({"content_safety": True, "language_code": "de"}, "content_safety"),
    ],
)
def test_bad_topic_and_safety_requests_are_400_naming_the_field(
    client: httpx.Client, weather_url: str, body: dict, named: str
) -> None:
    response = client.post("/v2/transcript", json={"audio_url": weather_url, **body})
    assert response.status_code == 400, response.text
    assert named in response.json()["error"]
