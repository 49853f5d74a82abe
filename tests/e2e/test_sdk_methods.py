"""The Python SDK's public methods not covered elsewhere, against a live server: the thread-pool
``*_async`` variants, transcript groups, the asyncio ``AsyncTranscriber`` / ``AsyncTranscript``, and
the streaming clients' ``set_params``, ``keep_alive`` and ``AsyncRealTimeTranscriber``."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.audio_refs import librispeech, wer
from tests.support.live_server import LiveServer
from tests.support.streaming_helpers import chunks, paced, pcm16, silence

JFK_TEXT = (
    "And so, my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


def jfk(shared_audio: Path) -> str:
    return str(shared_audio / "jfk" / "jfk.wav")


def two_utterances(shared_audio: Path) -> list[tuple[str, str]]:
    wanted = ("1688-142285-0004", "1688-142285-0009")
    pairs = {path.stem: (str(path), text) for path, text in librispeech(shared_audio)}
    return [pairs[name] for name in wanted]


def test_thread_pool_variants(aai_client: Any, shared_audio: Path) -> None:
    aai = aai_client
    transcriber = aai.Transcriber()
    upload_url = transcriber.upload_file_async(jfk(shared_audio)).result(timeout=60)
    transcript = transcriber.transcribe_async(upload_url).result(timeout=120)
    assert transcript.status == aai.TranscriptStatus.completed and wer([JFK_TEXT], [transcript.text]) < 0.1
    again = aai.Transcript.get_by_id_async(transcript.id).result(timeout=30)
    assert again.id == transcript.id and again.text == transcript.text
    pending = transcriber.submit(upload_url)
    waited = pending.wait_for_completion_async().result(timeout=120)
    assert waited.status == aai.TranscriptStatus.completed
    listed = transcriber.list_transcripts_async(aai.ListTranscriptParameters(limit=200)).result(timeout=30)
    assert {transcript.id, pending.id} <= {t.id for t in listed.transcripts}
    deleted = aai.Transcript.delete_by_id_async(pending.id).result(timeout=30)
    assert deleted.text == "Deleted by user."


def test_transcript_groups(aai_client: Any, shared_audio: Path) -> None:
    aai = aai_client
    (first, first_ref), (second, second_ref) = two_utterances(shared_audio)
    transcriber = aai.Transcriber()
    group = transcriber.transcribe_group([first, second])
    assert group.status == aai.TranscriptStatus.completed
    texts = {t.id: t.text for t in group.transcripts}
    assert len(texts) == 2
    assert min(wer([ref], [text]) for ref in (first_ref,) for text in texts.values()) < 0.25

    submitted = transcriber.submit_group([first, second])
    assert submitted.wait_for_completion().status == aai.TranscriptStatus.completed
    ids = sorted(t.id for t in submitted)
    fetched = aai.TranscriptGroup.get_by_ids(ids)
    assert sorted(t.id for t in fetched) == ids
    assert {t.status for t in fetched.transcripts} == {aai.TranscriptStatus.completed}
    fetched_async = aai.TranscriptGroup.get_by_ids_async(ids).result(timeout=30)
    assert sorted(t.id for t in fetched_async.transcripts) == ids

    built = aai.TranscriptGroup()
    built.add_transcript(ids[0])
    built.add_transcript(aai.Transcript.get_by_id(ids[1]))
    assert built.wait_for_completion_async().result(timeout=60).status == aai.TranscriptStatus.completed
    assert sorted(t.id for t in built) == ids

    group_async, failures = transcriber.transcribe_group_async(
        [second, "http://127.0.0.1:9/missing.wav"], return_failures=True
    ).result(timeout=120)
    statuses = sorted(t.status.value for t in group_async.transcripts)
    assert statuses == ["completed", "error"] and not failures, (statuses, failures)
    assert wer([second_ref], [next(t.text for t in group_async.transcripts if t.text)]) < 0.25


def test_asyncio_transcriber_and_transcript(aai_client: Any, shared_audio: Path) -> None:
    aai = aai_client

    async def main() -> None:
        async with aai.AsyncTranscriber() as transcriber:
            upload_url = await transcriber.upload_file(jfk(shared_audio))
            transcript, other = await asyncio.gather(
                transcriber.transcribe(upload_url), transcriber.transcribe(jfk(shared_audio))
            )
            assert wer([JFK_TEXT], [transcript.text]) < 0.1 and other.text == transcript.text
            sentences = await transcript.get_sentences()
            paragraphs = await transcript.get_paragraphs()
            assert sentences and paragraphs and paragraphs[0].text.startswith("And so")
            srt = await transcript.export_subtitles_srt(chars_per_caption=32)
            vtt = await transcript.export_subtitles_vtt()
            assert srt.startswith("1\n00:00:0") and vtt.startswith("WEBVTT")
            found = await transcript.word_search(["country"])
            assert found and found[0].count == 2
            fetched = await transcriber.get_by_id(transcript.id)
            assert fetched.text == transcript.text
            submitted = await transcriber.submit(upload_url)
            done = await submitted.wait_for_completion()
            assert done.status == aai.TranscriptStatus.completed
            listed = await transcriber.list_transcripts(aai.ListTranscriptParameters(limit=200))
            assert {transcript.id, other.id, done.id} <= {t.id for t in listed.transcripts}
            group = await transcriber.transcribe_group([upload_url, upload_url], max_concurrency=2)
            assert [t.status for t in group] == [aai.TranscriptStatus.completed] * 2
            deleted = await transcriber.delete_by_id(done.id)
            assert deleted.text == "Deleted by user."

    asyncio.run(main())


@pytest.fixture()
def streaming_options(server: LiveServer) -> Any:
    from assemblyai.streaming.v3 import RealTimeTranscriberOptions

    return RealTimeTranscriberOptions(api_host=f"ws://127.0.0.1:{server.port}", api_key=server.api_key)


def test_streaming_set_params_and_keep_alive(streaming_options: Any, shared_audio: Path) -> None:
    from assemblyai.streaming.v3 import (
        RealTimeEvents,
        RealTimeParameters,
        RealTimeSessionParameters,
        RealTimeTranscriber,
    )

    (first, first_ref), (second, second_ref) = two_utterances(shared_audio)
    turns: list[Any] = []
    errors: list[Any] = []
    client = RealTimeTranscriber(streaming_options)
    client.on(RealTimeEvents.Turn, lambda _c, event: turns.append(event))
    client.on(RealTimeEvents.Error, lambda _c, event: errors.append(event))
    client.connect(RealTimeParameters(sample_rate=16000))
    client.stream(paced(chunks(silence(0.3) + pcm16(Path(first)) + silence(1.5))))
    client.keep_alive()
    client.set_params(RealTimeSessionParameters(format_turns=True, max_turn_silence=800))
    time.sleep(0.3)
    client.stream(paced(chunks(pcm16(Path(second)) + silence(1.5))))
    client.disconnect(terminate=True)

    assert not errors, errors
    ended = [t for t in turns if t.end_of_turn]
    unformatted = [t for t in ended if not t.turn_is_formatted]
    assert [t.turn_order for t in unformatted] == [0, 1]
    assert wer([first_ref], [unformatted[0].transcript]) <= 0.25
    assert wer([second_ref], [unformatted[1].transcript]) <= 0.25
    # format_turns was set mid-session: only the second turn comes formatted too.
    assert [t.turn_order for t in ended if t.turn_is_formatted] == [1]


def test_async_streaming_client(streaming_options: Any, shared_audio: Path) -> None:
    from assemblyai.streaming.v3 import (
        AsyncRealTimeTranscriber,
        RealTimeEvents,
        RealTimeParameters,
    )

    (first, first_ref), _ = two_utterances(shared_audio)
    audio = pcm16(Path(first))

    async def main() -> list[Any]:
        turns: list[Any] = []
        client = AsyncRealTimeTranscriber(streaming_options)
        client.on(RealTimeEvents.Turn, lambda _c, event: turns.append(event))
        await client.connect(RealTimeParameters(sample_rate=16000))
        for piece in chunks(silence(0.3) + audio):
            await client.stream(piece)
            await asyncio.sleep(0.1)
        await client.force_endpoint()
        await client.keep_alive()
        await client.disconnect(terminate=True)
        return turns

    turns = asyncio.run(main())
    ended = [t for t in turns if t.end_of_turn]
    assert len(ended) == 1 and wer([first_ref], [ended[0].transcript]) <= 0.25
