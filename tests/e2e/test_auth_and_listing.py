"""API keys, project isolation and list pagination, through the SDK and raw HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import REPO_ROOT, LiveServer, create_key

AUTH_ERROR = {"error": "Authentication error, API token missing/invalid"}


@pytest.fixture()
def other_key(server: LiveServer) -> str:
    return create_key(server)


def test_missing_or_wrong_key_is_401_with_the_documented_body(server: LiveServer) -> None:
    for headers in ({}, {"Authorization": "wrong"}, {"Authorization": "Bearer wrong"}):
        response = httpx.get(f"{server.base_url}/v2/transcript", headers=headers)
        assert response.status_code == 401
        assert response.json() == AUTH_ERROR


def test_bearer_prefix_is_accepted(server: LiveServer) -> None:
    response = httpx.get(
        f"{server.base_url}/v2/transcript", headers={"Authorization": f"Bearer {server.api_key}"}
    )
    assert response.status_code == 200


def test_a_key_sees_only_its_own_project(
    aai_client, server: LiveServer, other_key: str, shared_audio: Path
) -> None:
    aai = aai_client
    mine = aai.Transcriber().submit(str(shared_audio / "jfk" / "jfk.wav"))
    theirs = {"Authorization": other_key}

    response = httpx.get(f"{server.base_url}/v2/transcript/{mine.id}", headers=theirs)
    assert response.status_code == 404 and "error" in response.json()
    assert httpx.delete(f"{server.base_url}/v2/transcript/{mine.id}", headers=theirs).status_code == 404
    listed = httpx.get(f"{server.base_url}/v2/transcript", headers=theirs).json()
    assert mine.id not in {t["id"] for t in listed["transcripts"]}
    # Another project's upload_url cannot be transcribed.
    response = httpx.post(
        f"{server.base_url}/v2/transcript", json={"audio_url": mine.audio_url}, headers=theirs
    )
    assert response.status_code == 403 and "another project" in response.json()["error"]
    assert mine.wait_for_completion().status == aai.TranscriptStatus.completed


def test_revoked_key_is_refused(server: LiveServer) -> None:
    key = create_key(server)
    assert httpx.get(f"{server.base_url}/v2/transcript", headers={"Authorization": key}).status_code == 200
    env = {**os.environ, "STENOGRAPH_DATA_DIR": str(server.data_dir)}
    listing = subprocess.run(
        [sys.executable, "-m", "stenograph.cli", "keys", "list"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert key not in listing  # only a prefix is ever shown
    key_id = next(line.split("\t")[0] for line in listing.splitlines() if f"\t{key[:6]}" in line)
    subprocess.run(
        [sys.executable, "-m", "stenograph.cli", "keys", "revoke", key_id], cwd=REPO_ROOT, env=env, check=True
    )
    response = httpx.get(f"{server.base_url}/v2/transcript", headers={"Authorization": key})
    assert response.status_code == 401 and response.json() == AUTH_ERROR


def test_list_pagination_both_directions(aai_client, server: LiveServer, shared_audio: Path) -> None:
    aai = aai_client
    aai.settings.api_key = create_key(server)  # a fresh project: only this test's transcripts
    upload_url = aai.Transcriber().upload_file(
        str(shared_audio / "compressed" / "azure_whatstheweatherlike.mp3")
    )
    created = [aai.Transcriber().submit(upload_url).id for _ in range(7)]
    newest_first = list(reversed(created))

    transcriber = aai.Transcriber()
    page = transcriber.list_transcripts(aai.ListTranscriptParameters(limit=3))
    assert page.page_details.current_url.startswith(server.base_url)
    assert page.page_details.next_url is None
    seen, pages = [t.id for t in page.transcripts], [page]
    while page.page_details.prev_url:
        before_id = page.page_details.prev_url.split("before_id=")[1].split("&")[0]
        page = transcriber.list_transcripts(aai.ListTranscriptParameters(limit=3, before_id=before_id))
        assert page.page_details.prev_url is None or page.page_details.prev_url.startswith(server.base_url)
        seen += [t.id for t in page.transcripts]
        pages.append(page)
    assert seen == newest_first
    assert [len(p.transcripts) for p in pages] == [3, 3, 1]

    # And back toward newer pages with after_id.
    seen_back = [t.id for t in page.transcripts]
    while page.page_details.next_url:
        after_id = page.page_details.next_url.split("after_id=")[1].split("&")[0]
        page = transcriber.list_transcripts(aai.ListTranscriptParameters(limit=3, after_id=after_id))
        seen_back = [t.id for t in page.transcripts] + seen_back
    assert seen_back == newest_first

    # The absolute page URLs work as given.
    raw = httpx.get(pages[0].page_details.prev_url, headers={"Authorization": aai.settings.api_key}).json()
    assert [t["id"] for t in raw["transcripts"]] == newest_first[3:6]
    for transcript_id in created:
        aai.Transcript.get_by_id(transcript_id).wait_for_completion()


def test_list_filters(aai_client, server: LiveServer, shared_audio: Path) -> None:
    import datetime as dt

    aai = aai_client
    aai.settings.api_key = create_key(server)
    done = aai.Transcriber().transcribe(str(shared_audio / "compressed" / "azure_whatstheweatherlike.mp3"))
    assert done.status == aai.TranscriptStatus.completed
    transcriber = aai.Transcriber()
    completed = transcriber.list_transcripts(aai.ListTranscriptParameters(status="completed"))
    assert [t.id for t in completed.transcripts] == [done.id]
    assert completed.transcripts[0].resource_url == f"{server.base_url}/v2/transcript/{done.id}"
    queued = transcriber.list_transcripts(aai.ListTranscriptParameters(status="queued"))
    assert queued.transcripts == []
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert [
        t.id for t in transcriber.list_transcripts(aai.ListTranscriptParameters(created_on=today)).transcripts
    ] == [done.id]
    assert (
        transcriber.list_transcripts(aai.ListTranscriptParameters(created_on="2001-01-01")).transcripts == []
    )

    headers = {"Authorization": aai.settings.api_key}
    for bad in ("limit=0", "limit=201", "status=bogus", "before_id=nope"):
        response = httpx.get(f"{server.base_url}/v2/transcript?{bad}", headers=headers)
        assert response.status_code == 400 and bad.split("=")[0] in response.json()["error"]
    assert (
        httpx.get(f"{server.base_url}/v2/transcript?throttled_only=True", headers=headers).status_code == 200
    )
