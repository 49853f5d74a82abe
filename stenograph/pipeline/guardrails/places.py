"""Known place names (cities, regions, countries), for telling a place spaCy's small model knows
from a word it only guesses is one ("FedEx", "Keisha"). The list is derived from the place names
phonenumbers ships for its geocoder (English descriptions of number prefixes, and region names):
run ``python -m stenograph.pipeline.guardrails.places`` to write it again after upgrading it."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

PLACES_FILE = Path(__file__).parent / "data" / "places.txt"


def folded(text: str) -> str:
    """Lower case without accents: "São Paulo" and "Sao Paulo" are one place."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower().strip()


@functools.cache
def place_names() -> frozenset[str]:
    return frozenset(PLACES_FILE.read_text(encoding="utf-8").split("\n")) - {""}


def is_known_place(name: str) -> bool:
    lowered = folded(name)
    if lowered.startswith("the "):
        lowered = lowered[4:]
    return lowered in place_names()


def _names_from_phonenumbers() -> set[str]:
    from phonenumbers.geodata import GEOCODE_DATA
    from phonenumbers.geodata.locale import LOCALE_DATA

    names: set[str] = set()
    for descriptions in GEOCODE_DATA.values():
        english = descriptions.get("en")
        if english:
            names.update(part for part in english.split(", "))
    for languages in LOCALE_DATA.values():
        name = languages.get("en", "")
        names.add(languages.get(name[1:], "") if name.startswith("*") else name)
    # Only names: not "Toll free", not numbered areas
    return {folded(n) for n in names if n and n[:1].isupper() and not any(c.isdigit() for c in n)}


if __name__ == "__main__":
    PLACES_FILE.write_text("\n".join(sorted(_names_from_phonenumbers())) + "\n", encoding="utf-8")
    print(f"{len(place_names.__wrapped__())} place names written to {PLACES_FILE}")
