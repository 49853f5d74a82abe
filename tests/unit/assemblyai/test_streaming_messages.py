"""The streaming wire messages (``stenograph.assemblyai.streaming``): v3 turns, formatted and not, and
v2 final transcripts rendered from the engine's turn events."""

from __future__ import annotations

from stenograph.streaming.engine import StreamWord, TurnEvent


def test_render_unformatted_and_formatted() -> None:
    from stenograph.assemblyai import streaming as wire

    words = (
        StreamWord("Hello,", 0, 300, 0.9, True),
        StreamWord("it's", 300, 500, 0.8, True),
        StreamWord("$5", 500, 900, 0.7, False),
    )
    partial = wire.v3_turn(TurnEvent(3, words, end_of_turn=False, end_of_turn_confidence=0.3))
    assert partial["transcript"] == "hello it's"
    assert [(w["text"], w["word_is_final"]) for w in partial["words"]] == [
        ("hello", True),
        ("it's", True),
        ("five", False),
        ("dollars", False),
    ]
    assert partial["turn_order"] == 3 and not partial["end_of_turn"] and not partial["turn_is_formatted"]
    ended = TurnEvent(
        3, tuple(StreamWord(w.text, w.start, w.end, w.confidence, True) for w in words), True, 0.9
    )
    plain, formatted = wire.v3_messages(ended, format_turns=True)
    assert plain["transcript"] == "hello it's five dollars" and not plain["turn_is_formatted"]
    assert formatted["transcript"] == "Hello, it's $5." and formatted["turn_is_formatted"]
    assert formatted["turn_order"] == plain["turn_order"] == 3
    assert wire.v3_messages(ended, format_turns=False) == [plain]
    final = wire.v2_transcript(ended)
    assert final["message_type"] == "FinalTranscript" and final["text"] == "Hello, it's $5."
    assert (final["audio_start"], final["audio_end"]) == (0, 900)
    assert set(final) == {
        "message_type", "audio_start", "audio_end", "confidence", "text", "words", "created", "punctuated",
        "text_formatted",
    }  # fmt: skip
    assert set(final["words"][0]) == {"start", "end", "confidence", "text"}


def test_speaker_labels_on_turns_and_revisions_parse_in_the_python_sdk() -> None:
    from assemblyai.streaming.v3 import models

    from stenograph.assemblyai import streaming as wire
    from stenograph.streaming.speakers import Revision

    words = (StreamWord("Hello,", 0, 300, 0.9, True, "B"), StreamWord("there", 300, 700, 0.8, True, "B"))
    ended = TurnEvent(2, words, True, 0.9, speaker="B")
    plain, formatted = wire.v3_messages(ended, format_turns=True)
    for message in (plain, formatted):
        assert message["speaker_label"] == "B" and {w["speaker"] for w in message["words"]} == {"B"}
        assert models.TurnEvent.model_validate(message).speaker_label == "B"
    partial = wire.v3_turn(TurnEvent(3, (StreamWord("so", 900, 1000, 0.5, False),), False, 0.1))
    assert "speaker_label" not in partial and "speaker" not in partial["words"][0]  # none until it ends

    moved = (words[0], StreamWord("there", 300, 700, 0.8, True, "A"))  # a word's speaker changed
    revision = wire.v3_speaker_revision([Revision(2, "B", moved)], format_turns=True)
    assert revision == {
        "type": "SpeakerRevision",
        "revisions": [
            {
                "turn_order": 2,
                "speaker_label": "B",
                "words": [
                    {"start": 0, "end": 300, "text": "Hello,", "confidence": 0.9, "word_is_final": True,
                     "speaker": "B"},
                    {"start": 300, "end": 700, "text": "there.", "confidence": 0.8, "word_is_final": True,
                     "speaker": "A"},
                ],
            }
        ],
    }  # fmt: skip
    parsed = models.SpeakerRevisionEvent.model_validate(revision)
    assert parsed.revisions[0].turn_order == 2 and parsed.revisions[0].words[1].speaker == "A"
    assert wire.v3_speaker_revision([], format_turns=False) == {"type": "SpeakerRevision", "revisions": []}
