"""``content_safety``: sensitive content per segment, over AssemblyAI's content-moderation labels.

- ``profanity`` counts swear words with the word list the caller passes (the pipeline's
  ``filter_profanity`` list: one notion of a swear word in the whole server).
- Every other label is zero-shot from sentence embeddings: each sentence is compared with short
  descriptions of the label (``PROTOTYPES``, written for this module, several per label since a
  label covers several kinds of talk) and with descriptions of ordinary talk that shares their words
  (``SAFE_PROTOTYPES``: a concert that "killed it", a phone that "died"). A sentence's score for a
  label is its best similarity to the label less how much closer it is to ordinary talk; the score
  goes through a logistic curve (``CENTER``, ``SCALE``, chosen on the dev half of the benchmark's
  passages) to a confidence in 0..1. Words that name a label's matter outright ("stabbed",
  "heroin", "rifle": ``LEXICON``) add to its score.
- A segment (``segments``) takes, per label, its most confident sentence. ``severity`` is how
  strongly and how much of the segment carries the label: the mean of that confidence and of the
  share of the segment's sentences that reach the threshold.

``content_safety_confidence`` (25..100, default 50) is the threshold a label's confidence must reach.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from stenograph.understanding import embeddings
from stenograph.understanding.segments import segment_spans

CENTER = 0.41
SCALE = 0.05
DEFAULT_CONFIDENCE = 50

PROTOTYPES: dict[str, tuple[str, ...]] = {
    "crime_violence": (
        "he was shot and killed during the robbery",
        "they beat him up and stabbed him",
        "the man attacked his wife and was arrested for assault",
        "I'm going to hurt you, I will kill you",
        "police found the body of the murder victim",
        "a gang broke into the house and threatened the family",
        "someone opened fire and wounded several people",
        "they punched and kicked him until he was unconscious",
        "the child was kidnapped and abducted by a stranger",
        "he was mugged at knifepoint and they took his wallet",
        "burglars broke in, smashed the windows and stole everything",
        "I'm going to smash his face in when I find him",
        "the suspect was charged with armed robbery and attempted murder",
        "domestic violence: he hits her and she is afraid of him",
    ),
    "drugs": (
        "he was using cocaine and heroin",
        "she overdosed on pills and fentanyl",
        "they were selling meth on the street corner",
        "I used to get high and snort coke every weekend",
        "the dealer sold drugs to teenagers",
        "he's addicted to opioids and shoots up every day",
        "we took ecstasy and acid at the party",
        "police seized kilograms of narcotics in the drug bust",
        "I can get you some molly or xanax if you want",
        "she went to rehab for her crack addiction",
    ),
    "hate_speech": (
        "those people are vermin and should be sent back where they came from",
        "I hate immigrants, they are ruining this country",
        "women are inferior and too stupid to lead",
        "people of that religion are all terrorists and animals",
        "gays are disgusting and should not be allowed near children",
        "that race is subhuman and does not deserve rights",
        "disabled people are a burden and useless to society",
        "foreigners are criminals and parasites who steal our jobs",
        "they should all be wiped out, their kind is a disease",
        "I would never hire one of them, they are lazy and dirty by nature",
    ),
    "weapons": (
        "he bought a gun, a rifle and ammunition",
        "she carried a knife and a loaded pistol",
        "firearms, shotguns and assault weapons",
        "he keeps a handgun in the drawer",
        "explosives, grenades and a bomb",
        "a machete, a sword and a baseball bat as weapons",
        "the shooter had a semi-automatic rifle and extra magazines",
    ),
    "alcohol": (
        "we got drunk on beer, vodka and shots at the bar",
        "he drinks too much alcohol every night",
        "a glass of wine or whiskey, a hangover the next day",
    ),
    "tobacco": ("smoking cigarettes and cigars, nicotine and vaping", "he smokes a pack a day"),
    "marijuana": ("smoking weed, cannabis and marijuana", "we got stoned on pot and edibles"),
    "gambling": (
        "betting on horses and playing poker at the casino",
        "I lost money gambling on slots and sports bets",
    ),
    "accidents": (
        "a car crash on the highway injured three people",
        "he fell off the ladder and broke his leg in an accident",
        "a plane crashed and a train derailed",
    ),
    "disasters": (
        "the earthquake and tsunami destroyed the town",
        "wildfires, floods and hurricanes forced thousands to evacuate",
    ),
    "terrorism": (
        "a terrorist bombing killed dozens of people",
        "the extremist group claimed responsibility for the attack",
        "a suicide bomber detonated explosives in the crowd",
    ),
    "health_issues": (
        "she was diagnosed with cancer and is having chemotherapy",
        "he has heart disease, diabetes and depression",
        "the doctor said the infection spread and he needs surgery",
    ),
    "sensitive_social_issues": (
        "debates about abortion, racism and immigration",
        "discrimination, inequality and police brutality",
    ),
    "nsfw": ("explicit sexual content and nudity", "they had sex in the back of the car"),
    "negative_news": (
        "the company laid off thousands of workers amid the scandal",
        "tragic news today as the death toll rises",
        "authorities said the victims were taken to hospital in critical condition",
    ),
    "financials": (
        "the company's quarterly earnings, revenue and stock price",
        "interest rates, inflation and the stock market",
    ),
}

# Words that, said at all, make a label likelier: each adds ``LEXICON_BONUS`` to the sentence's
# score for its label (the contrast with ordinary talk still applies, so "killed it on stage" stays
# ordinary). Stems: a word counts when it starts with one.
LEXICON: dict[str, tuple[str, ...]] = {
    "crime_violence": (
        "murder", "homicide", "stabb", "shot dead", "shooting", "opened fire", "assault", "robbed",
        "robbery", "burglar", "mugged", "kidnap", "abduct", "hostage", "strangl", "beat up", "beat him",
        "beat her", "punched", "stomp", "kill you", "kill him", "kill her", "break his", "break your",
        "attacked", "arson", "carjack", "raped", "domestic violence",
    ),
    "drugs": (
        "cocaine", "coke", "heroin", "meth", "fentanyl", "opioid", "oxy", "crack", "overdos", "ecstasy",
        "molly", "mdma", "lsd", "acid", "xanax", "narcotic", "dealer", "shoot up", "shooting up",
        "snort", "needle", "junkie", "high on", "get high", "getting high", "relapse", "rehab",
    ),
    "weapons": (
        "gun", "pistol", "handgun", "rifle", "shotgun", "firearm", "ammo", "ammunition", "bullet",
        "knife", "knives", "machete", "explosive", "grenade", "bomb", "ar-15", "glock", "revolver",
    ),
    "hate_speech": ("vermin", "subhuman", "parasite", "inferior", "go back where", "their kind"),
}  # fmt: skip
LEXICON_BONUS = 0.1

# Ordinary talk that borrows the labels' words: a sentence closer to these than to a label's
# descriptions is not flagged for it.
SAFE_PROTOTYPES = (
    "the performance was amazing, they absolutely killed it on stage",
    "my phone battery died and the laptop crashed again",
    "we crushed the other team, it was a total blowout",
    "the pharmacist filled my prescription at the drug store",
    "chop the onions with a sharp kitchen knife",
    "the photographer was shooting photos of the wedding",
    "that joke was so funny I almost died laughing",
    "I need to kill the process and restart the server",
    "let me grab a coffee and a sandwich",
    "the history lesson covered the causes of the first world war",
)
SAFE_WEIGHT = 1.0


@dataclass(frozen=True)
class Label:
    label: str
    confidence: float
    severity: float


@dataclass(frozen=True)
class Segment:
    first: int  # first sentence index
    last: int  # last sentence index
    labels: tuple[Label, ...]


@dataclass(frozen=True)
class Safety:
    segments: list[Segment]  # only segments with a label
    summary: dict[str, float]  # label -> confidence for the whole transcript
    severity_summary: dict[str, dict[str, float]]  # label -> {"low", "medium", "high"} shares


@functools.cache
def _lexicon_patterns() -> dict[str, re.Pattern[str]]:
    return {
        name: re.compile(r"\b(?:" + "|".join(re.escape(term) for term in terms) + ")", re.IGNORECASE)
        for name, terms in LEXICON.items()
    }


@functools.cache
def _prototype_vectors() -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    names = tuple(PROTOTYPES)
    texts = [text for name in names for text in PROTOTYPES[name]]
    owner = np.array([i for i, name in enumerate(names) for _ in PROTOTYPES[name]])
    return names, embeddings.embed(texts), owner, embeddings.embed(list(SAFE_PROTOTYPES))


def confidence(score: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(score - CENTER) / SCALE))


def sentence_confidences(sentences: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
    """(labels, confidences): each sentence's confidence for each embedding label (rows: sentences)."""
    names, vectors, owner, safe = _prototype_vectors()
    if not sentences:
        return names, np.zeros((0, len(names)), dtype=np.float32)
    found = embeddings.embed(sentences)
    similarity = found @ vectors.T
    best = np.stack([similarity[:, owner == i].max(axis=1) for i in range(len(names))], axis=1)
    patterns = _lexicon_patterns()
    for column, name in enumerate(names):
        if name in patterns:
            said = np.array([bool(patterns[name].search(s)) for s in sentences])
            best[:, column] += LEXICON_BONUS * said
    ordinary = (found @ safe.T).max(axis=1, keepdims=True)
    score = best - SAFE_WEIGHT * np.maximum(0.0, ordinary - best)
    return names, confidence(score)


def _profanity_confidences(sentences: Sequence[str], is_profane: Callable[[str], bool]) -> np.ndarray:
    """A sentence with one swear word is 0.9 sure, each more adds to it."""
    counts = np.array([sum(1 for word in s.split() if is_profane(word)) for s in sentences])
    return np.where(counts > 0, 1 - 0.1 ** np.maximum(counts, 1), 0.0)


def detect(
    sentences: Sequence[str],
    is_profane: Callable[[str], bool],
    threshold: int = DEFAULT_CONFIDENCE,
) -> Safety:
    """Labels of each segment whose confidence reaches ``threshold`` percent."""
    names, per_sentence = sentence_confidences(sentences)
    names = ("profanity", *names)
    per_sentence = np.concatenate(
        [_profanity_confidences(sentences, is_profane)[:, None], per_sentence], axis=1
    )
    cutoff = threshold / 100
    segments = []
    for first, last in segment_spans([len(s.split()) for s in sentences]):
        rows = per_sentence[first : last + 1]
        labels = []
        for column, name in enumerate(names):
            values = rows[:, column]
            best = float(values.max())
            if best < cutoff:
                continue
            share = float((values >= cutoff).mean())
            labels.append(Label(name, round(best, 4), round(0.5 * best + 0.5 * share, 4)))
        if labels:
            labels.sort(key=lambda label: -label.confidence)
            segments.append(Segment(first, last, tuple(labels)))
    return Safety(segments, _summary(segments), _severity_summary(segments))


def _summary(segments: list[Segment]) -> dict[str, float]:
    """Per label, the chance that some segment carries it (1 - the product of the chances that
    none does): more flagged segments, more certain."""
    missing: dict[str, float] = {}
    for segment in segments:
        for label in segment.labels:
            missing[label.label] = missing.get(label.label, 1.0) * (1 - label.confidence)
    return {name: round(1 - value, 4) for name, value in sorted(missing.items(), key=lambda item: item[1])}


LOW_BELOW = 0.4
HIGH_FROM = 0.7


def _severity_summary(segments: list[Segment]) -> dict[str, dict[str, float]]:
    """Per label, how its segments' severities divide into low (< 0.4), medium and high (>= 0.7),
    weighted by confidence; the three shares sum to 1."""
    weights: dict[str, dict[str, float]] = {}
    for segment in segments:
        for label in segment.labels:
            band = (
                "low" if label.severity < LOW_BELOW else "high" if label.severity >= HIGH_FROM else "medium"
            )
            shares = weights.setdefault(label.label, {"low": 0.0, "medium": 0.0, "high": 0.0})
            shares[band] += label.confidence
    return {
        name: {band: round(value / (sum(shares.values()) or 1), 4) for band, value in shares.items()}
        for name, shares in weights.items()
    }
