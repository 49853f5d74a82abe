"""Utterances: speaker runs per channel (speaker labels) and decoded stretches (multichannel), and
their JSON on the transcript."""

from __future__ import annotations

from stenograph.assemblyai.requests import TranscriptOptionalParams
from stenograph.assemblyai.transcripts import result_json, utterance_json
from stenograph.pipeline.types import Segment, TranscriptResult, Word
from stenograph.pipeline.utterances import channel_utterances, speaker_utterances
from tests.support.utterance_checks import check_utterances


def word(text: str, start: int, end: int, channel: str | None = None, speaker: str | None = None) -> Word:
    return Word(text, start, end, 0.9, channel=channel, speaker=speaker)


def test_speaker_utterances_are_runs_per_channel() -> None:
    words = [
        word("Hello", 0, 300, speaker="A"),
        word("there.", 300, 600, speaker="A"),
        word("Hi!", 900, 1100, speaker="B"),
        word("Again", 1500, 1800, speaker="A"),
    ]
    result = TranscriptResult(text="", words=words, utterances=speaker_utterances(words))
    payload = result_json(result, TranscriptOptionalParams(speaker_labels=True))
    assert [u["text"] for u in payload["utterances"]] == ["Hello there.", "Hi!", "Again"]
    assert [u["speaker"] for u in payload["utterances"]] == ["A", "B", "A"]
    check_utterances(payload["words"], payload["utterances"])
    plain = result_json(TranscriptResult(text="", words=words), TranscriptOptionalParams())
    assert plain["words"][0]["speaker"] == "A"
    assert "utterances" not in plain

    stereo = [
        word("left", 0, 500, channel="1", speaker="1A"),
        word("right", 100, 400, channel="2", speaker="2A"),
        word("still", 500, 900, channel="1", speaker="1A"),
        word("other", 1000, 1200, channel="1", speaker="1B"),
    ]
    utterances = [utterance_json(u) for u in speaker_utterances(stereo)]
    assert [(u["channel"], u["speaker"], u["text"]) for u in utterances] == [
        ("1", "1A", "left still"),
        ("2", "2A", "right"),
        ("1", "1B", "other"),
    ]
    assert [u["confidence"] for u in utterances] == [0.9, 0.9, 0.9]
    stored = result_json(TranscriptResult("", stereo), TranscriptOptionalParams())
    check_utterances(stored["words"], utterances)


def test_channel_utterances_are_the_decoded_segments_without_speakers() -> None:
    left = (word("one", 0, 400, channel="1"), word("two", 400, 800, channel="1"))
    right = (word("three", 200, 600, channel="2"),)
    segments = [Segment("one two", 0, 800, left, channel="1"), Segment("three", 200, 600, right, channel="2")]
    result = TranscriptResult(
        text="", words=[*left, *right], audio_channels=2, utterances=channel_utterances(segments)
    )
    payload = result_json(result, TranscriptOptionalParams(multichannel=True))
    assert payload["audio_channels"] == 2
    assert [(u["channel"], u["speaker"], u["text"], u["start"], u["end"]) for u in payload["utterances"]] == [
        ("1", None, "one two", 0, 800),
        ("2", None, "three", 200, 600),
    ]
    assert channel_utterances([Segment("", 0, 0, ())])[0].confidence == 0.0
