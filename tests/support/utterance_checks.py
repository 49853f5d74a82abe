"""Checks that utterances, as the API answers them, are sound."""

from __future__ import annotations

from itertools import pairwise


def check_utterances(words: list[dict], utterances: list[dict]) -> None:
    """Every word has a speaker; utterances are ordered, one speaker each, contiguous in their
    channel's words, and together hold every word once."""
    assert all(w["speaker"] for w in words)
    assert all(a["start"] <= b["start"] for a, b in pairwise(utterances))
    for utterance in utterances:
        assert utterance["words"]
        assert {w["speaker"] for w in utterance["words"]} == {utterance["speaker"]}
        assert {w["channel"] for w in utterance["words"]} == {utterance["channel"]}
        assert utterance["start"] == utterance["words"][0]["start"]
        assert utterance["end"] >= utterance["words"][-1]["end"]
        assert utterance["text"] == " ".join(w["text"] for w in utterance["words"])

    def key(w: dict) -> tuple:
        return (w["start"], w["channel"] or "", w["text"])

    assert sorted(key(w) for u in utterances for w in u["words"]) == sorted(key(w) for w in words)
    for channel in {w["channel"] for w in words}:
        own = [w for w in words if w["channel"] == channel]
        runs = [u for u in utterances if u["channel"] == channel]
        # contiguous: consecutive utterances of a channel change speaker, and in order they are the words
        assert all(a["speaker"] != b["speaker"] for a, b in pairwise(runs))
        assert [key(w) for u in runs for w in u["words"]] == [key(w) for w in own]
