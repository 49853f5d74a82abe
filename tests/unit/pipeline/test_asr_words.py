"""Whisper's word pieces -> our words: a piece without a leading space continues the word before
it in a language written with spaces (Whisper splits at punctuation such as "-" and "'")."""

from __future__ import annotations

from types import SimpleNamespace

from stenograph.pipeline.asr import _words


def piece(text: str, start: float, end: float, probability: float = 0.9) -> SimpleNamespace:
    return SimpleNamespace(word=text, start=start, end=end, probability=probability)


def test_a_piece_without_a_space_joins_the_word_before_it() -> None:
    words = _words(
        [
            piece(" peppered", 0.0, 0.5),
            piece(" flower", 0.5, 0.8, 0.8),
            piece("-fattened", 0.8, 1.3, 0.6),
            piece(" sauce.", 1.3, 1.7),
        ],
        offset_ms=1000,
        channel=None,
    )
    assert [w.text for w in words] == ["peppered", "flower-fattened", "sauce."]
    joined = words[1]
    assert (joined.start, joined.end, joined.confidence) == (1500, 2300, 0.6)


def test_elisions_and_names_in_pieces_are_one_word() -> None:
    french = _words([piece(" L", 0, 0.1), piece("'accident", 0.1, 0.6), piece(" est", 0.6, 0.8)], 0, None)
    assert [w.text for w in french] == ["L'accident", "est"]
    name = _words([piece(" Uphang", 0, 0.4), piece("-Kov", 0.4, 0.6), piece("-Roon", 0.6, 0.9)], 0, None)
    assert [w.text for w in name] == ["Uphang-Kov-Roon"]


def test_a_language_written_without_spaces_keeps_each_piece() -> None:
    words = _words([piece("我", 0, 0.2), piece("们", 0.2, 0.4), piece("好", 0.4, 0.6)], 0, None)
    assert [w.text for w in words] == ["我", "们", "好"]
