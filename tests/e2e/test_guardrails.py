"""PII redaction and entity detection through the official Python SDK on a real phone call
(pyannote_sample: "This is Diane in New Jersey." / "And I'm Sheila in Texas, originally from
Chicago."), and the leak test: with redaction on, no endpoint, export, stored row or log line
carries an original PII string."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import LiveServer

# From the reference transcript (diarization/pyannote_sample.stm), written before running the model.
NAMES = ("Diane", "Sheila")
PLACES = ("New Jersey", "Texas", "Chicago")
POLICIES = ["person_name", "location"]


def wait_done(client: httpx.Client, transcript_id: str) -> dict:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        body = client.get(f"/v2/transcript/{transcript_id}").json()
        if body["status"] in ("completed", "error"):
            return body
        time.sleep(0.3)
    raise TimeoutError(transcript_id)


@pytest.fixture(scope="module")
def client(server: LiveServer):
    with httpx.Client(base_url=server.base_url, headers={"Authorization": server.api_key}, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def call_url(client: httpx.Client, shared_audio: Path) -> str:
    path = shared_audio / "diarization" / "pyannote_sample.wav"
    return client.post("/v2/upload", content=path.read_bytes()).json()["upload_url"]


@pytest.fixture(scope="module")
def redacted(aai_module, call_url: str):
    """Hash substitution, with speaker labels, through the SDK."""
    aai = aai_module
    config = aai.TranscriptionConfig(speaker_labels=True).set_redact_pii(
        policies=[aai.PIIRedactionPolicy.person_name, aai.PIIRedactionPolicy.location]
    )
    transcript = aai.Transcriber().transcribe(call_url, config)
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    return transcript


@pytest.fixture(scope="module")
def with_unredacted(aai_module, call_url: str):
    """Entity names, the unredacted copy and entity detection, through the SDK."""
    aai = aai_module
    config = aai.TranscriptionConfig(entity_detection=True).set_redact_pii(
        policies=[aai.PIIRedactionPolicy.person_name, aai.PIIRedactionPolicy.location],
        substitution=aai.PIISubstitutionPolicy.entity_name,
        return_unredacted=True,
    )
    transcript = aai.Transcriber().transcribe(call_url, config)
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    return transcript


def spoken_pii(unredacted_text: str) -> list[str]:
    """The reference's names and places that the model wrote (so that their absence means something)."""
    present = [value for value in NAMES + PLACES if value in unredacted_text]
    assert len(present) >= 4, f"the model wrote too few of {NAMES + PLACES}: {unredacted_text[:300]}"
    return present


def test_hash_hides_names_and_places_in_text_words_and_utterances(redacted, with_unredacted) -> None:
    pii = spoken_pii(with_unredacted.unredacted_text)
    assert all(value not in redacted.text for value in pii), redacted.text
    assert "#####" in redacted.text
    for word in redacted.words:
        assert word.text.strip(",.?!") not in " ".join(pii).split()
    assert redacted.utterances and all(value not in u.text for u in redacted.utterances for value in pii)
    # Times are kept: the redacted words are the unredacted words, one for one.
    assert [(w.start, w.end) for w in redacted.words] == [
        (w.start, w.end) for w in with_unredacted.unredacted_words
    ]


def test_entity_name_substitution_and_the_unredacted_copy(with_unredacted) -> None:
    assert "[PERSON_NAME]" in with_unredacted.text and "[LOCATION]" in with_unredacted.text
    pii = spoken_pii(with_unredacted.unredacted_text)
    assert all(value not in with_unredacted.text for value in pii)
    unredacted_words = " ".join(w.text for w in with_unredacted.unredacted_words)
    assert all(value in unredacted_words for value in pii)
    assert with_unredacted.unredacted_utterances is None  # no speaker labels were asked for


def test_entity_detection_lists_people_and_places_in_time_order(with_unredacted) -> None:
    entities = with_unredacted.entities
    assert [e.start for e in entities] == sorted(e.start for e in entities)
    kinds = {e.entity_type for e in entities}
    assert {"person_name", "location"} <= kinds
    # The entities of redacted types carry the redacted text, like the transcript.
    pii = spoken_pii(with_unredacted.unredacted_text)
    assert all(value not in e.text for e in entities for value in pii)


def test_no_endpoint_export_row_or_log_carries_the_pii(
    client: httpx.Client, server: LiveServer, redacted, with_unredacted
) -> None:
    pii = spoken_pii(with_unredacted.unredacted_text)
    # The log first: the word search below puts the names in a request line of its own.
    assert all(value not in server.log(tail=None) for value in pii)
    tid = redacted.id
    bodies = {
        path: client.get(path)
        for path in (
            f"/v2/transcript/{tid}",
            f"/v2/transcript/{tid}/sentences",
            f"/v2/transcript/{tid}/paragraphs",
            f"/v2/transcript/{tid}/srt",
            f"/v2/transcript/{tid}/vtt",
            f"/v2/transcript/{tid}/word-search?words={','.join(v.split()[0] for v in pii)}",
            "/v2/transcript?limit=200",
        )
    }
    for path, response in bodies.items():
        assert response.status_code == 200, (path, response.text)
        assert all(value not in response.text for value in pii), path
    assert (
        bodies[f"/v2/transcript/{tid}/word-search?words={','.join(v.split()[0] for v in pii)}"].json()[
            "total_count"
        ]
        == 0
    )
    row = (
        sqlite3.connect(server.data_dir / "stenograph.db")
        .execute("SELECT request, result, unredacted FROM transcripts WHERE id = ?", (tid,))
        .fetchone()
    )
    assert row[2] is None and all(value not in (row[0] + row[1]) for value in pii)


def test_deleting_the_transcript_deletes_the_unredacted_copy(
    client: httpx.Client, server: LiveServer, call_url: str
) -> None:
    created = client.post(
        "/v2/transcript",
        json={
            "audio_url": call_url,
            "redact_pii": True,
            "redact_pii_policies": POLICIES,
            "redact_pii_return_unredacted": True,
            "audio_end_at": 22000,
        },
    ).json()
    done = wait_done(client, created["id"])
    assert done["status"] == "completed", done
    assert done["unredacted_text"] and done["text"] != done["unredacted_text"]
    assert client.delete(f"/v2/transcript/{created['id']}").status_code == 200
    row = (
        sqlite3.connect(server.data_dir / "stenograph.db")
        .execute("SELECT result, unredacted FROM transcripts WHERE id = ?", (created["id"],))
        .fetchone()
    )
    assert row is None or (row[1] is None and all(v not in str(row[0]) for v in NAMES))


def test_static_entities_are_redacted_on_top_of_the_policies(client: httpx.Client, call_url: str) -> None:
    created = client.post(
        "/v2/transcript",
        json={
            "audio_url": call_url,
            "redact_pii": True,
            "redact_pii_policies": ["person_name"],
            "redact_pii_sub": "entity_name",
            "redact_static_entities": {"REGION": ["yankee"]},
            "audio_end_at": 32000,
        },
    ).json()
    done = wait_done(client, created["id"])
    assert done["status"] == "completed", done
    assert "[REGION]" in done["text"] and "yankee" not in done["text"].lower()
    assert "redact_static_entities" not in done  # the terms themselves are not echoed


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"redact_pii": True}, "redact_pii_policies"),
        (
            {"redact_pii": True, "redact_pii_policies": ["person_name", "favourite_colour"]},
            "favourite_colour",
        ),
        ({"redact_pii": True, "redact_pii_policies": ["physical_attribute"]}, "physical_attribute"),
        ({"redact_pii": True, "redact_pii_policies": POLICIES, "redact_pii_sub": "stars"}, "redact_pii_sub"),
        ({"redact_pii_audio": True}, "redact_pii_audio"),
        ({"redact_pii_return_unredacted": True}, "redact_pii_return_unredacted"),
        (
            {"redact_pii": True, "redact_pii_policies": POLICIES, "redact_static_entities": ["x"]},
            "redact_static_entities",
        ),
        (
            {"redact_pii": True, "redact_pii_policies": POLICIES, "redact_static_entities": {"X": []}},
            "redact_static_entities",
        ),
        ({"redact_pii": True, "redact_pii_policies": POLICIES, "language_code": "de"}, "redact_pii"),
        ({"entity_detection": True, "language_code": "fr"}, "entity_detection"),
    ],
)
def test_bad_redaction_requests_are_400_naming_the_field(
    client: httpx.Client, call_url: str, body: dict, named: str
) -> None:
    response = client.post("/v2/transcript", json={"audio_url": call_url, **body})
    assert response.status_code == 400, response.text
    assert named in response.json()["error"]


def test_multichannel_redacts_each_channel(client: httpx.Client, shared_audio: Path) -> None:
    """The JFK excerpt in stereo: "And so, my fellow Americans, ask not ..." on both channels."""
    path = shared_audio / "compressed" / "jfk__f32_48k_stereo.wav"
    url = client.post("/v2/upload", content=path.read_bytes()).json()["upload_url"]
    created = client.post(
        "/v2/transcript",
        json={
            "audio_url": url,
            "multichannel": True,
            "redact_pii": True,
            "redact_pii_policies": ["nationality"],
            "redact_pii_sub": "entity_name",
            "redact_pii_return_unredacted": True,
        },
    ).json()
    done = wait_done(client, created["id"])
    assert done["status"] == "completed", done
    assert done["audio_channels"] == 2
    found = [w for w in done["unredacted_words"] if w["text"].strip(",.").lower() == "americans"]
    assert {w["channel"] for w in found} == {"1", "2"}, done["unredacted_text"]
    hidden = [w for w in done["words"] if w["text"].startswith("[NATIONALITY]")]
    assert [(w["start"], w["channel"]) for w in hidden] == [(w["start"], w["channel"]) for w in found]
    assert "americans" not in done["text"].lower()
    assert all("americans" not in u["text"].lower() for u in done["utterances"])


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
