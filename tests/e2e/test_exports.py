"""Exports (sentences, paragraphs, SRT / VTT, word search) through the official SDK, on real audio."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
import srt
import webvtt

from stenograph.pipeline.sentences import MAX_SENTENCE_WORDS, SENTENCE_PAUSE_MS
from tests.support.live_server import LiveServer, create_key

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "openapi.json"
CLIPS = {
    "jfk": "jfk/jfk.wav",  # 11 s: "ask not what your country can do for you ..."
    "call": "diarization/pyannote_sample.wav",  # 30 s phone call: many short sentences
    "ie": "ljspeech/LJ001-0018.flac",  # 7 s, one sentence with "i.e." in it
}
EXPORTS = ("sentences", "paragraphs", "srt", "vtt", "word-search?words=country")


@pytest.fixture(scope="module")
def done(server: LiveServer, shared_audio: Path) -> Iterator[dict[str, str]]:
    """The clips transcribed once for the module (their ids), through the SDK."""
    import assemblyai as aai

    previous = (aai.settings.base_url, aai.settings.api_key, aai.settings.polling_interval)
    aai.settings.base_url, aai.settings.api_key, aai.settings.polling_interval = (
        server.base_url,
        server.api_key,
        0.2,
    )
    try:
        transcriber = aai.Transcriber()
        submitted = {name: transcriber.submit(str(shared_audio / path)) for name, path in CLIPS.items()}
        finished = {name: t.wait_for_completion() for name, t in submitted.items()}
    finally:
        aai.settings.base_url, aai.settings.api_key, aai.settings.polling_interval = previous
    for transcript in finished.values():
        assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    yield {name: t.id for name, t in finished.items()}


def spec_schema(name: str) -> dict[str, Any]:
    return json.loads(SPEC.read_text())["components"]["schemas"][name]


def assert_fields(body: dict[str, Any], schema_name: str) -> None:
    schema = spec_schema(schema_name)
    assert set(schema["required"]) <= set(body) <= set(schema["properties"]), (schema_name, sorted(body))


def word_key(word: Any) -> tuple[str, int, int]:
    return (word.text, word.start, word.end)


def assert_groups_partition(groups: list, words: list) -> None:
    """Every group's words are a contiguous slice of ``words``; together, in order, they are all of them."""
    assert [word_key(w) for g in groups for w in g.words] == [word_key(w) for w in words]
    for group in groups:
        assert group.words, group
        assert group.text == " ".join(w.text for w in group.words)
        assert (group.start, group.end) == (group.words[0].start, group.words[-1].end)
        mean = sum(w.confidence for w in group.words) / len(group.words)
        assert group.confidence == pytest.approx(mean, abs=1e-4)


@pytest.mark.parametrize("clip", ["call", "jfk"])
def test_sentences_and_paragraphs(aai_client, server: LiveServer, done: dict[str, str], clip: str) -> None:
    aai = aai_client
    transcript = aai.Transcript.get_by_id(done[clip])
    words = transcript.words

    sentences = transcript.get_sentences()
    assert_groups_partition(sentences, words)
    assert all(s.speaker is None for s in sentences)
    for sentence, following in pairwise(sentences):
        # Each break has a reason: end punctuation, a long pause, or the length cap.
        last = sentence.words[-1].text.rstrip("\"')")
        assert (
            last.endswith((".", "?", "!"))
            or following.start - sentence.end > SENTENCE_PAUSE_MS
            or len(sentence.words) + len(following.words) > MAX_SENTENCE_WORDS
        ), (sentence.text, following.text)
        assert last not in ("Mr.", "Mrs.", "Dr.", "St.", "e.g.", "i.e.", "etc.", "U.S.", "vs.")
    if clip == "call":
        assert len(sentences) >= 5
        assert all(len(s.words) <= MAX_SENTENCE_WORDS for s in sentences)

    paragraphs = transcript.get_paragraphs()
    assert_groups_partition(paragraphs, words)
    sentence_starts = {s.start for s in sentences}
    assert all(p.start in sentence_starts for p in paragraphs)  # made of whole sentences
    assert len(paragraphs) <= len(sentences)

    # The raw bodies have exactly the spec's fields.
    headers = {"Authorization": server.api_key}
    for kind, response_schema, item_schema in (
        ("sentences", "SentencesResponse", "TranscriptSentence"),
        ("paragraphs", "ParagraphsResponse", "TranscriptParagraph"),
    ):
        body = httpx.get(f"{server.base_url}/v2/transcript/{transcript.id}/{kind}", headers=headers).json()
        assert_fields(body, response_schema)
        assert body["id"] == transcript.id
        assert body["audio_duration"] == transcript.audio_duration
        assert body["confidence"] == transcript.confidence
        for item in body[kind]:
            assert_fields(item, item_schema)
            assert all(set(w) <= set(spec_schema("TranscriptWord")["properties"]) for w in item["words"])


def test_abbreviation_does_not_end_a_sentence(aai_client, done: dict[str, str]) -> None:
    aai = aai_client
    transcript = aai.Transcript.get_by_id(done["ie"])
    assert re.search(r"\bi\s?\.\s?e\b", transcript.text, re.I), transcript.text
    sentences = transcript.get_sentences()
    assert len(sentences) == 1, [s.text for s in sentences]


def test_srt_and_vtt(aai_client, server: LiveServer, done: dict[str, str]) -> None:
    aai = aai_client
    transcript = aai.Transcript.get_by_id(done["jfk"])
    all_text = "".join(w.text for w in transcript.words)

    subtitles = list(srt.parse(transcript.export_subtitles_srt(chars_per_caption=20)))
    assert len(subtitles) >= 4
    assert [s.index for s in subtitles] == list(range(1, len(subtitles) + 1))
    lines = [line for s in subtitles for line in s.content.split("\n")]
    assert all(0 < len(line) <= 20 for line in lines), lines
    assert "".join(lines).replace(" ", "") == all_text  # every word, in order
    assert all(s.start < s.end for s in subtitles)
    assert all(a.start <= b.start and a.end <= b.start for a, b in pairwise(subtitles))
    assert subtitles[0].start.total_seconds() * 1000 == pytest.approx(transcript.words[0].start, abs=1)
    assert subtitles[-1].end.total_seconds() <= 11.1

    vtt = transcript.export_subtitles_vtt()
    assert vtt.startswith("WEBVTT\n")
    captions = list(webvtt.from_string(vtt))
    assert captions
    lines = [line for c in captions for line in c.lines]
    assert all(0 < len(line) <= 32 for line in lines), lines  # AssemblyAI's default width
    assert "".join(lines).replace(" ", "") == all_text
    assert all(re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3}", c.start) for c in captions)
    assert [c.start for c in captions] == sorted(c.start for c in captions)

    headers = {"Authorization": server.api_key}
    base = f"{server.base_url}/v2/transcript/{transcript.id}"
    response = httpx.get(f"{base}/srt", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    for bad in ("0", "-3", "many"):
        response = httpx.get(f"{base}/vtt", params={"chars_per_caption": bad}, headers=headers)
        assert response.status_code == 400 and "chars_per_caption" in response.json()["error"]
    response = httpx.get(f"{base}/docx", headers=headers)
    assert response.status_code == 404 and "error" in response.json()


def normalise(text: str) -> str:
    return re.sub(r"^\W+|\W+$", "", text.lower())


def test_word_search(aai_client, server: LiveServer, done: dict[str, str]) -> None:
    aai = aai_client
    transcript = aai.Transcript.get_by_id(done["jfk"])
    words = [normalise(w.text) for w in transcript.words]

    matches = {m.text: m for m in transcript.word_search(["country", "ask not"])}
    expected = {
        "country": [i for i, w in enumerate(words) if w == "country"],
        "ask not": [i for i in range(len(words) - 1) if words[i : i + 2] == ["ask", "not"]],
    }
    assert expected["country"] and expected["ask not"]  # both are in the clip
    assert set(matches) == set(expected)
    for text, indexes in expected.items():
        match, size = matches[text], len(text.split())
        assert match.count == len(indexes) and match.indexes == indexes
        spans = [(transcript.words[i].start, transcript.words[i + size - 1].end) for i in indexes]
        assert [tuple(t) for t in match.timestamps] == spans

    # Raw: the spec's shape, total_count, case and punctuation ignored, unknown words left out.
    body = httpx.get(
        f"{server.base_url}/v2/transcript/{transcript.id}/word-search",
        params={"words": "COUNTRY!,zebra crossing"},
        headers={"Authorization": server.api_key},
    ).json()
    assert_fields(body, "WordSearchResponse")
    assert body["total_count"] == len(expected["country"])
    assert [m["text"] for m in body["matches"]] == ["country"]

    with pytest.raises(aai.types.TranscriptError, match="at most 5 words"):
        transcript.word_search(["ask not what your country can"])


@pytest.fixture()
def stalled_audio() -> Iterator[tuple[str, threading.Event]]:
    """An audio URL whose server holds the request until released, then answers 404."""
    release = threading.Event()

    class Stall(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            release.wait(60)
            self.send_error(404)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Stall)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/meeting.mp3", release
    finally:
        release.set()
        httpd.shutdown()


def wait_for_status(server: LiveServer, transcript_id: str, wanted: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = httpx.get(
            f"{server.base_url}/v2/transcript/{transcript_id}", headers={"Authorization": server.api_key}
        ).json()
        if body["status"] == wanted:
            return
        time.sleep(0.1)
    raise AssertionError(f"{transcript_id} never reached {wanted}: {body}")


def test_exports_of_unfinished_or_failed_transcripts_are_400(
    server: LiveServer, stalled_audio: tuple[str, threading.Event]
) -> None:
    url, release = stalled_audio
    headers = {"Authorization": server.api_key}
    created = httpx.post(f"{server.base_url}/v2/transcript", json={"audio_url": url}, headers=headers).json()
    base = f"{server.base_url}/v2/transcript/{created['id']}"

    for export in EXPORTS:  # asked at once: queued, or already taken by the worker
        response = httpx.get(f"{base}/{export}", headers=headers)
        assert response.status_code == 400, export
        assert re.fullmatch(
            r"Transcript is not completed yet \(status: (queued|processing)\).*", response.json()["error"]
        )

    wait_for_status(server, created["id"], "processing")  # the worker is waiting for the audio
    for export in EXPORTS:
        response = httpx.get(f"{base}/{export}", headers=headers)
        assert response.status_code == 400, export
        assert "not completed yet (status: processing)" in response.json()["error"]

    release.set()
    wait_for_status(server, created["id"], "error")
    for export in EXPORTS:
        response = httpx.get(f"{base}/{export}", headers=headers)
        assert response.status_code == 400, export
        message = response.json()["error"]
        assert "ended in error" in message and "404" in message


def test_exports_of_another_projects_transcript_are_404(server: LiveServer, done: dict[str, str]) -> None:
    theirs = {"Authorization": create_key(server)}
    mine = {"Authorization": server.api_key}
    for export in EXPORTS:
        for transcript_id, headers in ((done["jfk"], theirs), ("no-such-id", mine)):
            response = httpx.get(f"{server.base_url}/v2/transcript/{transcript_id}/{export}", headers=headers)
            assert response.status_code == 404, (export, transcript_id)
            assert response.json() == {"error": "Transcript not found"}
        response = httpx.get(f"{server.base_url}/v2/transcript/{done['jfk']}/{export}")
        assert response.status_code == 401
