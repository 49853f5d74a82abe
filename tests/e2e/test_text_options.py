"""Text-form and decoding-hint options through the official SDK, each on real audio, each
compared with the same clip transcribed without the option."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from tests.support.audio_refs import normalise

RARE_WORDS = ("Sweynheim", "Pannartz", "Subiaco")  # in ljspeech_LJ001-0031


def transcribe(aai, path: Path, **options):
    transcript = aai.Transcriber(config=aai.TranscriptionConfig(**options)).transcribe(str(path))
    assert transcript.status == aai.TranscriptStatus.completed, transcript.error
    return transcript


@pytest.fixture(scope="module")
def clips(shared_audio: Path) -> dict[str, Path]:
    folder = shared_audio / "compressed"
    return {
        "printing": folder / "ljspeech_LJ001-0031.mp3",  # "In fourteen sixty-five Sweynheim and Pannartz ..."
        "bible": folder / "ljspeech_LJ001-0024.mp3",  # "... in the year fourteen sixty-two"
        "ted": folder / "whisperkit_ted_60.m4a",  # a talk with fillers ("uh") and repetitions
        "jfk": shared_audio / "jfk" / "jfk.wav",
    }


@pytest.fixture(scope="module")
def plain(aai_module, clips: dict[str, Path]) -> dict[str, object]:
    """Each clip with default options: the baseline every test compares against."""
    return {name: transcribe(aai_module, path) for name, path in clips.items()}


def test_punctuate_false_removes_punctuation(aai_module, clips, plain) -> None:
    assert re.search(r"[.,]", plain["printing"].text)
    bare = transcribe(aai_module, clips["printing"], punctuate=False)
    assert not any(ch in string.punctuation.replace("'", "") for ch in bare.text), bare.text
    assert all(not re.search(r"[.,!?]", w.text) for w in bare.words)
    assert normalise(bare.text) == normalise(plain["printing"].text)
    assert bare.json_response["punctuate"] is False


def test_format_text_false_spells_numbers_and_drops_casing(aai_module, clips, plain) -> None:
    assert "1462" in plain["bible"].text and "Bible" in plain["bible"].text
    unformatted = transcribe(aai_module, clips["bible"], format_text=False)
    assert "fourteen sixty two" in unformatted.text
    assert unformatted.text == unformatted.text.lower()
    assert not re.search(r"\d", unformatted.text)
    assert [w.text for w in unformatted.words if w.text.startswith("fourteen")]


def test_disfluencies_true_keeps_fillers(aai_module, clips, plain) -> None:
    fillers = re.compile(r"\b(um+|uh+|hmm+|er|ah)\b", re.I)
    assert not fillers.search(plain["ted"].text)
    kept = transcribe(aai_module, clips["ted"], disfluencies=True)
    assert fillers.search(kept.text), kept.text
    assert any(fillers.fullmatch(w.text.strip(",.")) for w in kept.words)


def test_custom_spelling_changes_text_and_words(aai_module, clips, plain) -> None:
    assert "country" in plain["jfk"].text
    config = aai_module.TranscriptionConfig().set_custom_spelling({"NATION": ["country"], "JFK": ["ask not"]})
    spelled = aai_module.Transcriber(config=config).transcribe(str(clips["jfk"]))
    assert spelled.status == aai_module.TranscriptStatus.completed
    assert "country" not in spelled.text.lower() and spelled.text.count("NATION") == 2
    assert "JFK what your NATION" in spelled.text
    merged = next(w for w in spelled.words if w.text.startswith("JFK"))
    original = [w for w in plain["jfk"].words if w.text.lower().strip(",") in ("ask", "not")]
    assert merged.start == original[0].start and merged.end == original[1].end


def test_filter_profanity_masks_profane_words(aai_module, clips) -> None:
    # The development audio holds no profanity, so a custom spelling puts a profane word into a
    # real transcript; filter_profanity must then mask it, and leave every clean word alone.
    profane = {"shit": ["country"]}  # the SDK's shape: {to: [from, ...]}
    unfiltered = transcribe(aai_module, clips["jfk"], custom_spelling=profane)
    assert unfiltered.text.count("shit") == 2
    filtered = transcribe(aai_module, clips["jfk"], custom_spelling=profane, filter_profanity=True)
    assert "shit" not in filtered.text and filtered.text.count("s***") == 2
    assert filtered.text.replace("s***", "shit") == unfiltered.text


@pytest.mark.parametrize("option", ["keyterms_prompt", "word_boost", "prompt"])
def test_decoding_hints_bias_toward_rare_words(aai_module, clips, plain, option: str) -> None:
    assert not any(word in plain["printing"].text for word in RARE_WORDS), plain["printing"].text
    value = "Sweynheim and Pannartz printed at Subiaco." if option == "prompt" else list(RARE_WORDS)
    hinted = transcribe(aai_module, clips["printing"], **{option: value})
    assert all(word in hinted.text for word in RARE_WORDS), hinted.text
