"""Sentences, paragraphs, captions and word search: the pure functions behind the export endpoints."""

from __future__ import annotations

import io
from itertools import pairwise

import pytest
import srt
import webvtt

from stenograph.pipeline.sentences import (
    MAX_PARAGRAPH_WORDS,
    MAX_SENTENCE_WORDS,
    ends_sentence,
    paragraph_spans,
    sentence_spans,
)
from stenograph.pipeline.subtitles import DEFAULT_CHARS_PER_CAPTION, cues, to_srt, to_vtt
from stenograph.pipeline.types import Word
from stenograph.pipeline.word_search import MAX_PHRASE_WORDS, SearchQueryError, parse_terms, search


def timed(text: str, *, gap: int = 100, pauses: dict[int, int] | None = None) -> list[Word]:
    """Words of ``text`` one after another; ``pauses`` maps a word index to the silence before it."""
    words, clock = [], 0
    for i, token in enumerate(text.split()):
        clock += (pauses or {}).get(i, gap if i else 0)
        words.append(Word(token, clock, clock + 250, 0.5 + (i % 5) / 10))
        clock += 250
    return words


def sentences(words: list[Word], **kwargs: object) -> list[str]:
    return [" ".join(w.text for w in words[s.start : s.stop]) for s in sentence_spans(words, **kwargs)]


def assert_partition(spans: list[range], size: int) -> None:
    assert spans, "no spans"
    assert spans[0].start == 0 and spans[-1].stop == size
    assert all(len(s) > 0 for s in spans)
    assert all(a.stop == b.start for a, b in pairwise(spans))


# --- sentences ---


def test_splits_on_terminal_punctuation() -> None:
    words = timed("Hello there. How are you? I am fine! Thanks.")
    assert sentences(words) == ["Hello there.", "How are you?", "I am fine!", "Thanks."]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith and Mrs. Jones met Dr. Brown on Main St. yesterday.",
        "We visited the U.S. Army base at 5 p.m. on Monday.",
        "Bring fruit, e.g. apples, i.e. something sweet.",
        "Tools, pens, paper etc. were on the desk.",
        "It was Kramer vs. Kramer all over again.",
        "A letter from J. R. R. Tolkien arrived.",
        "She signed it John F. Kennedy in ink.",
    ],
)
def test_never_splits_after_abbreviations_or_initials(text: str) -> None:
    assert sentences(timed(text)) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "It costs $1,000.00 today. That is 3.5 times more.",
        "Version 2.0 shipped. The score was 98.6 percent.",
    ],
)
def test_numbers_are_not_sentence_ends(text: str) -> None:
    first, second = text.split(". ", 1)
    assert sentences(timed(text)) == [first + ".", second]


def test_a_number_split_over_two_words_stays_whole() -> None:
    assert not ends_sentence("3.", "5")
    assert ends_sentence("Chapter 3.", "Then")


def test_a_period_before_a_lower_case_word_is_not_an_end() -> None:
    assert sentences(timed("We met approx. twenty people and left.")) == [
        "We met approx. twenty people and left."
    ]
    assert not ends_sentence("Co.", "and")


def test_sentence_end_inside_quotes_and_the_pronoun_i() -> None:
    assert sentences(timed('He said "stop." Then he went. So did I. The end')) == [
        'He said "stop."',
        "Then he went.",
        "So did I.",
        "The end",
    ]


def test_long_pause_ends_an_unpunctuated_sentence() -> None:
    words = timed("so we went home and then we slept well", pauses={4: 1600})
    assert sentences(words) == ["so we went home", "and then we slept well"]
    # A short pause does not.
    assert sentences(timed("so we went home and then we slept well", pauses={4: 1200})) == [
        "so we went home and then we slept well"
    ]


def test_too_long_sentence_is_cut_at_the_best_break() -> None:
    text = " ".join(f"w{i}" for i in range(100))
    words = timed(text, pauses={37: 900})
    spans = sentence_spans(words)
    assert_partition(spans, 100)
    assert all(len(s) <= MAX_SENTENCE_WORDS for s in spans)
    assert any(s.start == 37 for s in spans)  # the longest pause is a cut

    comma = timed(" ".join(f"w{i}," if i == 24 else f"w{i}" for i in range(50)))
    assert [len(s) for s in sentence_spans(comma)] == [25, 25]  # cut after the comma


def test_speaker_change_ends_a_sentence() -> None:
    words = timed("yes I agree no I do not")
    turns = ["A", "A", "A", "B", "B", "B", "B"]
    assert sentences(words, turns=turns) == ["yes I agree", "no I do not"]


def test_no_words_no_sentences() -> None:
    assert sentence_spans([]) == []
    assert paragraph_spans([], []) == []


# --- paragraphs ---


def test_paragraphs_break_at_long_pauses_and_keep_sentences_whole() -> None:
    words = timed("One two. Three four. Five six. Seven eight.", pauses={4: 2500})
    spans = sentence_spans(words)
    paragraphs = paragraph_spans(words, spans)
    assert paragraphs == [range(0, 4), range(4, 8)]
    starts = {s.start for s in spans}
    assert all(p.start in starts for p in paragraphs)


def test_paragraphs_have_a_maximum_length() -> None:
    words = timed(" ".join(f"Word{i} is here." for i in range(100)))  # 100 sentences of 3 words
    spans = sentence_spans(words)
    assert len(spans) == 100
    paragraphs = paragraph_spans(words, spans)
    assert_partition(paragraphs, 300)
    assert len(paragraphs) == 3 and all(len(p) <= MAX_PARAGRAPH_WORDS for p in paragraphs)


# --- captions ---


def many_words() -> list[Word]:
    text = (
        "Smoke from hundreds of wildfires in Canada is triggering air quality alerts throughout the US. "
        "Skylines from Maine to Maryland to Minnesota are gray and smoggy. And in some places, the air "
        "quality warnings include the warning to stay inside. Incomprehensibilities abound & <tags> too."
    )
    return timed(text, pauses={16: 3000})


@pytest.mark.parametrize("limit", [1, 5, 12, 20, 32, 80])
def test_srt_parses_and_no_line_is_longer_than_asked(limit: int) -> None:
    words = many_words()
    subtitles = list(srt.parse(to_srt(words, limit)))
    assert [s.index for s in subtitles] == list(range(1, len(subtitles) + 1))
    lines = [line for s in subtitles for line in s.content.split("\n")]
    assert lines and all(0 < len(line) <= limit for line in lines)
    assert all(s.start < s.end for s in subtitles)
    assert all(a.start <= b.start and a.end <= b.start for a, b in pairwise(subtitles))
    # Nothing lost or reordered.
    assert "".join(lines).replace(" ", "") == "".join(w.text for w in words)


def clock_ms(clock: str) -> int:
    hours, minutes, seconds = clock.split(":")
    return round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)


@pytest.mark.parametrize("limit", [None, 7, 20])
def test_vtt_parses_and_no_line_is_longer_than_asked(limit: int | None) -> None:
    words = many_words()
    text = to_vtt(words, limit)
    assert text.startswith("WEBVTT\n\n")
    captions = list(webvtt.from_buffer(io.StringIO(text)))
    lines = [line for c in captions for line in c.lines]
    unescaped = [line.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") for line in lines]
    assert all(0 < len(line) <= (limit or DEFAULT_CHARS_PER_CAPTION) for line in unescaped)
    assert "<tags>" not in text and "&amp;" in text
    times = [(clock_ms(c.start), clock_ms(c.end)) for c in captions]
    assert all(start < end for start, end in times)
    assert all(a[0] <= b[0] for a, b in pairwise(times))
    assert "".join(unescaped).replace(" ", "") == "".join(w.text for w in words)


def test_srt_time_format_and_default_width() -> None:
    words = [Word("hello", 3_723_004, 3_723_500, 0.9), Word("world.", 3_723_600, 3_724_000, 0.9)]
    assert to_srt(words) == "1\n01:02:03,004 --> 01:02:04,000\nhello world.\n"
    assert to_vtt(words) == "WEBVTT\n\n01:02:03.004 --> 01:02:04.000\nhello world.\n"
    wide = timed(" ".join(["abcd"] * 20))
    assert max(len(c.text) for c in cues(wide)) <= DEFAULT_CHARS_PER_CAPTION


def test_captions_do_not_cross_sentences_and_long_words_are_cut() -> None:
    words = timed("Hi. Supercalifragilistic is long.")
    assert [c.text for c in cues(words, 10)] == ["Hi.", "Supercalif", "ragilistic", "is long."]
    pieces = cues(words, 10)[1:3]
    assert words[1].start == pieces[0].start < pieces[0].end <= pieces[1].start < pieces[1].end


def test_cue_times_are_monotonic_even_when_words_overlap() -> None:
    words = [
        Word("one", 1000, 1600, 0.9),
        Word("two", 1500, 1500, 0.9),  # starts before the previous word ends, lasts 0 ms
        Word("three", 1400, 2000, 0.9),  # starts before the previous word
    ]
    result = cues(words, 3)
    assert [c.text for c in result] == ["one", "two", "thr", "ee"]
    assert all(c.start < c.end for c in result)
    assert all(a.start <= b.start for a, b in pairwise(result))
    assert list(srt.parse(to_srt(words, 3)))


def test_no_words_is_still_a_valid_file() -> None:
    assert list(srt.parse(to_srt([]))) == []
    assert to_vtt([]) == "WEBVTT\n"
    assert list(webvtt.from_buffer(io.StringIO(to_vtt([])))) == []


# --- word search ---


def test_terms_are_normalised_split_and_deduplicated() -> None:
    assert parse_terms(["Country, ask NOT", "country,", "  hello   world  "]) == [
        ("country",),
        ("ask", "not"),
        ("hello", "world"),
    ]
    assert parse_terms(["don\u2019t, $1,000"]) == [("don't",), ("1",), ("000",)]


def test_bad_queries_are_refused() -> None:
    with pytest.raises(SearchQueryError, match="at most 5 words"):
        parse_terms(["one two three four five six"])
    assert parse_terms([" ".join(["w"] * MAX_PHRASE_WORDS)])
    with pytest.raises(SearchQueryError, match="at least one"):
        parse_terms([" , ,!"])


def test_search_counts_indexes_and_timestamps() -> None:
    words = timed("Ask not what your country can do for you, ask what you can do for your Country!")
    matches = {m.text: m for m in search(words, parse_terms(["country", "ask not", "can do for", "missing"]))}
    assert set(matches) == {"country", "ask not", "can do for"}  # terms not found are left out

    country = matches["country"]
    assert country.count == 2 and country.indexes == [4, 16]
    assert country.timestamps == [(words[4].start, words[4].end), (words[16].start, words[16].end)]

    phrase = matches["ask not"]
    assert phrase.count == 1 and phrase.indexes == [0]
    assert phrase.timestamps == [(words[0].start, words[1].end)]  # spans the whole phrase

    assert matches["can do for"].indexes == [5, 12]
    assert matches["can do for"].timestamps[1] == (words[12].start, words[14].end)


def test_search_counts_overlapping_phrases_and_ignores_punctuation() -> None:
    words = timed('"Ha," ha. HA! ha')
    [match] = search(words, parse_terms(["ha ha"]))
    assert match.indexes == [0, 1, 2]
    assert search(words, parse_terms(["ha ha ha ha ha"])) == []
