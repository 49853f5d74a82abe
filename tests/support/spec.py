"""AssemblyAI's published OpenAPI spec (../shared/spec beside the checkout) for tests that hold the
API to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

SPEC_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "spec" / "openapi.yml"


def load_spec() -> dict[str, Any]:
    """The spec as a dict; the calling test skips when it is not beside the checkout."""
    if not SPEC_PATH.is_file():
        pytest.skip(f"AssemblyAI's OpenAPI spec not found at {SPEC_PATH} (expected beside the checkout)")
    spec: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return spec


def admits_null(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """Whether a property's schema lets its value be null (3.1 ``type: [..., "null"]``, 3.0
    ``nullable``, or through ``$ref``/``anyOf``/``oneOf``)."""
    kind = schema.get("type")
    if schema.get("nullable") or kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    if any(admits_null(option, components) for key in ("anyOf", "oneOf") for option in schema.get(key, [])):
        return True
    if "allOf" in schema:
        return all(admits_null(part, components) for part in schema["allOf"])
    if "$ref" in schema:
        return admits_null(components[schema["$ref"].rsplit("/", 1)[1]], components)
    return False
