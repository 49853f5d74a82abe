"""Text-form options on hand-made Whisper word lists: pure and fast."""

from __future__ import annotations

import pytest

from stenograph.pipeline import textform
from stenograph.pipeline.textform import (
    DISFLUENCIES,
    apply_custom_spelling,
    apply_options,
    filter_profanity,
    is_profane,
    join_text,
    profane_words,
    remove_disfluencies,
    remove_punctuation,
    split_edges,
    unformat,
)
from stenograph.pipeline.types import CustomSpelling, TranscribeOptions, Word

KENNEDY = "And so, my fellow Americans, ask not what your country can do for you,"
BUDGET = "It cost $1,000 in 1462, about 3.5% of the 20th budget."


def words_of(text: str, channel: str | None = None) -> list[Word]:
    """One Word per space-separated token, 400 ms apart, each with its own confidence."""
    return [
        Word(
            text=token,
            start=1000 + 400 * i,
            end=1300 + 400 * i,
            confidence=round(0.5 + 0.01 * i, 2),
            channel=channel,
        )
        for i, token in enumerate(text.split())
    ]


def texts(words: list[Word]) -> list[str]:
    return [w.text for w in words]


def times_kept(before: list[Word], after: list[Word]) -> bool:
    """Every output word has the (start, end, confidence) of some input word, in order."""
    originals = [(w.start, w.end, w.confidence) for w in before]
    position = 0
    for w in after:
        key = (w.start, w.end, w.confidence)
        while position < len(originals) and originals[position] != key:
            position += 1
        if position == len(originals):
            return False
    return True


# ------------------------------------------------------------------ join_text, split_edges


def test_join_text_single_spaces() -> None:
    words = words_of(KENNEDY)
    assert join_text(words) == KENNEDY
    odd = [Word(" hello ", 0, 1, 1.0), Word("", 1, 2, 1.0), Word("big  world", 2, 3, 1.0)]
    assert join_text(odd) == "hello big world"
    assert join_text([]) == ""


@pytest.mark.parametrize(
    ("pieces", "text"),
    [
        (["广", "州", "市", "佛", "地产"], "广州市佛地产"),
        (["数", "据", "、", "模", "型", "。"], "数据、模型。"),
        (["客", "観", "的", "実", "在", "の"], "客観的実在の"),
        (["秋", "天,", "总", "是"], "秋天, 总是"),  # an ASCII comma keeps its space
        (["在", "iPhone", "上"], "在 iPhone 上"),  # a word of a spaced script keeps its spaces
        (["그는", "길", "한"], "그는 길 한"),  # Hangul is written with spaces
    ],
)
def test_join_text_puts_no_space_inside_scripts_written_without_spaces(pieces: list[str], text: str) -> None:
    assert join_text([Word(p, i, i + 1, 1.0) for i, p in enumerate(pieces)]) == text


def test_split_edges() -> None:
    assert split_edges('"Well,') == ('"', "Well", ",")
    assert split_edges("don't") == ("", "don't", "")
    assert split_edges("$1,000.") == ("", "$1,000", ".")
    assert split_edges("50%,") == ("", "50%", ",")
    assert split_edges("...") == ("...", "", "")
    assert split_edges("s***!") == ("", "s***", "!")


# ------------------------------------------------------------------ punctuate=false


def test_remove_punctuation_sentence() -> None:
    words = words_of(KENNEDY)
    out = remove_punctuation(words)
    assert join_text(out) == "And so my fellow Americans ask not what your country can do for you"
    assert [(w.start, w.end, w.confidence) for w in out] == [(w.start, w.end, w.confidence) for w in words]


def test_remove_punctuation_keeps_numbers_and_inner_characters() -> None:
    out = remove_punctuation(words_of(BUDGET))
    assert join_text(out) == "It cost $1,000 in 1462 about 3.5% of the 20th budget"
    out = remove_punctuation(words_of("Don't, it's e-mail; example.com? The students' '90s -5 .5 #1 AT&T."))
    expected = [
        "Don't",
        "it's",
        "e-mail",
        "example.com",
        "The",
        "students'",
        "'90s",
        "-5",
        ".5",
        "#1",
        "AT&T",
    ]
    assert texts(out) == expected


def test_remove_punctuation_quotes_brackets_and_abbreviations() -> None:
    out = remove_punctuation(
        words_of('"Hello," he said (quietly) in the U.S. at 9 a.m., a Ph.D. e.g. Mr. Smith!')
    )
    assert join_text(out) == "Hello he said quietly in the US at 9 am a PhD eg Mr Smith"
    out = remove_punctuation(
        words_of("\u201cWell\u2014I think\u2026 so...but \u2018quoted\u2019 \u00bfQu\u00e9?")
    )
    assert texts(out) == ["Well I", "think", "so but", "quoted", "Qu\u00e9"]


def test_remove_punctuation_drops_empty_words_and_keeps_censored_asterisks() -> None:
    words = words_of("Wait - ... what? s***!")
    out = remove_punctuation(words)
    assert texts(out) == ["Wait", "what", "s***"]
    assert [w.start for w in out] == [words[0].start, words[3].start, words[4].start]
    assert remove_punctuation([]) == []


def test_remove_punctuation_preserves_other_fields() -> None:
    out = remove_punctuation(words_of("Yes, sir.", channel="2"))
    assert [w.channel for w in out] == ["2", "2"]


# ------------------------------------------------------------------ format_text=false


def test_unformat_budget_sentence() -> None:
    words = words_of(BUDGET)
    out = unformat(words)
    assert join_text(out) == (
        "it cost one thousand dollars in fourteen sixty two, about three point five percent of the "
        "twentieth budget."
    )
    assert times_kept(words, out)


def test_unformat_lower_cases_and_keeps_punctuation() -> None:
    out = unformat(words_of(KENNEDY))
    assert join_text(out) == KENNEDY.lower()
    assert join_text(unformat(words_of('I said, "OK."'))) == 'i said, "ok."'


def test_unformat_expanded_words_share_the_original_times() -> None:
    words = words_of("It cost $1,000.")
    out = unformat(words)
    assert texts(out) == ["it", "cost", "one", "thousand", "dollars."]
    spelled = out[2:]
    assert {(w.start, w.end, w.confidence) for w in spelled} == {
        (words[2].start, words[2].end, words[2].confidence)
    }


@pytest.mark.parametrize(
    ("token", "spoken"),
    [
        ("1462", "fourteen sixty two"),
        ("1999", "nineteen ninety nine"),
        ("1100", "eleven hundred"),
        ("1905", "nineteen oh five"),
        ("2015", "twenty fifteen"),
        ("2000", "two thousand"),
        ("2005", "two thousand five"),
        ("1,462", "one thousand four hundred sixty two"),
        ("1000", "one thousand"),
        ("1,000,000", "one million"),
        ("7", "seven"),
        ("0", "zero"),
        ("123", "one hundred twenty three"),
        ("20th", "twentieth"),
        ("1st", "first"),
        ("22nd", "twenty second"),
        ("3rd", "third"),
        ("1,000th", "one thousandth"),
        ("3.5", "three point five"),
        ("0.25", "zero point two five"),
        (".5", "point five"),
        ("50%", "fifty percent"),
        ("3.5%", "three point five percent"),
        ("$5", "five dollars"),
        ("$1", "one dollar"),
        ("$1,000", "one thousand dollars"),
        ("$1500", "one thousand five hundred dollars"),
        ("$3.50", "three dollars and fifty cents"),
        ("$1.01", "one dollar and one cent"),
        ("$0.99", "ninety nine cents"),
        ("$2.5", "two point five dollars"),
        ("$5M", "five million dollars"),
        ("\u00a320", "twenty pounds"),
        ("\u20ac1", "one euro"),
        ("1990s", "nineteen nineties"),
        ("'90s", "nineties"),
        ("1800s", "eighteen hundreds"),
        ("-5", "minus five"),
        ("9:30", "nine thirty"),
        ("9:05", "nine oh five"),
        ("9:00", "nine o'clock"),
        ("007", "zero zero seven"),
        ("5551234", "five five five one two three four"),
        ("COVID-19", "covid nineteen"),
        ("24/7", "twenty four seven"),
        ("1990-1995", "nineteen ninety nineteen ninety five"),
        ("#1", "number one"),
        ("MP3", "mp three"),
        ("e-mail", "e-mail"),
    ],
)
def test_unformat_numbers(token: str, spoken: str) -> None:
    out = unformat(words_of(token))
    assert join_text(out) == spoken
    assert all(" " not in w.text for w in out)


def test_unformat_currency_before_a_scale_word() -> None:
    words = words_of("They raised $1.5 million, not $2 billion.")
    out = unformat(words)
    assert join_text(out) == "they raised one point five million dollars, not two billion dollars."
    assert texts(out)[2:7] == ["one", "point", "five", "million", "dollars,"]
    assert {(w.start, w.end) for w in out[2:5]} == {(words[2].start, words[2].end)}
    assert {(w.start, w.end) for w in out[5:7]} == {(words[3].start, words[3].end)}


def test_unformat_time_before_am_pm() -> None:
    assert join_text(unformat(words_of("Meet at 9:00 a.m. or 10:00."))) == "meet at nine a.m. or ten o'clock."


def test_unformat_then_remove_punctuation_combines() -> None:
    out = remove_punctuation(unformat(words_of(BUDGET)))
    assert join_text(out) == (
        "it cost one thousand dollars in fourteen sixty two about three point five percent of the "
        "twentieth budget"
    )


# ------------------------------------------------------------------ disfluencies=false


def test_disfluency_list() -> None:
    assert {"um", "uh", "umm", "uhm", "hmm", "mm", "mhm", "er", "ah"} == DISFLUENCIES


def test_remove_disfluencies_mid_sentence() -> None:
    words = words_of("So, um, we went to the, uh, store.")
    out = remove_disfluencies(words)
    assert join_text(out) == "So, we went to the, store."
    assert times_kept(words, out)
    assert [w.start for w in out] == [w.start for w in words if w.text not in ("um,", "uh,")]


def test_remove_disfluencies_moves_final_punctuation_to_previous_word() -> None:
    words = words_of("I think, um. Yes, it works, uh? Right, er!")
    out = remove_disfluencies(words)
    assert join_text(out) == "I think. Yes, it works? Right!"
    think = out[1]
    assert (think.start, think.end, think.confidence) == (words[1].start, words[1].end, words[1].confidence)


def test_remove_disfluencies_sentence_start_passes_capital_on() -> None:
    out = remove_disfluencies(words_of("We left. Um, then it rained. Uh, iPhone sales fell."))
    assert join_text(out) == "We left. Then it rained. iPhone sales fell."
    assert join_text(remove_disfluencies(words_of("Hmm, okay."))) == "Okay."


def test_remove_disfluencies_case_and_quotes() -> None:
    out = remove_disfluencies(words_of('He said "UH, hello" and MHM. "Umm," she said.'))
    assert join_text(out) == 'He said "hello" and. She said.'
    out = remove_disfluencies(words_of('He said, "Hello, um."'))
    assert join_text(out) == 'He said, "Hello."'


def test_remove_disfluencies_keeps_real_words_and_edges() -> None:
    text = "Umbrella, hummus, errand, ahead, summer."
    assert join_text(remove_disfluencies(words_of(text))) == text
    assert remove_disfluencies(words_of("Um. Uh...")) == []
    assert join_text(remove_disfluencies(words_of("Um. Hello"))) == "Hello"


# ------------------------------------------------------------------ filter_profanity=true


def test_filter_profanity_first_letter_and_asterisks() -> None:
    words = words_of('Oh shit, that\'s fucking great. Holy SHIT! "Bullshit."')
    out = filter_profanity(words)
    assert join_text(out) == 'Oh s***, that\'s f****** great. Holy S***! "B*******."'
    assert [(w.start, w.end, w.confidence) for w in out] == [(w.start, w.end, w.confidence) for w in words]


def test_filter_profanity_exact_words_only() -> None:
    text = "In Scunthorpe the class will assess the title, then pass a cocktail to Dickens in Essex."
    assert join_text(filter_profanity(words_of(text))) == text


def test_filter_profanity_leaves_ordinary_words_on_the_list() -> None:
    text = (
        "God, what the hell, kill the process, screw it in, suck it up, a chink in the armour, a niggle, "
        "strip the wood, he had a stroke, summa cum laude, gay rights, the organ, a virgin olive oil."
    )
    assert join_text(filter_profanity(words_of(text))) == text


def test_filter_profanity_possessive_and_case() -> None:
    assert texts(filter_profanity(words_of("The bitch's Damn"))) == ["The", "b****'s", "D***"]


def test_profane_word_list_comes_from_the_package() -> None:
    listed = profane_words()
    assert {"shit", "fuck", "cunt", "bitch", "asshole"} <= listed
    assert not {"god", "hell", "kill", "class", "title", "assess", "scunthorpe"} & listed
    assert all(" " not in w and w == w.lower() for w in listed)
    assert is_profane("Shit!") and not is_profane("shitake") and not is_profane("")


def test_profanity_exceptions_are_all_on_the_package_list() -> None:
    """The exceptions name real entries (a typo, or a new list version, shows up here)."""
    raw = (
        __import__("importlib.resources")
        .resources.files("better_profanity")
        .joinpath("profanity_wordlist.txt")
        .read_text(encoding="utf-8")
    )
    listed = {line.strip().lower() for line in raw.splitlines()}
    assert listed >= textform._NOT_PROFANE


# ------------------------------------------------------------------ custom_spelling


def test_custom_spelling_single_word_keeps_punctuation_and_times() -> None:
    words = words_of("We use Sequel, and seequel. SEQUEL!")
    out = apply_custom_spelling(words, [(["Sequel", "seequel"], "SQL")])
    assert texts(out) == ["We", "use", "SQL,", "and", "SQL.", "SQL!"]
    assert [(w.start, w.end, w.confidence) for w in out] == [(w.start, w.end, w.confidence) for w in words]


def test_custom_spelling_multi_word_from_merges() -> None:
    words = words_of(KENNEDY)
    out = apply_custom_spelling(words, [(["ask not"], "ASKNOT")])
    assert join_text(out) == "And so, my fellow Americans, ASKNOT what your country can do for you,"
    merged = out[5]
    assert merged.text == "ASKNOT"
    assert (merged.start, merged.end) == (words[5].start, words[6].end)
    assert merged.confidence == min(words[5].confidence, words[6].confidence)
    assert len(out) == len(words) - 1


def test_custom_spelling_merge_keeps_outer_punctuation_and_multi_word_to() -> None:
    words = words_of(KENNEDY)
    out = apply_custom_spelling(words, [{"from": ["Fellow Americans"], "to": "fellow citizens"}])
    assert join_text(out) == "And so, my fellow citizens, ask not what your country can do for you,"
    assert out[3].text == "fellow citizens,"
    assert (out[3].start, out[3].end) == (words[3].start, words[4].end)


def test_custom_spelling_longest_from_first_then_first_rule() -> None:
    words = words_of("New York is in New York state.")
    rules = [(["new"], "NEW"), (["new york"], "NYC"), (["New York"], "N.Y."), (["new york state"], "NYS")]
    assert join_text(apply_custom_spelling(words, rules)) == "NYC is in NYS."
    assert texts(apply_custom_spelling(words_of("(new york)"), rules)) == ["(NYC)"]
    assert texts(apply_custom_spelling(words_of("new car"), rules)) == ["NEW", "car"]


def test_custom_spelling_no_rematch_and_no_substrings() -> None:
    words = words_of("cat catalog Cat's cat")
    out = apply_custom_spelling(words, [(["cat"], "dog"), (["dog"], "bird")])
    assert texts(out) == ["dog", "catalog", "Cat's", "dog"]


def test_custom_spelling_accepts_pipeline_rules_and_ignores_empty() -> None:
    rules = [CustomSpelling(sources=("gonna",), target="going to"), (["", "  "], "X"), (["skip"], " ")]
    out = apply_custom_spelling(words_of("I'm gonna skip it."), rules)
    assert join_text(out) == "I'm going to skip it."
    assert apply_custom_spelling(words_of("x y"), []) == words_of("x y")


# ------------------------------------------------------------------ all options


def test_apply_options_defaults_only_drop_fillers() -> None:
    words = words_of("Um, it cost $1,000.")
    assert join_text(apply_options(words, TranscribeOptions())) == "It cost $1,000."
    assert join_text(apply_options(words, TranscribeOptions(disfluencies=True))) == "Um, it cost $1,000."


def test_apply_options_everything() -> None:
    options = TranscribeOptions(
        punctuate=False,
        format_text=False,
        filter_profanity=True,
        custom_spelling=(CustomSpelling(("sequel",), "SQL"), CustomSpelling(("darn",), "damn")),
    )
    words = words_of("Uh, the Sequel bill was $5, darn it, shit.")
    out = apply_options(words, options)
    assert join_text(out) == "the SQL bill was five dollars d*** it s***"
    assert times_kept(words, out)


def test_british_spelling_keeps_case_punctuation_and_other_words() -> None:
    from stenograph.pipeline.textform import british_spelling

    words = words_of('The COLOR, "Organized" center of labor: favorite program.')
    assert (
        join_text(british_spelling(words)) == 'The COLOUR, "Organised" centre of labour: favourite programme.'
    )
    untouched = words_of("Nothing here changes at all.")
    assert british_spelling(untouched) == untouched
