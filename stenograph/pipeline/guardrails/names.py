"""Known given names and surnames of many countries, as evidence that a capitalised word spaCy's
small model calls an organisation or a place ("Lakshmi will do the demo", "Klaus, can you ...") is
someone. The lists are derived from the person providers of Faker (MIT), Latin-script entries of
every locale it ships, accents folded: run ``python -m stenograph.pipeline.guardrails.names`` (with
Faker installed) to write them again."""

from __future__ import annotations

import functools
from pathlib import Path

from stenograph.pipeline.guardrails.places import folded

DATA = Path(__file__).parent / "data"
GIVEN_NAMES_FILE = DATA / "given_names.txt"
SURNAMES_FILE = DATA / "surnames.txt"


@functools.cache
def _names(path: Path) -> frozenset[str]:
    return frozenset(path.read_text(encoding="utf-8").split("\n")) - {""}


def is_given_name(word: str) -> bool:
    return folded(word) in _names(GIVEN_NAMES_FILE)


def is_surname(word: str) -> bool:
    return folded(word) in _names(SURNAMES_FILE)


def _latin(name: str) -> bool:
    plain = folded(name).replace("-", "").replace("'", "")
    return len(plain) > 1 and plain.isascii() and plain.isalpha()


def _names_from_faker() -> tuple[set[str], set[str]]:
    import importlib
    import pkgutil

    import faker.providers.person as person

    given: set[str] = set()
    surnames: set[str] = set()
    for locale in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{locale.name}").Provider
        for attribute, into in (
            ("first_names", given), ("first_names_male", given), ("first_names_female", given),
            ("first_romanized_names", given), ("last_names", surnames), ("last_romanized_names", surnames),
        ):  # fmt: skip
            values = provider.__dict__.get(attribute, ())
            if isinstance(values, property):  # computed from the others
                continue
            into.update(folded(v) for v in values if isinstance(v, str) and _latin(v))
    return given, surnames


if __name__ == "__main__":
    given, surnames = _names_from_faker()
    GIVEN_NAMES_FILE.write_text("\n".join(sorted(given)) + "\n", encoding="utf-8")
    SURNAMES_FILE.write_text("\n".join(sorted(surnames)) + "\n", encoding="utf-8")
    print(f"{len(given)} given names and {len(surnames)} surnames written to {DATA}")
