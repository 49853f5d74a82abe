"""Hostile and odd requests at the API's edge, on both backends: every one is a 4xx naming what is
wrong (never a 500), nothing is created by a refused request, and any stored row can be read and
deleted. The application runs in-process with its real database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from stenograph.api.app import create_app
from stenograph.config import Settings
from stenograph.store import keys, transcripts
from stenograph.store.db import Database
from stenograph.store.models import Transcript
from tests.support.postgres import throwaway_database

KEY = secrets.token_hex(16)
AUDIO_URL = "https://example.com/audio.wav"
MIB = 1024 * 1024


@dataclass
class Api:
    client: TestClient
    db: Database  # a second engine on the app's database, for rows written directly
    project_id: str
    backend: str

    def create(self, body: dict[str, Any] | bytes) -> httpx.Response:
        if isinstance(body, bytes):
            return self.client.post(
                "/v2/transcript", content=body, headers={"Content-Type": "application/json"}
            )
        return self.client.post("/v2/transcript", json={"audio_url": AUDIO_URL, **body})

    def count(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(Transcript)) or 0


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    data_dir: Path = tmp_path_factory.mktemp(f"edges-{request.param}")
    with ExitStack() as stack:
        url = stack.enter_context(throwaway_database())[1] if request.param == "postgresql" else None
        settings = Settings(data_dir=data_dir, database_url=url, api_key=KEY, embedded_worker=False)
        client = stack.enter_context(
            TestClient(create_app(settings), headers={"Authorization": KEY}, raise_server_exceptions=False)
        )
        db = Database(settings.resolved_database_url)
        stack.callback(db.dispose)
        with db.session() as session:
            project_id = keys.project_for_key(session, KEY)
        assert project_id is not None
        yield Api(client, db, project_id, request.param)


def assert_refused(response: httpx.Response, status: int, *names: str) -> str:
    assert response.status_code == status, response.text[:300]
    message = response.json()["error"]
    assert isinstance(message, str)
    for name in names:
        assert name in message, message
    return message


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --------------------------------------------------------------------------- defect 3: bounded requests


def test_json_body_over_a_mebibyte_is_413_and_creates_nothing(api: Api) -> None:
    before = api.count()
    response = api.create({"prompt": "a" * (2 * MIB)})
    assert_refused(response, 413, "1048576")
    assert api.count() == before


TOO_LONG = [
    ("audio_url", {"audio_url": "https://example.com/" + "a" * 2048}),
    ("webhook_url", {"webhook_url": "https://example.com/" + "a" * 2048}),
    ("prompt", {"prompt": "a" * 15_001}),
    ("prompt", {"prompt": "word " * 1501}),
    ("keyterms_prompt", {"keyterms_prompt": ["term"] * 1001}),
    ("keyterms_prompt", {"keyterms_prompt": ["k" * 101]}),
    ("keyterms_prompt", {"keyterms_prompt": ["one two three four five six seven"]}),
    ("word_boost", {"word_boost": ["term"] * 1001}),
    ("word_boost", {"word_boost": ["k" * 101]}),
    ("custom_spelling", {"custom_spelling": [{"from": ["a"], "to": "b"}] * 1001}),
    ("custom_spelling", {"custom_spelling": [{"from": ["a"] * 101, "to": "b"}]}),
    ("custom_spelling", {"custom_spelling": [{"from": ["a" * 101], "to": "b"}]}),
    ("custom_spelling", {"custom_spelling": [{"from": ["a"], "to": "b" * 101}]}),
    ("webhook_auth_header_name", {"webhook_auth_header_name": "X" * 257}),
    ("webhook_auth_header_value", {"webhook_auth_header_name": "X", "webhook_auth_header_value": "v" * 4097}),
    ("language_code", {"language_code": "e" * 101}),
    ("speech_models", {"speech_models": ["universal"] * 101}),
    ("topics", {"topics": ["t" * 101]}),
]


@pytest.mark.parametrize(("field", "extra"), TOO_LONG, ids=[f"{f}-{i}" for i, (f, _) in enumerate(TOO_LONG)])
def test_fields_over_their_bounds_are_400_naming_the_field(
    api: Api, field: str, extra: dict[str, Any]
) -> None:
    before = api.count()
    assert_refused(api.create(extra), 400, field)
    assert api.count() == before


def test_values_at_the_bounds_are_accepted(api: Api) -> None:
    response = api.create(
        {
            "prompt": " ".join(["word"] * 1500),
            "keyterms_prompt": [f"a b c d e k{i}" for i in range(1000)],
            "custom_spelling": [{"from": [f"f{i}"] * 100, "to": "t" * 100} for i in range(10)],
            "webhook_url": "https://example.com/" + "w" * 2000,
            "webhook_auth_header_name": "X-Secret",
            "webhook_auth_header_value": "v" * 4096,
        }
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["keyterms_prompt"]) == 1000


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deep_nesting_is_400(api: Api, depth: int) -> None:
    body = f'{{"audio_url":"{AUDIO_URL}","extra":{nested(depth)}}}'.encode()
    before = api.count()
    assert_refused(api.create(body), 400, "nest")
    assert api.count() == before


def test_nesting_within_the_limit_is_accepted(api: Api) -> None:
    body = f'{{"audio_url":"{AUDIO_URL}","extra":{nested(30)}}}'.encode()
    assert api.create(body).status_code == 200


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b'{"audio_url": "x",}', b"\xff\xfe{}", b'"just a string"', b"[1, 2]"],
    ids=["empty", "truncated", "trailing-comma", "bad-utf8", "string", "array"],
)
def test_malformed_bodies_are_400(api: Api, raw: bytes) -> None:
    assert_refused(api.create(raw), 400)


def test_the_realtime_token_body_is_bounded_and_strict(api: Api) -> None:
    url = "/v2/realtime/token"
    assert_refused(api.client.post(url, json={"expires_in": 60, "pad": "a" * (2 * MIB)}), 413)
    deep = f'{{"expires_in":60,"pad":{nested(100_000)}}}'.encode()
    assert_refused(api.client.post(url, content=deep, headers={"Content-Type": "application/json"}), 400)
    assert_refused(api.client.post(url, json={"expires_in": "60"}), 400, "expires_in")
    assert_refused(api.client.post(url, json=[60]), 400)
    assert api.client.post(url, json={"expires_in": 60}).status_code == 200
    documented = api.client.get("/openapi.json").json()["paths"][url]["post"]["requestBody"]
    assert "expires_in" in json.dumps(documented)


# --------------------------------------------------------------------------- defect 6: NUL and NaN


@pytest.mark.parametrize(
    "path",
    [
        "/v2/transcript/abc%00def",
        "/v2/transcript/%00",
        "/v2/transcript/00000000-0000-4000-8000-00000000000%00",
        "/v2/transcript/abc%00/sentences",
        "/v2/transcript/abc%00/paragraphs",
        "/v2/transcript/abc%00/srt",
        "/v2/transcript/abc%00/word-search?words=a",
    ],
)
def test_nul_in_a_transcript_id_is_404(api: Api, path: str) -> None:
    assert_refused(api.client.get(path), 404)


def test_nul_in_a_transcript_id_is_404_on_delete(api: Api) -> None:
    assert_refused(api.client.delete("/v2/transcript/abc%00def"), 404)


@pytest.mark.parametrize("cursor", ["before_id", "after_id"])
@pytest.mark.parametrize("value", ["%00", "abc%00def", "x" * 300])
def test_odd_list_cursors_are_400(api: Api, cursor: str, value: str) -> None:
    assert_refused(api.client.get(f"/v2/transcript?{cursor}={value}"), 400, cursor)


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("audio_url", {"audio_url": "https://example.com/a\u0000.wav"}),
        ("prompt", {"prompt": "a\u0000b"}),
        ("keyterms_prompt", {"keyterms_prompt": ["ok", "\u0000"]}),
        ("language_detection_options", {"language_detection_options": {"fallback_language": "e\u0000n"}}),
    ],
)
def test_nul_in_a_string_is_400_naming_the_field(api: Api, field: str, body: dict[str, Any]) -> None:
    before = api.count()
    assert_refused(api.create({"audio_url": AUDIO_URL, **body}), 400, field)
    assert api.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", "NaN"),
        ("speech_threshold", "Infinity"),
        ("language_confidence_threshold", "-Infinity"),
        ("temperature", "1e999"),
        ("speakers_expected", "NaN"),
        ("audio_start_from", "Infinity"),
    ],
)
def test_non_finite_numbers_are_400(api: Api, field: str, value: str) -> None:
    before = api.count()
    response = api.create(f'{{"audio_url":"{AUDIO_URL}","{field}":{value}}}'.encode())
    assert_refused(response, 400, field)
    assert api.count() == before


def test_non_finite_numbers_in_nested_options_are_400(api: Api) -> None:
    body = (
        f'{{"audio_url":"{AUDIO_URL}","language_detection_options":'
        '{"code_switching_confidence_threshold":NaN}}'
    ).encode()
    assert_refused(api.create(body), 400, "code_switching_confidence_threshold")


# --------------------------------------------------------------------------- defect 7: invalid Unicode


@pytest.mark.parametrize(
    "raw",
    [
        f'{{"audio_url":"{AUDIO_URL}","prompt":"\\ud800"}}',
        f'{{"audio_url":"{AUDIO_URL}","prompt":"a\\udfffb"}}',
        f'{{"audio_url":"{AUDIO_URL}","keyterms_prompt":["\\ud83d"]}}',
        f'{{"audio_url":"{AUDIO_URL}","\\udc00":1}}',
    ],
    ids=["high", "low", "in-a-list", "in-a-key"],
)
def test_lone_surrogates_are_400_and_create_nothing(api: Api, raw: str) -> None:
    before = api.count()
    assert_refused(api.create(raw.encode()), 400, "Unicode")
    assert api.count() == before


def test_a_surrogate_pair_is_accepted(api: Api) -> None:
    response = api.create(f'{{"audio_url":"{AUDIO_URL}","prompt":"Stenograph \\ud83d\\ude00"}}'.encode())
    assert response.status_code == 200, response.text
    assert response.json()["prompt"] == "Stenograph \U0001f600"


def odd_rows(backend: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(stored request, stored result) pairs no current request can produce, but an older server,
    another tool or a hand edit can leave behind."""
    rows: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"prompt": "lone \ud800 surrogate"}, {"text": "text \udfff here", "words": []}),
        ({"language_code": "en", "prompt": "nul \u0000 inside"}, {"text": "nul \u0000", "words": []}),
        ({"temperature": "warm"}, {"text": "t", "audio_duration": "long", "words": "none"}),
    ]
    if backend == "sqlite":  # PostgreSQL's json type refuses NaN, so only SQLite can hold one
        rows.append(({"temperature": float("nan")}, {"text": "t", "confidence": float("inf")}))
    return rows


def test_get_list_and_delete_survive_any_stored_row(api: Api) -> None:
    for request, result in odd_rows(api.backend):
        with api.db.session() as session:
            row = transcripts.create(
                session,
                project_id=api.project_id,
                audio_url=AUDIO_URL,
                upload_id=None,
                request=request,
                model="tiny.en",
            )
            transcript_id = row.id
        with api.db.session() as session:
            claim = transcripts.claim(session, transcript_id, lease_seconds=60)
            assert claim is not None
            assert transcripts.finish(
                session,
                transcript_id,
                claim.token,
                status=transcripts.COMPLETED,
                result=result,
                speech_model_used="tiny.en",
            )
        for _ in range(2):  # rendered, then from the cache of rendered bodies
            response = api.client.get(f"/v2/transcript/{transcript_id}")
            assert response.status_code == 200, (request, result, response.text)
            assert response.json()["id"] == transcript_id
            json.loads(response.content.decode("utf-8"))  # strict UTF-8: no lone surrogate left
        assert api.client.get("/v2/transcript?limit=200").status_code == 200
        deleted = api.client.delete(f"/v2/transcript/{transcript_id}")
        assert deleted.status_code == 200, (request, result, deleted.text)
        assert deleted.json()["text"] == transcripts.DELETED_TEXT
        assert api.client.get(f"/v2/transcript/{transcript_id}").json()["text"] == transcripts.DELETED_TEXT


# --------------------------------------------------------------------------- defect 8: dates


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_created_on_at_the_ends_of_the_calendar_is_an_empty_page(api: Api, day: str) -> None:
    response = api.client.get(f"/v2/transcript?created_on={day}")
    assert response.status_code == 200, response.text
    assert response.json()["transcripts"] == []


# --------------------------------------------------------------------------- defect 15: strict types

WRONG_TYPES: list[tuple[str, Any]] = [
    # booleans given strings or numbers
    *[("punctuate", v) for v in ("true", "false", 1, 0)],
    *[("speaker_labels", v) for v in ("true", 1)],
    *[("format_text", v) for v in ("yes", 0.0)],
    *[("multichannel", v) for v in ("1",)],
    *[("language_detection", v) for v in ("true", 1)],
    # numbers given booleans or strings
    *[("temperature", v) for v in (True, False, "1", "0.5")],
    *[("speech_threshold", v) for v in (True, "0.2")],
    *[("language_confidence_threshold", v) for v in (False, "0.5")],
    *[("audio_start_from", v) for v in (True, "100", 1.5)],
    *[("audio_end_at", v) for v in (True, "100")],
    *[("speakers_expected", v) for v in (True, "2", 2.5)],
    *[("content_safety_confidence", v) for v in (True, "50")],
    # strings given numbers, booleans or lists
    *[("language_code", v) for v in (5, True, ["en"])],
    *[("prompt", v) for v in (5, False, ["a"])],
    *[("webhook_url", v) for v in (5, True)],
    *[("speech_model", v) for v in (5,)],
    *[("webhook_auth_header_name", v) for v in (5,)],
    # lists given strings or lists of the wrong type
    *[("keyterms_prompt", v) for v in ("Stenograph", [5], [True])],
    *[("word_boost", v) for v in ("word", [1])],
    *[("speech_models", v) for v in ("universal", [3])],
    *[("custom_spelling", v) for v in ("a->b", [{"from": "a", "to": "b"}], [{"from": ["a"], "to": 5}])],
    # nested options
    *[("speaker_options", v) for v in ({"min_speakers_expected": "2"}, {"max_speakers_expected": True})],
    *[("language_detection_options", v) for v in ({"code_switching": "true"}, {"expected_languages": "en"})],
    *[("language_detection_options", v) for v in ({"code_switching_confidence_threshold": True},)],
]


@pytest.mark.parametrize(("field", "value"), WRONG_TYPES, ids=[f"{f}={v!r}" for f, v in WRONG_TYPES])
def test_wrongly_typed_options_are_400_naming_the_field(api: Api, field: str, value: Any) -> None:
    before = api.count()
    assert_refused(api.create({field: value}), 400, field)
    assert api.count() == before


def test_rightly_typed_options_are_accepted(api: Api) -> None:
    response = api.create(
        {
            "punctuate": True,
            "temperature": 0,  # an integer is a number
            "speech_threshold": 0.5,
            "audio_start_from": 0,
            "audio_end_at": 10_000,
            "speakers_expected": 2,
            "speaker_labels": True,
            "language_code": "en",
            "keyterms_prompt": ["Stenograph"],
            "custom_spelling": [{"from": ["steno"], "to": "Steno"}],
            "language_detection_options": {"code_switching_confidence_threshold": 1},
            "speech_model": None,
        }
    )
    assert response.status_code == 200, response.text
    assert response.json()["temperature"] == 0


# --------------------------------------------------------------------------- issue 22: empty query parameters


def test_empty_query_parameters_are_as_if_absent(api: Api) -> None:
    for _ in range(3):
        assert api.create({}).status_code == 200
    plain = api.client.get("/v2/transcript?limit=2")
    assert plain.status_code == 200
    expected = [t["id"] for t in plain.json()["transcripts"]]
    for query in (
        "limit=2&status=",
        "limit=2&status=&created_on=&before_id=&after_id=&throttled_only=",
    ):
        response = api.client.get(f"/v2/transcript?{query}")
        assert response.status_code == 200, (query, response.text)
        assert [t["id"] for t in response.json()["transcripts"]] == expected
    everything = api.client.get("/v2/transcript?limit=&after_id=")
    assert everything.status_code == 200, everything.text
    assert everything.json()["page_details"]["limit"] == 10
    assert len(everything.json()["transcripts"]) == min(10, api.count())
