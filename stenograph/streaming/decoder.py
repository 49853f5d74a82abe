"""Whisper decoding of a short rolling buffer, for streaming.

Unlike ``WhisperModel.transcribe`` (which always pads to a 30 s window), the encoder here sees only
the buffer itself (rounded up to a whole number of 100 ms and at least ``MIN_WINDOW_SECONDS``), so a
4 s buffer costs a fraction of a 30 s window. Text tokens come from greedy or beam-search decoding
without timestamp tokens, optionally forced to continue a ``prefix`` (the words already made final in
this window); word times come from CTranslate2's cross-attention alignment, as in faster-whisper.

Thread-safe: a decoder holds no per-call state, and the model is the process-wide shared instance.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from stenograph.pipeline.audio import SAMPLE_RATE
from stenograph.pipeline.models import (
    DEFAULT_MODEL_SETTINGS,
    ModelSettings,
    get_whisper_model,
    model_directory,
    packaged_model,
    placement,
)

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

MIN_WINDOW_SECONDS = 1.0
MAX_WINDOW_SECONDS = 30.0
# Silence appended to every window: without it Whisper takes the last words for cut off and leaves
# them out (trained on 30 s windows, it rarely saw speech run up to the window's end).
PAD_SECONDS = 2.0
# Leading/trailing punctuation merged into the neighbouring word (faster-whisper's defaults).
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.\u3002,\uff0c!\uff01?\uff1f:\uff1a\u201d)]}\u3001"
_MAX_NEW_TOKENS = 120


@dataclass(frozen=True)
class DecodedWord:
    text: str  # as Whisper wrote it, with punctuation and casing, no surrounding spaces
    start: float  # seconds from the start of the decoded buffer
    end: float
    probability: float


@dataclass(frozen=True)
class DecodeRequest:
    audio: np.ndarray  # 16 kHz float32
    prefix: str = ""  # text the transcript must start with (not returned again)
    context: str = ""  # earlier text or key terms, given as the previous-text prompt
    language: str | None = None
    new_seconds: float | None = None  # audio the prefix does not cover yet: bounds the new tokens
    pad_seconds: float = PAD_SECONDS
    min_seconds: float = MIN_WINDOW_SECONDS
    beam_size: int = 1


@dataclass(frozen=True)
class DecodeResult:
    words: tuple[DecodedWord, ...]  # the words after the prefix
    no_speech_prob: float
    avg_logprob: float
    seconds: float  # wall time the decode took
    prefix_punctuation: str = ""  # punctuation the decode put after the prefix's last word


class WindowDecoder:
    """Decodes 16 kHz float32 buffers with one shared Whisper model."""

    def __init__(self, model: WhisperModel, language: str | None = "en") -> None:
        from faster_whisper.tokenizer import Tokenizer

        self.model = model
        multilingual = bool(model.model.is_multilingual)
        self.tokenizer = Tokenizer(
            model.hf_tokenizer,
            multilingual,
            task="transcribe",
            language=(language or "en") if multilingual else None,
        )
        self.multilingual = multilingual
        self._suppress = _suppressed_tokens(self.tokenizer)
        self._tokenizers: dict[str, Any] = {self.tokenizer.language_code: self.tokenizer}
        self._lock = threading.Lock()

    def tokenizer_for(self, language: str | None) -> Any:
        if not self.multilingual or not language:
            return self.tokenizer
        with self._lock:
            tok = self._tokenizers.get(language)
            if tok is None:
                from faster_whisper.tokenizer import Tokenizer

                tok = Tokenizer(self.model.hf_tokenizer, True, task="transcribe", language=language)
                self._tokenizers[language] = tok
        return tok

    def features(
        self, audio: np.ndarray, pad_seconds: float = 0.0, min_seconds: float = MIN_WINDOW_SECONDS
    ) -> np.ndarray:
        """Log-mel frames of ``audio`` followed by ``pad_seconds`` of silence, padded to a whole 100 ms
        (and at least ``min_seconds``). Only the audio goes through the STFT: a frame of digital
        silence has a known value (Whisper's floor, 8 below the loudest frame)."""
        samples = len(audio) + int(pad_seconds * SAMPLE_RATE)
        padded = max(int(min_seconds * SAMPLE_RATE), -(-samples // 1600) * 1600)
        padded = min(padded, int(MAX_WINDOW_SECONDS * SAMPLE_RATE))
        frames = padded // 160
        audio = np.asarray(audio[:padded], dtype=np.float32)
        # 400 zeros after the audio: the frames that straddle its end see silence, as they would.
        head = self.model.feature_extractor(np.concatenate([audio, np.zeros(400, np.float32)]), padding=0)
        head = head[:, : min(frames, len(audio) // 160 + 2)]
        out = np.empty((head.shape[0], frames), dtype=np.float32)
        out[:, : head.shape[1]] = head
        out[:, head.shape[1] :] = max(float(head.max()) - 2.0, -1.5) if head.size else -1.5
        return out

    def detect_language(
        self, audio: np.ndarray, candidates: tuple[str, ...] = (), *, full_window: bool = False
    ) -> dict[str, float]:
        """Each language's probability for ``audio``, among ``candidates`` (Whisper codes) when
        given (renormalised over them), most likely first. ``full_window`` pads the audio to
        Whisper's 30 s, as it was trained: surer (it named the language of all 60 single-language
        dev clips from 3 s of speech, against 59 in the short window) and about 10x the time."""
        if not self.multilingual:
            return {"en": 1.0}
        feats = self.features(audio, min_seconds=MAX_WINDOW_SECONDS if full_window else MIN_WINDOW_SECONDS)
        encoder_output = self.model.encode(feats)
        ranked = self.model.model.detect_language(encoder_output)[0]
        probabilities = {token[2:-2]: float(prob) for token, prob in ranked}
        if candidates:
            kept = {code: probabilities.get(code, 0.0) for code in candidates}
            total = sum(kept.values()) or 1.0
            probabilities = {code: p / total for code, p in kept.items()}
        return dict(sorted(probabilities.items(), key=lambda item: -item[1]))

    def decode_many(self, requests: list[DecodeRequest]) -> list[DecodeResult]:
        """Decode several windows in one batch (one encoder call, one generation, one alignment).
        All must have the same language and beam size. Batching several sessions' windows costs
        little more than one: a decoder step runs about as fast for four sequences as for one."""
        import time

        started = time.perf_counter()
        tokenizer = self.tokenizer_for(requests[0].language)
        feats = [self.features(r.audio, r.pad_seconds, r.min_seconds) for r in requests]
        frames = max(f.shape[-1] for f in feats)
        batch = np.empty((len(feats), feats[0].shape[0], frames), dtype=np.float32)
        for index, f in enumerate(feats):
            batch[index, :, : f.shape[-1]] = f
            batch[index, :, f.shape[-1] :] = max(float(f.max()) - 2.0, -1.5)  # silence, as in features()
        num_frames = [min(frames, round(len(r.audio) / 160) + 1) for r in requests]
        encoder_output = self.model.encode(batch)

        prompts, prefixes = [], []
        for r in requests:
            prompt: list[int] = []
            if r.context.strip():
                context_tokens = tokenizer.encode(" " + r.context.strip())[
                    -(self.model.max_length // 2 - 1) :
                ]
                prompt = [tokenizer.sot_prev, *context_tokens]
            prompt.extend(tokenizer.sot_sequence)
            prompt.append(tokenizer.no_timestamps)
            prefix_tokens = tokenizer.encode(" " + r.prefix.strip()) if r.prefix.strip() else []
            prompt.extend(prefix_tokens)
            prompts.append(prompt)
            prefixes.append(prefix_tokens)
        # CTranslate2 counts forced prompt tokens against max_length in a way that is not simply
        # additive (a forced prefix counts about twice); this bound always leaves the budget free.
        max_length = min(
            self.model.max_length,
            max(
                2 * len(p)
                + 2
                + self._max_new_tokens(len(r.audio) / SAMPLE_RATE if r.new_seconds is None else r.new_seconds)
                for p, r in zip(prompts, requests, strict=True)
            ),
        )
        results = self.model.model.generate(
            encoder_output,
            prompts,
            beam_size=requests[0].beam_size,
            max_length=max_length,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=not any(prefixes),
            suppress_tokens=list(self._suppress),
            repetition_penalty=1.0,
            no_repeat_ngram_size=0,
        )
        new_tokens: list[list[int]] = []
        logprobs: list[float] = []
        for result, prefix_tokens, r in zip(results, prefixes, requests, strict=True):
            tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
            if tokens[: len(prefix_tokens)] == prefix_tokens:  # CTranslate2 returns the forced prefix too
                tokens = tokens[len(prefix_tokens) :]
            budget = self._max_new_tokens(
                len(r.audio) / SAMPLE_RATE if r.new_seconds is None else r.new_seconds
            )
            new_tokens.append(tokens[:budget])
            seq_len = max(len(tokens), 1)
            logprobs.append(float(result.scores[0]) * seq_len / (seq_len + 1))

        # The alignment pass has the same 448-position limit as generation. A window with nothing
        # new still takes part (the batch must stay whole) with a stand-in token; it is ignored.
        room = self.model.max_length - len(tokenizer.sot_sequence) - 2
        filler = tokenizer.encode(" .")[:1]
        texts = [(p + t)[:room] if t else filler for p, t in zip(prefixes, new_tokens, strict=True)]
        alignments = self._align_many(tokenizer, texts, encoder_output, num_frames)
        seconds = (time.perf_counter() - started) / len(requests)
        out = []
        for index, r in enumerate(requests):
            words, punctuation = (
                self._new_words(tokenizer, alignments[index], prefixes[index])
                if new_tokens[index]
                else ([], "")
            )
            out.append(
                DecodeResult(
                    words=tuple(_without_loop(words, [_norm(w) for w in r.prefix.split()])),
                    no_speech_prob=float(results[index].no_speech_prob),
                    avg_logprob=logprobs[index],
                    seconds=seconds,
                    prefix_punctuation=punctuation,
                )
            )
        return out

    @staticmethod
    def _new_words(
        tokenizer: Any, aligned: list[dict], prefix_tokens: list[int]
    ) -> tuple[list[DecodedWord], str]:
        """The aligned words after the prefix, and any punctuation put right after the prefix."""
        words: list[DecodedWord] = []
        prefix_punctuation = ""
        used = 0
        for timing in aligned:
            if used < len(prefix_tokens):
                before = used
                used += len(timing["tokens"])
                if used > len(prefix_tokens):  # new tokens merged onto the prefix's last word
                    extra = tokenizer.decode(timing["tokens"][len(prefix_tokens) - before :]).strip()
                    if extra and all(not ch.isalnum() for ch in extra):
                        prefix_punctuation = extra
                continue
            text = timing["word"].strip()
            if not text:
                continue
            word = DecodedWord(
                text=text,
                start=float(timing["start"]),
                end=float(timing["end"]),
                probability=float(timing["probability"]),
            )
            # "post" "-mortem", "L" "'accident": a piece Whisper split off at a hyphen or an apostrophe
            # (no space before it) continues the word before.
            elided = text[0] in "'\u2019" and not timing["word"][:1].isspace()
            joined = text[0] in "-\u2013" or elided
            if joined and words and len(text) > 1:
                previous = words.pop()
                word = DecodedWord(
                    previous.text + text,
                    previous.start,
                    word.end,
                    min(previous.probability, word.probability),
                )
            words.append(word)
        return words, prefix_punctuation

    @staticmethod
    def _max_new_tokens(seconds: float) -> int:
        # Fast speech is about 5 tokens a second (punctuation included); a loop runs far past that,
        # and every generated token costs a decoder step.
        return min(_MAX_NEW_TOKENS, 4 + int(7 * max(0.0, seconds)))

    def _align_many(
        self, tokenizer: Any, texts: list[list[int]], encoder_output: Any, num_frames: list[int]
    ) -> list[list[dict]]:
        from faster_whisper.transcribe import merge_punctuations

        alignments = self.model.find_alignment(tokenizer, texts, encoder_output, num_frames)
        for alignment in alignments:
            if not alignment:
                continue
            # faster-whisper's hack: a word at a sentence boundary is at most twice the median length.
            durations = np.array([w["end"] - w["start"] for w in alignment])
            durations = durations[durations.nonzero()]
            if len(durations):
                median = min(0.7, float(np.median(durations)))
                longest = median * 2
                marks = ".\u3002!\uff01?\uff1f"
                for i in range(1, len(alignment)):
                    if alignment[i]["end"] - alignment[i]["start"] > longest:
                        if alignment[i]["word"] in marks:
                            alignment[i]["end"] = alignment[i]["start"] + longest
                        elif alignment[i - 1]["word"] in marks:
                            alignment[i]["start"] = alignment[i]["end"] - longest
            merge_punctuations(alignment, PREPEND_PUNCTUATIONS, APPEND_PUNCTUATIONS)
        return alignments


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _without_loop(words: list[DecodedWord], before: list[str] | tuple[str, ...] = ()) -> list[DecodedWord]:
    """Cut a decoding loop: new words that only repeat, again and again, a run of the words before.

    A short encoder window sometimes makes Whisper say the last phrase again (and again, until the
    token budget runs out): from some point on, the text is periodic. ``before`` are the keys of the
    forced prefix, which the loop may start in. A repeat followed by new words is left alone; a
    one-word period counts only from three repeats ("why why" is speech, "the the the" a loop)."""
    keys = [*before, *(_norm(w.text) for w in words)]
    n, first_new = len(keys), len(before)
    for i in range(n):
        for run in range(1, (n - i) // 2 + 1):
            if run == 1 and n - i < 3:
                continue
            if all(keys[j] == keys[j - run] for j in range(i + run, n)):
                keep = max(i + run, first_new) - first_new
                return words[:keep]
    return words


def _suppressed_tokens(tokenizer: Any) -> tuple[int, ...]:
    tokens = set(tokenizer.non_speech_tokens)
    tokens.update(
        t
        for t in (
            tokenizer.transcribe,
            tokenizer.translate,
            tokenizer.sot,
            tokenizer.sot_prev,
            tokenizer.sot_lm,
            tokenizer.no_speech,
        )
        if t is not None
    )
    return tuple(sorted(tokens))


_decoders: dict[tuple[str, ModelSettings], WindowDecoder] = {}
_decoders_lock = threading.Lock()


def _streaming_model(name: str, settings: ModelSettings) -> WhisperModel:
    """On CPU, one instance for all streaming sessions with one thread per decode and
    ``streaming_threads`` decodes at once: short decodes gain nothing from a second thread (tiny.en
    decodes a token in about 3.5 ms on one thread, 5 ms on two) but two decodes side by side double
    the throughput. The batch path's instance (all threads on one long job) stays as it is. On a GPU
    the batch path's instance is shared."""
    from faster_whisper import WhisperModel

    where = placement(settings)
    if where.device != "cpu":
        return get_whisper_model(name, settings)
    return WhisperModel(
        str(model_directory(name, settings)),
        device="cpu",
        compute_type=where.compute_type,
        cpu_threads=1,
        num_workers=max(1, settings.streaming_threads),
        local_files_only=True,
    )


def get_decoder(model_name: str, settings: ModelSettings = DEFAULT_MODEL_SETTINGS) -> WindowDecoder:
    """The process-wide streaming decoder of a packaged model (thread-safe; loads on first use)."""
    key = (packaged_model(model_name), settings)
    decoder = _decoders.get(key)
    if decoder is None:
        with _decoders_lock:
            decoder = _decoders.get(key)
            if decoder is None:
                decoder = _decoders[key] = WindowDecoder(_streaming_model(key[0], settings))
    return decoder
