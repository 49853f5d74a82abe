"""The streaming engine and its parts without a server: audio conversion, VAD, loop cutting, turns on
real audio, batched decodes and when words become final."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from stenograph.streaming.audio import PcmConverter
from stenograph.streaming.decoder import DecodedWord, _without_loop
from stenograph.streaming.engine import (
    StreamConfig,
    StreamingEngine,
    TurnEvent,
    _key,
    end_of_turn_confidence,
    transcribe_stream,
)
from tests.support.audio_refs import librispeech, wer
from tests.support.streaming_helpers import AlwaysSpeech


def test_mulaw_and_pcm_conversion() -> None:
    mulaw = PcmConverter(8000, "pcm_mulaw")
    assert mulaw.duration_ms(400) == 50.0
    decoded = PcmConverter(16000, "pcm_mulaw").convert(bytes([0xFF, 0x7F, 0x00, 0x80]))
    assert decoded.tolist() == pytest.approx([0.0, 0.0, -32124 / 32768, 32124 / 32768])
    pcm = PcmConverter(16000)
    assert pcm.duration_ms(3200) == 100.0
    samples = np.array([1000, -2000, 3000], dtype="<i2").tobytes()
    first = pcm.convert(samples[:3])  # an odd byte waits for the next message
    second = pcm.convert(samples[3:])
    assert (np.concatenate([first, second]) * 32768).round().tolist() == [1000, -2000, 3000]
    upsampled = PcmConverter(8000).convert(np.zeros(8000, dtype="<i2").tobytes())
    assert 15000 <= len(upsampled) <= 16000 and upsampled.dtype == np.float32
    with pytest.raises(ValueError):
        PcmConverter(16000, "opus")


def test_vad_in_pieces_equals_vad_at_once(shared_audio: Path) -> None:
    from stenograph.pipeline.audio import decode_audio
    from stenograph.streaming.vad import StreamingVad

    audio = decode_audio(shared_audio / "jfk" / "jfk.wav")[: 16000 * 3]
    whole = StreamingVad().process(audio)
    vad = StreamingVad()
    pieces = np.concatenate([vad.process(audio[i : i + 1000]) for i in range(0, len(audio), 1000)])
    assert len(whole) == len(audio) // 512 and np.allclose(whole, pieces, atol=1e-5)
    assert whole.max() > 0.5 and whole[:5].max() < 0.5  # speech, after a quiet start


def test_loop_cutting() -> None:
    def words(text: str) -> list[DecodedWord]:
        return [DecodedWord(w, 0.0, 0.0, 1.0) for w in text.split()]

    def cut(text: str, before: str = "") -> str:
        return " ".join(w.text for w in _without_loop(words(text), before.lower().split()))

    assert cut("ask not ask not ask not ask") == "ask not"
    assert cut("his father dying. His father dying") == "his father dying."
    assert cut("his father dying", before="his father dying") == ""
    assert cut("why why it might") == "why why it might"
    assert cut("the gut and the gut and the gullet") == "the gut and the gut and the gullet"
    assert cut("the the the") == "the"


def test_end_of_turn_confidence() -> None:
    assert end_of_turn_confidence("workhouse.") > 0.8
    assert end_of_turn_confidence("Really?") > 0.8
    assert end_of_turn_confidence("and") < 0.1
    assert end_of_turn_confidence("said,") < 0.1
    assert 0.2 < end_of_turn_confidence("workhouse") < 0.4
    assert end_of_turn_confidence("") == 0.0


@pytest.fixture(scope="module")
def two_utterances(shared_audio: Path) -> tuple[np.ndarray, list[str]]:
    from stenograph.pipeline.audio import decode_audio

    pairs = {path.stem: (path, ref) for path, ref in librispeech(shared_audio)}
    first, second = pairs["1688-142285-0004"], pairs["1688-142285-0009"]
    gap = np.zeros(16000 * 3 // 2, dtype=np.float32)
    audio = np.concatenate([gap[:8000], decode_audio(first[0]), gap, decode_audio(second[0]), gap])
    return audio, [first[1], second[1]]


def test_engine_turns_on_real_audio(two_utterances) -> None:
    from stenograph.streaming.decoder import get_decoder

    audio, references = two_utterances
    engine = StreamingEngine(StreamConfig())
    events = transcribe_stream(
        engine, get_decoder("tiny.en"), [audio[i : i + 1600] for i in range(0, len(audio), 1600)]
    )
    ended = [e for e in events if e.end_of_turn]
    assert [e.turn_order for e in ended] == [0, 1]
    assert wer(references, [" ".join(w.text for w in e.words) for e in ended]) <= 0.2
    for event in ended:
        assert all(w.final for w in event.words)
        assert [w.start for w in event.words] == sorted(w.start for w in event.words)
    assert ended[1].words[0].start > ended[0].words[-1].end + 1000
    # Final words never change once sent: every later message of the turn starts with them.
    for order in (0, 1):
        turn = [e for e in events if e.turn_order == order]
        for earlier, later in itertools.pairwise(turn):
            finals = [w.text.rstrip(".,?!") for w in earlier.final_words]
            assert [w.text.rstrip(".,?!") for w in later.words[: len(finals)]] == finals
    assert any(not w.final for e in events for w in e.words)  # partial words were sent too
    assert engine.idle and engine.audio_seconds == pytest.approx(len(audio) / 16000)


@pytest.mark.parametrize("pause_cut_ms", [600, 0])
def test_speech_after_a_pause_after_a_sentence_end_is_kept(shared_audio: Path, pause_cut_ms: int) -> None:
    """End-of-turn silences set above a pause: the turn goes on over it. Whisper ends its text at the
    full stop before the pause, so the speech after it was lost; it now gets a window of its own."""
    from stenograph.pipeline.audio import decode_audio
    from stenograph.streaming.decoder import get_decoder

    pairs = {path.stem: (path, ref) for path, ref in librispeech(shared_audio)}
    first, reference = pairs["1688-142285-0006"]  # "... without telling us what he had been."
    after = decode_audio(shared_audio / "jfk" / "jfk.wav")[int(7.3 * 16000) :]  # "ask what you can do ..."
    silence = np.zeros(int(0.8 * 16000), dtype=np.float32)
    audio = np.concatenate([silence[:8000], decode_audio(first), silence, after, np.zeros(48000, np.float32)])
    config = StreamConfig(min_turn_silence_ms=2000, max_turn_silence_ms=3000, pause_cut_ms=pause_cut_ms)
    events = transcribe_stream(
        StreamingEngine(config),
        get_decoder("tiny.en"),
        [audio[i : i + 1600] for i in range(0, len(audio), 1600)],
    )
    ended = [e for e in events if e.end_of_turn]
    assert len(ended) == 1  # one turn over the pause
    text = " ".join(w.text for w in ended[0].words)
    if not pause_cut_ms:  # without the new window (as before): the speech after the pause is lost
        assert text.endswith("been.") and "country" not in text, text
        return
    assert wer([reference + " ask what you can do for your country"], [text]) <= 0.2, text
    assert [w.start for w in ended[0].words] == sorted(w.start for w in ended[0].words)


def test_force_endpoint_mid_speech(two_utterances) -> None:
    from stenograph.streaming.decoder import get_decoder
    from stenograph.streaming.engine import run_job

    audio, _ = two_utterances
    engine = StreamingEngine(StreamConfig())
    decoder = get_decoder("tiny.en")
    events: list[TurnEvent] = []
    for i in range(0, 16000 * 3, 1600):  # 2.5 s into the first utterance
        events += engine.feed(audio[i : i + 1600])
        while (job := engine.pending_decode()) is not None:
            events += engine.complete_decode(job, run_job(decoder, job))
    events += engine.force_endpoint()
    while (job := engine.pending_decode()) is not None:
        events += engine.complete_decode(job, run_job(decoder, job))
    ended = [e for e in events if e.end_of_turn]
    assert len(ended) == 1 and ended[0].words
    assert ended[0].words[-1].end <= 3000 + 50
    for i in range(16000 * 3, len(audio), 1600):  # the rest of the speech is the next turn
        events += engine.feed(audio[i : i + 1600])
        while (job := engine.pending_decode()) is not None:
            events += engine.complete_decode(job, run_job(decoder, job))
    assert [e.turn_order for e in events if e.end_of_turn][:2] == [0, 1]


def test_batched_decodes_match_single_ones(shared_audio: Path) -> None:
    from stenograph.pipeline.audio import decode_audio
    from stenograph.streaming.decoder import DecodeRequest, get_decoder
    from stenograph.streaming.engine import DecodeJob, batchable

    decoder = get_decoder("tiny.en")
    audio = decode_audio(shared_audio / "jfk" / "jfk.wav")
    requests = [
        DecodeRequest(audio[: 16000 * 4], min_seconds=6.0),
        DecodeRequest(audio[: 16000 * 8], prefix="And so my fellow", min_seconds=6.0),
    ]
    batched = decoder.decode_many(requests)
    single = [decoder.decode_many([r])[0] for r in requests]
    for one, many in zip(single, batched, strict=True):
        # The shorter window sees more padding in a batch, which may change the punctuation after a
        # word (agreement ignores it: "asked..." and "asked" are one word on some CPUs) or move a
        # boundary by a frame or two, never the words.
        assert [_key(w.text) for w in one.words] == [_key(w.text) for w in many.words]
        assert [w.end for w in one.words] == pytest.approx([w.end for w in many.words], abs=0.15)
    assert batched[1].words[0].text.startswith("American")
    beamed = decoder.decode_many([replace(r, beam_size=3) for r in requests])
    assert [_key(w.text) for w in beamed[0].words] == [
        _key(w.text) for w in decoder.decode_many([replace(requests[0], beam_size=3)])[0].words
    ]
    assert beamed[1].words[0].text.startswith("American")

    def job(context: str = "", beam_size: int = 1) -> DecodeJob:
        return DecodeJob(1, audio[:16000], 0, 16000, "", context, "en", False, 1.0, 3.0, 6.0, beam_size)

    assert batchable(job(), job())
    assert not batchable(job("Kennedy"), job())  # previous-text prompts would shift the start token
    assert not batchable(job(beam_size=3), job())  # one generation has one beam size


Hypothesis = list[tuple[str, float, float, float]]  # text, start s, end s, probability


def _scripted_events(engine: StreamingEngine, words: Hypothesis, windows: int = 32) -> list[TurnEvent]:
    """Feed ``windows`` x 32 ms more audio, then answer the due decode with ``words`` (times from the
    window start) as the recogniser's hypothesis; returns the turn updates it sent (none when
    nothing changed)."""
    from stenograph.streaming.decoder import DecodeResult
    from stenograph.streaming.engine import JobResult

    engine.feed(np.zeros(512 * windows, dtype=np.float32))
    job = engine.pending_decode()
    assert job is not None
    decoded = tuple(DecodedWord(text, start, end, p) for text, start, end, p in words)
    return engine.complete_decode(job, JobResult(DecodeResult(decoded, 0.0, -0.2, 0.01)))


def _scripted_decode(engine: StreamingEngine, words: Hypothesis, windows: int = 32) -> TurnEvent:
    """:func:`_scripted_events` for a decode that sends exactly one update."""
    (event,) = _scripted_events(engine, words, windows)
    return event


def test_words_become_final_when_two_decodes_agree() -> None:
    hypothesis = [("Hello", 0.1, 0.4, 0.95), ("big", 0.45, 0.6, 0.95), ("world", 0.65, 0.9, 0.5)]
    engine = StreamingEngine(StreamConfig(min_first_decode_ms=0), vad=AlwaysSpeech())
    assert [w.final for w in _scripted_decode(engine, hypothesis).words] == [False] * 3
    # the next decode (0.5 s later) agrees: the sure words are final; "world" (unsure) waits for
    # 1 s of audio after it
    assert [w.final for w in _scripted_decode(engine, hypothesis, 16).words] == [True, True, False]
    # the next decode continues the final words (they are its forced prefix, so it returns only
    # what follows them) and hears the last word differently: it stays partial
    changed = [("word", 0.65, 0.9, 0.95), ("again", 1.0, 1.3, 0.95)]
    event = _scripted_decode(engine, changed, 40)
    assert [(w.text, w.final) for w in event.words] == [
        ("Hello", True),
        ("big", True),
        ("word", False),
        ("again", False),
    ]


def test_a_guessed_word_waits_longer_than_an_unsure_one() -> None:
    sent: list[bool] = []

    def finals(engine: StreamingEngine, words: Hypothesis, windows: int) -> list[bool]:
        """Which words are final after the decode; one that changes nothing sends nothing, and the
        last state sent stands."""
        events = _scripted_events(engine, words, windows)
        if events:
            sent[:] = [w.final for w in events[-1].words]
        return list(sent)

    first = [("Hello", 0.1, 0.4, 0.95), ("there", 0.45, 0.6, 0.2), ("world", 0.65, 0.9, 0.95)]
    after_hello = first[1:]  # once "Hello" is final it is the forced prefix, not returned again
    results = {}
    for guess_probability in (0.0, 0.25):
        config = StreamConfig(
            min_first_decode_ms=0,
            unsure_commit_margin_ms=1000,
            guess_probability=guess_probability,
            guess_commit_margin_ms=2000,
        )
        engine = StreamingEngine(config, vad=AlwaysSpeech())
        assert finals(engine, first, 32) == [False] * 3
        # 1.5 s of audio: "Hello" agreed and sure; "there" (0.2 in both decodes) waits, and so does
        # every word after it (final words are the forced prefix, in order)
        assert finals(engine, first, 16) == [True, False, False]
        # 1.8 s: 1.2 s heard after "there", enough for an unsure word, not for a guess
        at_1_8 = finals(engine, after_hello, 8)
        # 2.7 s: 2.1 s heard after it
        results[guess_probability] = (at_1_8, finals(engine, after_hello, 28))
    assert results[0.0][0] == [True, True, True]  # a guess counted as merely unsure
    assert results[0.25] == ([True, False, False], [True, True, True])


def test_sure_words_after_an_unsure_one_confirm_it() -> None:
    def finals(confirm_words: int, hypothesis: Hypothesis) -> list[bool]:
        config = StreamConfig(min_first_decode_ms=0, unsure_confirm_words=confirm_words)
        engine = StreamingEngine(config, vad=AlwaysSpeech())
        _scripted_decode(engine, hypothesis)
        return [w.final for w in _scripted_decode(engine, hypothesis, 16).words]  # 1.5 s of audio

    confirmed = [
        ("Hello", 0.1, 0.4, 0.95),
        ("there", 0.45, 0.6, 0.4),  # unsure: 0.9 s heard after it, short of 1 s
        ("big", 0.65, 0.8, 0.95),
        ("world", 0.85, 1.0, 0.95),
        ("again", 1.05, 1.3, 0.95),  # the last word: under 250 ms heard after it
    ]
    assert finals(0, confirmed) == [True, False, False, False, False]  # waits, and the rest with it
    assert finals(2, confirmed) == [True, True, True, True, False]
    # one sure word after it is not enough, nor two of which one is unsure
    assert finals(2, confirmed[:3]) == [True, False, False]
    doubtful = [*confirmed[:3], ("world", 0.85, 1.0, 0.5), *confirmed[4:]]
    assert finals(2, doubtful) == [True, False, False, False, False]


def test_force_endpoint_ends_the_turn_where_it_came_even_if_decoding_lags(two_utterances) -> None:
    """Audio that arrives after a ForceEndpoint, before any decode ran, belongs to the next turn (the
    forced turn used to grow with it, and end only when decoding caught up)."""
    from stenograph.streaming.decoder import get_decoder
    from stenograph.streaming.engine import run_job

    audio, _ = two_utterances
    engine = StreamingEngine(StreamConfig())
    decoder = get_decoder("tiny.en")
    events: list[TurnEvent] = []

    def drain() -> None:
        while (job := engine.pending_decode()) is not None:
            events.extend(engine.complete_decode(job, run_job(decoder, job)))

    for i in range(0, 16000 * 2, 1600):
        events += engine.feed(audio[i : i + 1600])
    drain()
    for i in range(16000 * 2, 16000 * 5 // 2, 1600):  # not decoded yet when the force comes
        events += engine.feed(audio[i : i + 1600])
    events += engine.force_endpoint()  # 2.5 s in, mid-speech
    for i in range(16000 * 5 // 2, 16000 * 9 // 2, 1600):  # 2 s more before the next decode
        events += engine.feed(audio[i : i + 1600])
    drain()
    for i in range(16000 * 4, len(audio), 1600):
        events += engine.feed(audio[i : i + 1600])
        drain()
    events += engine.force_endpoint(final=True)
    drain()
    ended = [e for e in events if e.end_of_turn]
    assert len(ended) >= 2 and ended[0].turn_order == 0
    assert ended[0].words[-1].end <= 2500 + 50, ended[0].words
    assert 2400 <= ended[1].words[0].start <= 3000, ended[1].words  # the speech after it is not lost
