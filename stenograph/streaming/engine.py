"""The streaming engine: PCM in, turns of words out. Pure: no asyncio, no HTTP, no threads of its own.

One :class:`StreamingEngine` per session. The caller feeds 16 kHz float32 samples (see
:mod:`stenograph.streaming.audio`), asks for decode jobs, runs them wherever it likes (a thread pool:
:func:`run_job` is the blocking part) and hands the results back. Calls on one engine must not
overlap; several engines may decode at the same time on the shared model.

How a turn goes:

- Silero VAD marks speech per 32 ms window. Speech opens a turn; the decode window starts a little
  before it (``preroll_ms``).
- While the turn lasts, the window (turn audio up to now, or up to ``tail_pad_ms`` after the last
  speech) is decoded again whenever ``decode_step_ms`` of new audio has arrived, and at once when
  speech pauses. Each decode is forced to continue the words already final in the window (Whisper
  prefix), so final words never change; only the words after them are new.
- Local agreement: a word becomes final when two successive decodes agree on it (same word, same
  place after the final words) and enough audio follows it: more for the last word of a decode, more
  again for a word either decode was unsure of (unless sure, agreed words follow it), and most for a
  guess. The others are sent as partial words (``final=False``).
- End of turn: after ``min_turn_silence_ms`` of silence when the end-of-turn confidence (from the
  hypothesis: a sentence end scores high, a dangling "and" low) reaches the threshold, else after
  ``max_turn_silence_ms``; or when forced. Every word of the last decode covering the speech
  becomes final and the turn is sent with ``end_of_turn=True``.
- A long turn is cut at its last final word when the window passes ``max_window_s``; the words
  before the cut stay in the turn and serve as previous-text context for the next decodes.
- Speech that resumes after a pause of ``pause_cut_ms`` following a sentence end starts a new window
  within the turn (Whisper ends its text at the full stop before such a pause).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import cast

import numpy as np

from stenograph.pipeline.audio import SAMPLE_RATE
from stenograph.streaming.decoder import DecodeRequest, DecodeResult, WindowDecoder
from stenograph.streaming.vad import WINDOW, StreamingVad

_SENTENCE_ENDS = (".", "?", "!", "\u3002", "\uff1f", "\uff01")
_DANGLING = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "because",
        "but",
        "by",
        "for",
        "from",
        "if",
        "in",
        "into",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "then",
        "to",
        "with",
        "your",
        "i",
        "we",
        "you",
        "he",
        "she",
        "they",
        "it's",
        "is",
        "are",
        "was",
        "were",
    ]
)
_NEG_THRESHOLD_GAP = 0.15  # hysteresis: speech continues while the probability stays above threshold - gap
# Language detection on a turn: Whisper base named the language of all 60 single-language clips of
# ../shared/audio/multilingual from their first 3 s of speech, 92% from 2 s, 67% from 1 s.
LOCK_SPEECH_S = 3.0
SWITCH_CONFIDENCE = 0.8  # a later turn leaves the session's language only this sure of another


@dataclass
class StreamConfig:
    end_of_turn_confidence_threshold: float = 0.4
    min_turn_silence_ms: int = 400
    max_turn_silence_ms: int = 1280
    vad_threshold: float = 0.4
    keyterms: tuple[str, ...] = ()
    language: str | None = "en"  # None: detect per turn (multilingual model only)
    candidate_languages: tuple[str, ...] = ()  # detection picks among these (Whisper codes); (): any
    decode_step_ms: int = 100
    max_window_s: float = 12.0
    hard_window_s: float = 24.0
    tail_pad_ms: int = 300
    preroll_ms: int = 300
    min_first_decode_ms: int = 400
    context_words: int = 0  # earlier words of the turn as previous-text context (worse WER: off)
    anchor_words: int = 6  # final words kept at the start of a slid window, as the forced prefix
    slide_words: int = 8  # the window slides once this many more final words are in it
    pad_seconds: float = 3.0  # silence after each decode window (see decoder.PAD_SECONDS)
    min_window_s: float = 6.0  # the encoder sees at least this much (audio + silence)
    commit_margin_ms: int = 0  # a word is made final only with this much audio heard after it
    last_word_margin_ms: int = 250  # ... and the last word of a decode with at least this much
    min_commit_window_ms: int = 1000  # and not from decodes of less audio than this
    commit_min_probability: float = 0.6  # below this in either decode a word is unsure ...
    unsure_commit_margin_ms: int = 1000  # ... and needs this much audio after it
    guess_probability: float = 0.25  # below this in either decode a word is a guess ...
    guess_commit_margin_ms: int = 2000  # ... and needs this much (a wrong guess often agrees twice)
    unsure_confirm_words: int = 2  # ... unless this many agreed, sure words follow it
    beam_size: int = 3  # beam search: fewer wrong words than greedy, for little more time a decode
    # Speech after a pause this long that follows a sentence end starts a new window within the turn
    # (Whisper stops at the full stop before such a pause and drops what follows); 0: never.
    pause_cut_ms: int = 600


@dataclass(frozen=True)
class StreamWord:
    text: str  # as the recogniser wrote it: punctuated and cased
    start: int  # milliseconds from the start of the stream
    end: int
    confidence: float
    final: bool
    speaker: str | None = None  # with speaker labels, on the words of an ended turn


@dataclass(frozen=True)
class TurnEvent:
    turn_order: int
    words: tuple[StreamWord, ...]
    end_of_turn: bool
    end_of_turn_confidence: float
    language_code: str | None = None
    language_confidence: float | None = None
    speaker: str | None = None  # with speaker labels, on an ended turn: "A", "B", ... or "UNKNOWN"

    @property
    def final_words(self) -> tuple[StreamWord, ...]:
        return tuple(w for w in self.words if w.final)


@dataclass(frozen=True, eq=False)  # compared by identity: it holds an array
class DecodeJob:
    turn_id: int
    audio: np.ndarray
    window_start: int  # stream sample index of audio[0]
    window_end: int
    prefix: str
    context: str
    language: str | None  # the language to decode in; None: the one detected on this window
    detect_language: bool
    new_seconds: float  # audio after the last final word: what the new words can cover
    pad_seconds: float
    min_seconds: float
    beam_size: int
    candidate_languages: tuple[str, ...] = ()
    lock_language: bool = False  # this window's detection settles the turn's language (full window)


@dataclass(frozen=True)
class JobResult:
    decode: DecodeResult
    language: str | None = None  # the language decoded in, when the job left it to detection
    # With detect_language: each language's probability for the window, most likely first.
    detected: dict[str, float] | None = None


def _request(job: DecodeJob, language: str | None) -> DecodeRequest:
    return DecodeRequest(
        job.audio,
        prefix=job.prefix,
        context=job.context,
        language=language,
        new_seconds=job.new_seconds,
        pad_seconds=job.pad_seconds,
        min_seconds=job.min_seconds,
        beam_size=job.beam_size,
    )


def run_job(decoder: WindowDecoder, job: DecodeJob) -> JobResult:
    """The blocking part: detect the language if asked, then decode the window."""
    detected = None
    if job.detect_language:
        detected = decoder.detect_language(job.audio, job.candidate_languages, full_window=job.lock_language)
    language = job.language or (next(iter(detected)) if detected else None)
    return JobResult(decoder.decode_many([_request(job, language)])[0], language, detected)


def run_jobs(decoder: WindowDecoder, jobs: list[DecodeJob]) -> list[JobResult]:
    """Several sessions' jobs in one batch; jobs must share a known language (see :func:`batchable`)."""
    if len(jobs) == 1:
        return [run_job(decoder, jobs[0])]
    results = decoder.decode_many([_request(job, job.language) for job in jobs])
    return [JobResult(result) for result in results]


def batchable(first: DecodeJob, other: DecodeJob) -> bool:
    """Whether two jobs can share a batch: one generation has one beam size, and CTranslate2 wants
    the start of transcript at the same place in every prompt, so only jobs without previous-text
    context (key terms) are batched."""
    return (
        first.language is not None
        and not first.detect_language
        and not other.detect_language
        and first.language == other.language
        and first.beam_size == other.beam_size
        and not first.context
        and not other.context
    )


class _Samples:
    """Audio since some sample index, appended in pieces and sliced by absolute index."""

    def __init__(self) -> None:
        self.start = 0
        self._chunks: list[np.ndarray] = []
        self._length = 0

    @property
    def end(self) -> int:
        return self.start + self._length

    def append(self, samples: np.ndarray) -> None:
        if len(samples):
            self._chunks.append(samples)
            self._length += len(samples)

    def _joined(self) -> np.ndarray:
        if len(self._chunks) != 1:
            self._chunks = [np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.float32)]
        return self._chunks[0]

    def slice(self, start: int, end: int) -> np.ndarray:
        data = self._joined()
        return data[max(0, start - self.start) : max(0, end - self.start)].copy()

    def drop_before(self, index: int) -> None:
        cut = min(max(0, index - self.start), self._length)
        if cut:
            self._chunks = [self._joined()[cut:]]
            self._length -= cut
            self.start += cut


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _without_trailing_punctuation(text: str) -> str:
    stripped = text.rstrip(".,;:!?\u2026\u3002\uff0c\uff01\uff1f")
    return stripped or text


def end_of_turn_confidence(last_word: str) -> float:
    """How likely the words so far end a turn, from the last word as decoded (punctuation
    included): a sentence end scores high, a trailing comma or a word that needs a continuation
    ("and", "the") low."""
    last = last_word.strip()
    if not last:
        return 0.0
    if last.endswith(_SENTENCE_ENDS) and not last.endswith(".."):
        return 0.9
    if last.endswith((",", ";", ":", "-", "..", "\u2026")) or _key(last) in _DANGLING:
        return 0.05
    return 0.3


@dataclass
class _Turn:
    id: int
    window_start: int
    order: int | None = None
    history: list[StreamWord] = field(default_factory=list)  # final, cut out of the window
    committed: list[StreamWord] = field(default_factory=list)  # final, inside the window (the prefix)
    tail: list[StreamWord] = field(default_factory=list)  # partial words of the latest decode
    decoded_until: int = 0
    confidence: float = 0.0
    last_text: str = ""  # the last word of the latest hypothesis, punctuation included
    language: str | None = None  # the language of its words: locked, or for now (see _settle_language)
    language_confidence: float | None = None
    language_locked: bool = False  # no word is made final before
    lock_due: bool = False  # the turn ends before LOCK_SPEECH_S: its last decode settles the language
    last_sent: tuple = ()

    def words(self) -> list[StreamWord]:
        return self.history + self.committed + self.tail


class StreamingEngine:
    def __init__(self, config: StreamConfig | None = None, *, vad: StreamingVad | None = None) -> None:
        self.config = config or StreamConfig()
        self._vad = vad or StreamingVad()
        self._audio = _Samples()
        self.samples_in = 0
        self._vad_windows = 0
        self._in_speech = False
        self._last_speech_end = 0
        self._pause: tuple[int, int] = (0, 0)  # (start, end) samples of the last silence before speech
        self._turn: _Turn | None = None
        self._turn_ids = 0
        self._next_order = 0
        self._in_flight = False
        self._forced = False
        self._forced_at = 0  # with _forced: the stream sample the forced turn ends at
        self._finishing = False
        self.decodes = 0
        # With detection: the language the session has settled on, kept from turn to turn unless a
        # turn is confidently in another.
        self._session_language: str | None = None
        self._max_speech_probability = 0.0  # since take_max_speech_probability last ran

    # ------------------------------------------------------------------ input

    @property
    def audio_seconds(self) -> float:
        return self.samples_in / SAMPLE_RATE

    def update(self, **changes: object) -> None:
        """Change settings mid-session (``UpdateConfiguration``); unknown names are ignored.
        ``languages`` is (language or None to detect, candidate languages): see :meth:`steer`."""
        languages = changes.pop("languages", None)
        if languages is not None:
            language, candidates = cast(tuple[str | None, tuple[str, ...]], languages)
            self.steer(language, tuple(candidates))
        for name, value in changes.items():
            if value is not None and hasattr(self.config, name):
                setattr(self.config, name, value)

    def steer(self, language: str | None, candidates: tuple[str, ...] = ()) -> None:
        """Decode in ``language`` from the next turn on, or (None) detect each turn's language among
        ``candidates`` (all, when empty). The open turn keeps a language it has settled; one still
        being detected is detected among the new candidates. The session's language becomes the
        one given; with detection it is kept only while among the candidates (clearing the steering
        forgets it, as at the start of a session)."""
        self.config.language = language
        self.config.candidate_languages = candidates
        if language is not None or self._session_language not in candidates:
            self._session_language = language

    def feed(self, samples: np.ndarray) -> list[TurnEvent]:
        """Take the next 16 kHz float32 samples; returns any turn that ended with them."""
        samples = np.asarray(samples, dtype=np.float32)
        self._audio.append(samples)
        self.samples_in += len(samples)
        threshold = self.config.vad_threshold
        for probability in self._vad.process(samples):
            self._max_speech_probability = max(self._max_speech_probability, float(probability))
            window_start = self._vad_windows * WINDOW
            self._vad_windows += 1
            window_end = window_start + WINDOW
            if self._in_speech:
                if probability >= threshold - _NEG_THRESHOLD_GAP:
                    self._last_speech_end = window_end
                else:
                    self._in_speech = False
            elif probability >= threshold:
                self._in_speech = True
                self._pause = (self._last_speech_end, window_start)  # the silence this speech ends
                self._last_speech_end = window_end
                if self._turn is None and not self._finishing:
                    self._start_turn(window_start - self._ms(self.config.preroll_ms))
        events = self._maybe_end_turn()
        if self._turn is None:
            self._audio.drop_before(self.samples_in - self._ms(self.config.preroll_ms))
        return events

    def force_endpoint(self, *, final: bool = False) -> list[TurnEvent]:
        """End the current turn at the audio heard so far, once a decode covers it (``ForceEndpoint``);
        audio that comes meanwhile belongs to the next turn. With ``final`` (``Terminate``) no turn
        opens after it, even mid-speech. Returns the ended turn when no decode is needed."""
        if final:
            self._finishing = True
        if self._turn is None:
            return []
        if not self._forced:
            self._forced, self._forced_at = True, self.samples_in
        return self._maybe_end_turn()

    @property
    def undecoded_from(self) -> int | None:
        """The stream sample index from which audio due for decoding has no finished decode yet
        (None: everything due is decoded). The caller knows when that audio came, so how late it is."""
        turn = self._turn
        if turn is None or self._window_end() <= turn.decoded_until:
            return None
        return turn.decoded_until

    @property
    def silent_since_ms(self) -> int | None:
        """Where the silence going on began (ms of the stream); None while someone speaks or a turn
        is still open."""
        if self._in_speech or self._turn is not None:
            return None
        return self._last_speech_end * 1000 // SAMPLE_RATE

    def take_max_speech_probability(self) -> float:
        """The highest VAD speech probability since the last call."""
        value, self._max_speech_probability = self._max_speech_probability, 0.0
        return value

    @property
    def idle(self) -> bool:
        """No turn open and nothing in flight: a caller waiting to terminate may stop."""
        return self._turn is None and not self._in_flight

    # ------------------------------------------------------------------ decoding

    def pending_decode(self) -> DecodeJob | None:
        """The next decode to run, or None when none is due (one at a time per engine)."""
        turn = self._turn
        if turn is None or self._in_flight:
            return None
        end = self._window_end()
        if end <= turn.decoded_until:
            return None
        cfg = self.config
        settled = not self._in_speech and self.samples_in >= self._last_speech_end + self._tail_pad()
        if not (self._forced or settled):
            if end - turn.decoded_until < self._ms(cfg.decode_step_ms):
                return None
            if end - turn.window_start < self._ms(cfg.min_first_decode_ms):
                return None
        self._in_flight = True
        self.decodes += 1
        covered = turn.committed[-1].end * SAMPLE_RATE // 1000 if turn.committed else turn.window_start
        context = " ".join(
            part
            for part in (
                ", ".join(cfg.keyterms),
                " ".join(w.text for w in turn.history[len(turn.history) - cfg.context_words :])
                if cfg.context_words > 0
                else "",
            )
            if part
        )
        return DecodeJob(
            turn_id=turn.id,
            audio=self._audio.slice(turn.window_start, end),
            window_start=turn.window_start,
            window_end=end,
            # The last final word goes without its punctuation: the decode decides it again.
            prefix=" ".join(
                [
                    *(w.text for w in turn.committed[:-1]),
                    *(_without_trailing_punctuation(w.text) for w in turn.committed[-1:]),
                ]
            ),
            context=context,
            language=turn.language,
            detect_language=not turn.language_locked,
            lock_language=not turn.language_locked
            and (
                turn.lock_due
                or (end - turn.window_start) / SAMPLE_RATE - cfg.preroll_ms / 1000 >= LOCK_SPEECH_S
            ),
            new_seconds=(end - max(turn.window_start, covered)) / SAMPLE_RATE,
            pad_seconds=cfg.pad_seconds,
            min_seconds=cfg.min_window_s,
            beam_size=cfg.beam_size,
            candidate_languages=cfg.candidate_languages,
        )

    def complete_decode(self, job: DecodeJob, result: JobResult) -> list[TurnEvent]:
        """Apply a finished decode; returns the turn updates to send."""
        self._in_flight = False
        turn = self._turn
        if turn is None or turn.id != job.turn_id or job.window_start != turn.window_start:
            return self._maybe_end_turn()
        if result.detected and not self._settle_language(turn, job, result):
            turn.tail = []  # decoded in a language the turn turned out not to be in: decode again
            return self._maybe_end_turn()
        turn.decoded_until = job.window_end
        words = self._words(job, result.decode)
        if turn.committed:  # the punctuation after the last final word, as this decode heard it
            last = turn.committed[-1]
            turn.committed[-1] = replace(
                last, text=_without_trailing_punctuation(last.text) + result.decode.prefix_punctuation
            )
        if words:
            turn.last_text = words[-1].text
        elif turn.committed:
            turn.last_text = turn.committed[-1].text
        turn.confidence = end_of_turn_confidence(turn.last_text)
        # Local agreement: final once the previous decode said the same, with enough audio after it.
        # An unsure word (low probability in either decode) waits for more audio after it, or for sure
        # words after it; a guess waits longer still.
        cfg = self.config
        window_end_ms = job.window_end * 1000 // SAMPLE_RATE
        long_enough = job.window_end - job.window_start >= self._ms(cfg.min_commit_window_ms)
        long_enough = long_enough and turn.language_locked
        pairs = list(zip(words, turn.tail, strict=False))  # the shorter of the two hypotheses
        # Per place: both decodes say the same word and are sure of it.
        sure_from = cfg.commit_min_probability
        sure_agreement = [
            _key(new.text) == _key(old.text) and min(new.confidence, old.confidence) >= sure_from
            for new, old in pairs
        ]
        agreed = 0
        while long_enough and agreed < len(pairs):
            new, old = pairs[agreed]
            probability = min(new.confidence, old.confidence)
            if probability >= sure_from:
                margin = cfg.commit_margin_ms
            elif probability >= cfg.guess_probability:
                # An unsure word waits for audio after it, unless the words after it are agreed and
                # sure: the decoder heard what follows and still chose it.
                needed = cfg.unsure_confirm_words
                confirming = sure_agreement[agreed + 1 : agreed + 1 + needed]
                confirmed = needed > 0 and len(confirming) == needed and all(confirming)
                margin = cfg.commit_margin_ms if confirmed else cfg.unsure_commit_margin_ms
            else:
                margin = cfg.guess_commit_margin_ms
            if agreed == len(words) - 1:  # nothing heard after it: it may not be over ("night|fall")
                margin = max(margin, cfg.last_word_margin_ms)
            if _key(new.text) != _key(old.text) or new.end > window_end_ms - margin:
                break
            agreed += 1
        for index in range(agreed):
            word = words[index]
            if index == len(words) - 1:  # nothing heard after it yet: its punctuation is a guess
                word = replace(word, text=_without_trailing_punctuation(word.text))
            turn.committed.append(replace(word, final=True))
        turn.tail = words[agreed:]
        if not self._cut_at_pause(turn, job):
            self._cut_long_window(turn)
        events = self._maybe_end_turn()
        if not events and self._turn is turn:
            events = self._update(turn)
        return events

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _ms(ms: float) -> int:
        return int(ms * SAMPLE_RATE / 1000)

    def _tail_pad(self) -> int:
        return self._ms(min(self.config.tail_pad_ms, self.config.min_turn_silence_ms))

    def _window_end(self) -> int:
        if self._forced:
            return self._forced_at
        if self._in_speech:
            return self.samples_in
        return min(self.samples_in, self._last_speech_end + self._tail_pad())

    def _start_turn(self, window_start: int) -> None:
        self._turn_ids += 1
        start = max(window_start, self._audio.start, 0)
        turn = _Turn(id=self._turn_ids, window_start=start, decoded_until=start)
        if self.config.language is not None:
            turn.language, turn.language_confidence, turn.language_locked = self.config.language, 1.0, True
        else:
            turn.language = self._session_language  # for now; detection settles it
        self._turn = turn

    def _speech_seconds(self, job: DecodeJob) -> float:
        return (job.window_end - job.window_start) / SAMPLE_RATE - self.config.preroll_ms / 1000

    def _settle_language(self, turn: _Turn, job: DecodeJob, result: JobResult) -> bool:
        """Take a decode's language detection into the turn. The language locks once the turn has
        ``LOCK_SPEECH_S`` of speech or ends; until then it is a guess and no word is made final. A
        session keeps its language from turn to turn unless a turn with that much speech is in
        another with at least ``SWITCH_CONFIDENCE``. Returns False when the decode was made in
        another language than the one settled on (its words are to be dropped)."""
        detected = result.detected or {}
        best = next(iter(detected))
        enough = self._speech_seconds(job) >= LOCK_SPEECH_S
        session = self._session_language
        confident_switch = enough and detected[best] >= SWITCH_CONFIDENCE
        language = best if session is None or best == session or confident_switch else session
        turn.language = language
        turn.language_confidence = round(detected.get(language, 0.0), 4)
        if job.lock_language:
            turn.language_locked = True
            if enough or detected[language] >= SWITCH_CONFIDENCE:
                self._session_language = language
        # Words of a guess stay partial; once locked, words decoded in another language are dropped.
        return result.language == language or not turn.language_locked

    def _words(self, job: DecodeJob, decode: DecodeResult) -> list[StreamWord]:
        if decode.no_speech_prob > 0.6 and decode.avg_logprob < -1.0:
            return []
        turn = self._turn
        floor = (
            turn.committed[-1].end
            if turn and turn.committed
            else (turn.history[-1].end if turn and turn.history else 0)
        )
        limit_ms = job.window_end * 1000 // SAMPLE_RATE
        base_ms = job.window_start * 1000 / SAMPLE_RATE
        out: list[StreamWord] = []
        for w in decode.words:
            start = round(base_ms + w.start * 1000)
            end = round(base_ms + w.end * 1000)
            if start >= limit_ms - 40:  # a word placed in the silence padding: not heard
                break
            start = max(start, floor)
            end = min(max(end, start), limit_ms)
            out.append(StreamWord(w.text, start, end, round(w.probability, 4), final=False))
            floor = end
        return out

    def _cut_long_window(self, turn: _Turn) -> None:
        """Keep the window short: once more than ``anchor_words + slide_words`` final words are in it,
        it starts again at the ``anchor_words``-th last of them, which stay as the forced prefix (a
        forced prefix costs a decoder step per token, like generated text). The words before leave
        the window but stay in the turn."""
        cfg = self.config
        length = self.samples_in - turn.window_start
        if not turn.committed and length > self._ms(cfg.hard_window_s * 1000):
            # Decodes keep disagreeing: make the older half of the hypothesis final anyway.
            keep_after = (self.samples_in - self._ms(cfg.max_window_s * 500)) * 1000 // SAMPLE_RATE
            older = [w for w in turn.tail if w.end <= keep_after]
            turn.committed = [replace(w, final=True) for w in older]
            turn.tail = turn.tail[len(older) :]
        too_long = length > self._ms(cfg.max_window_s * 1000)
        if len(turn.committed) <= cfg.anchor_words + cfg.slide_words and not (too_long and turn.committed):
            return
        keep = min(cfg.anchor_words, len(turn.committed) - 1) if too_long else cfg.anchor_words
        anchor = turn.committed[len(turn.committed) - keep :] if keep > 0 else []
        if anchor:
            cut = anchor[0].start * SAMPLE_RATE // 1000
        else:
            cut = turn.committed[-1].end * SAMPLE_RATE // 1000
            if turn.tail:
                cut = min(cut, turn.tail[0].start * SAMPLE_RATE // 1000)
        if cut <= turn.window_start:
            return
        turn.history.extend(turn.committed[: len(turn.committed) - len(anchor)])
        turn.committed = list(anchor)
        if not anchor:
            turn.tail = []  # without an anchor the agreement restarts with the new window
        turn.window_start = cut
        self._audio.drop_before(cut)

    def _cut_at_pause(self, turn: _Turn, job: DecodeJob) -> bool:
        """Start a new window where speech resumed after a pause of ``pause_cut_ms`` or more that
        follows a sentence end, when this decode covered the pause and heard nothing after the
        sentence end (Whisper ends its text at a full stop before a long pause, and the speech after
        it would be lost while the turn goes on). The words so far become final, out of the window;
        the speech after the pause is decoded on its own, as a new turn's would be."""
        cfg = self.config
        pause_start, pause_end = self._pause
        words = turn.committed + turn.tail
        if (
            cfg.pause_cut_ms <= 0
            or not words
            or not words[-1].text.endswith(_SENTENCE_ENDS)
            or words[-1].text.endswith("..")
            or pause_end - pause_start < self._ms(cfg.pause_cut_ms)
            or pause_start <= turn.window_start
            or job.window_end < pause_end  # the decode has not heard the pause out
            or words[-1].end * SAMPLE_RATE // 1000 > pause_start + self._ms(cfg.tail_pad_ms)
        ):
            return False
        cut = max(pause_end - self._ms(cfg.preroll_ms), pause_start)
        if cut <= turn.window_start:
            return False
        turn.history.extend(replace(w, final=True) for w in words)
        turn.committed, turn.tail = [], []
        turn.window_start = turn.decoded_until = cut
        self._audio.drop_before(cut)
        return True

    def _silence_ms(self) -> float:
        if self._in_speech:
            return 0.0
        return (self.samples_in - self._last_speech_end) * 1000 / SAMPLE_RATE

    def _maybe_end_turn(self) -> list[TurnEvent]:
        turn = self._turn
        if turn is None:
            self._forced = False
            return []
        cfg = self.config
        silence = self._silence_ms()
        due = (
            self._forced
            or silence >= cfg.max_turn_silence_ms
            or (
                silence >= cfg.min_turn_silence_ms and turn.confidence >= cfg.end_of_turn_confidence_threshold
            )
        )
        if not due or self._in_flight or turn.decoded_until < self._window_end():
            return []  # not yet, or a decode covering all the speech is still to come
        if not turn.language_locked:
            # A turn shorter than LOCK_SPEECH_S: one more decode, its language settled on the whole turn.
            turn.lock_due, turn.decoded_until = True, turn.window_start
            return []
        return self._end_turn(turn)

    def _end_turn(self, turn: _Turn) -> list[TurnEvent]:
        words = [replace(w, final=True) for w in turn.words()]
        self._turn = None
        next_start = self._forced_at if self._forced else self.samples_in
        self._forced = False
        events: list[TurnEvent] = []
        if words:
            order = turn.order if turn.order is not None else self._next_order
            self._next_order = order + 1
            silence = self._silence_ms()
            cfg = self.config
            span = max(1, cfg.max_turn_silence_ms - cfg.min_turn_silence_ms)
            confidence = turn.confidence + (1 - turn.confidence) * min(
                1.0, max(0.0, (silence - cfg.min_turn_silence_ms) / span)
            )
            events.append(
                TurnEvent(
                    order,
                    tuple(words),
                    end_of_turn=True,
                    end_of_turn_confidence=round(max(confidence, turn.confidence), 4),
                    language_code=turn.language,
                    language_confidence=turn.language_confidence,
                )
            )
        if self._in_speech and not self._finishing:  # forced mid-speech: what follows is a new turn
            self._start_turn(next_start)
        else:
            self._audio.drop_before(self.samples_in - self._ms(self.config.preroll_ms))
        return events

    def _update(self, turn: _Turn) -> list[TurnEvent]:
        words = turn.words()
        key = tuple((w.text, w.final) for w in words)
        if not words or key == turn.last_sent:
            return []
        turn.last_sent = key
        if turn.order is None:
            turn.order = self._next_order
        return [
            TurnEvent(
                turn.order,
                tuple(words),
                end_of_turn=False,
                end_of_turn_confidence=round(turn.confidence, 4),
            )
        ]


def transcribe_stream(
    engine: StreamingEngine, decoder: WindowDecoder, chunks: list[np.ndarray] | tuple[np.ndarray, ...]
) -> list[TurnEvent]:
    """Run a whole stream synchronously (tests, tools): every due decode runs right away."""
    events: list[TurnEvent] = []

    def drain() -> None:
        while (job := engine.pending_decode()) is not None:
            events.extend(engine.complete_decode(job, run_job(decoder, job)))

    for chunk in chunks:
        events.extend(engine.feed(chunk))
        drain()
    events.extend(engine.force_endpoint(final=True))
    drain()
    return events
