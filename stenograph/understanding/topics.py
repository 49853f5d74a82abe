"""``iab_categories``: topics of a transcript in the IAB Content Taxonomy 2.0 (698 categories, the
data in ``data/iab_content_taxonomy_2.0.tsv``), labelled the way AssemblyAI writes them
("MedicalHealth>DiseasesAndConditions>Cancer").

Zero-shot, from sentence embeddings (``embeddings``): a category is represented by its path of names
and by a description of its top tier (``TIER1_DESCRIPTIONS``: the names alone are too short for a
small model to place "Sports>Soccer" near talk of "the keeper" and "the second half"). A segment of
the transcript scores each category by the mean of its cosine similarity to the two; the score goes
through a logistic curve (``CENTER``, ``SCALE``) so that unrelated speech gets a relevance near 0:
``CENTER`` is about the median raw score of a dev passage's own tier (0.32; chit-chat scores 0.18-0.26).
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stenograph.understanding import embeddings
from stenograph.understanding.segments import segment_spans

TAXONOMY_FILE = "iab_content_taxonomy_2.0.tsv"
LABELS_PER_SEGMENT = 10
CENTER = 0.32
SCALE = 0.04
MIN_RELEVANCE = 0.0005  # labels below this are left out of a segment's list

# One sentence per top tier: what talk under it is about, in the words people use.
TIER1_DESCRIPTIONS = {
    "Automotive": "cars, trucks and motorcycles: driving, engines, car dealers, repairs, car insurance",
    "Books and Literature": "books, novels, authors, poetry, reading and publishing stories",
    "Business and Finance": "companies, markets, the economy, industries, management, revenue and trade",
    "Careers": "jobs and careers: job interviews, resumes, hiring, promotions, working from home",
    "Education": "schools, teachers, students, universities, classes, exams and homework",
    "Events and Attractions": "events and venues: concerts, festivals, parties, weddings, museums, parks",
    "Family and Relationships": "family life: parents, children, marriage, dating, divorce, eldercare",
    "Fine Art": "art: painting, sculpture, dance, opera, theater, design and photography",
    "Food & Drink": "food and drink: cooking, recipes, restaurants, meals, wine, beer and coffee",
    "Healthy Living": "fitness and wellness: exercise, running, nutrition, diets, weight loss, sleep",
    "Hobbies & Interests": "hobbies: crafts, collecting, games, gardening, photography, genealogy, DIY",
    "Home & Garden": "the home: decorating, furniture, renovation, gardening, appliances, cleaning",
    "Medical Health": "medicine and illness: doctors, hospitals, diseases, symptoms, treatments, surgery",
    "Movies": "films and cinema: actors, directors, movie plots, box office and film reviews",
    "Music and Audio": "music: songs, bands, albums, singers, instruments, radio and podcasts",
    "News and Politics": "news and politics: government, elections, laws, crime, war, disasters, weather",
    "Personal Finance": "personal money: saving, budgets, credit cards, loans, mortgages, taxes, retirement",
    "Pets": "pets: dogs, cats, birds, fish, veterinarians, pet food and training",
    "Pop Culture": "celebrities, gossip, fame, social media stars and trends",
    "Real Estate": "property: buying and selling houses, apartments, renting, landlords, real estate agents",
    "Religion & Spirituality": "religion and faith: God, church, prayer, scripture, spirituality, meditation",
    "Science": "science: physics, chemistry, biology, space, research, experiments, the environment",
    "Shopping": "shopping: stores, buying products, prices, discounts, sales, online orders",
    "Sports": "sports: games, teams, players, matches, scores, leagues, coaches and athletes",
    "Style & Fashion": "fashion and beauty: clothes, designers, makeup, hair, skin care, jewelry",
    "Technology & Computing": "technology: computers, software, the internet, smartphones, AI, programming",
    "Television": "television: TV shows, series, episodes, channels, streaming and reality TV",
    "Travel": "travel: trips, flights, hotels, vacations, tourism, destinations and luggage",
    "Video Gaming": "video games: consoles, gamers, game releases, esports, PC and mobile games",
}


@dataclass(frozen=True)
class Category:
    label: str  # AssemblyAI's form: "Tier1>Tier2>..."
    text: str  # the names, readable: "Medical Health, Diseases and Conditions, Cancer"
    tier1: str


@dataclass(frozen=True)
class Segment:
    first: int  # index of the segment's first sentence
    last: int  # ... and of its last
    labels: tuple[tuple[str, float], ...]  # (label, relevance), most relevant first


@dataclass(frozen=True)
class Topics:
    segments: list[Segment]
    summary: dict[str, float]  # label -> relevance to the whole transcript, most relevant first


def _camel(name: str) -> str:
    """IAB's name as AssemblyAI labels it: words capitalised and joined ("Food & Drink" -> "Food&Drink",
    "Education industry" -> "EducationIndustry")."""
    return "".join(word[:1].upper() + word[1:] for word in name.replace("&", " & ").split()).replace(" ", "")


@functools.cache
def categories() -> tuple[Category, ...]:
    text = importlib.resources.files("stenograph.understanding").joinpath("data", TAXONOMY_FILE)
    found = []
    for line in text.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or line.startswith("unique_id"):
            continue
        tiers = [t for t in line.split("\t")[1:] if t]
        found.append(
            Category(
                label=">".join(_camel(t) for t in tiers),
                text=", ".join(t.replace("&", "and") for t in tiers),
                tier1=tiers[0],
            )
        )
    return tuple(found)


@functools.cache
def _category_vectors() -> np.ndarray:
    """One unit vector per category: the mean of its names' embedding and its top tier's description."""
    cats = categories()
    names = embeddings.embed([c.text for c in cats])
    tiers = list(TIER1_DESCRIPTIONS)
    described = embeddings.embed([TIER1_DESCRIPTIONS[t] for t in tiers])
    tier_of = np.array([tiers.index(c.tier1) for c in cats])
    vectors = names + described[tier_of]
    return np.asarray(vectors / np.linalg.norm(vectors, axis=1, keepdims=True), dtype=np.float32)


def score_texts(texts: Sequence[str]) -> np.ndarray:
    """Each text's relevance to each category (rows: texts, columns: ``categories()``)."""
    if not texts:
        return np.zeros((0, len(categories())), dtype=np.float32)
    # Cosine with a mean of two unit vectors is the mean of the two cosines, up to the norm.
    scores = embeddings.embed(texts) @ _category_vectors().T
    return 1 / (1 + np.exp(-(scores - CENTER) / SCALE))


def detect(sentences: Sequence[str]) -> Topics:
    """Topics of each segment (runs of whole sentences, see ``segments``) and of the whole."""
    spans = segment_spans([len(s.split()) for s in sentences])
    texts = [" ".join(sentences[first : last + 1]) for first, last in spans]
    relevances = score_texts(texts)
    cats = categories()
    segments = []
    for (first, last), row in zip(spans, relevances, strict=True):
        best = np.argsort(-row)[:LABELS_PER_SEGMENT]
        segments.append(
            Segment(
                first,
                last,
                tuple((cats[i].label, round(float(row[i]), 4)) for i in best if row[i] >= MIN_RELEVANCE),
            )
        )
    return Topics(segments, _summary(segments, texts))


def _summary(segments: list[Segment], texts: list[str]) -> dict[str, float]:
    """Each label listed for some segment, with its relevance averaged over the transcript (weighted
    by the segments' words; 0 where a segment does not list it)."""
    weights = [len(t.split()) for t in texts]
    total = sum(weights) or 1
    summed: dict[str, float] = {}
    for segment, weight in zip(segments, weights, strict=True):
        for label, value in segment.labels:
            summed[label] = summed.get(label, 0.0) + value * weight
    return {
        label: round(value / total, 4) for label, value in sorted(summed.items(), key=lambda item: -item[1])
    }
