"""The layers' import rules (docs/architecture.md): an import that points the wrong way fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "stenograph"

# package -> the packages of ours it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "config": set(),
    "metrics": set(),  # Prometheus metrics: any layer above the pipeline counts
    "logs": set(),
    "pipeline": {"understanding"},  # the orchestrator calls speech understanding
    "understanding": set(),
    "streaming": {"metrics", "pipeline"},
    "assemblyai": {"pipeline", "streaming", "understanding"},
    "store": {"config"},  # only the Alembic environment, for the `alembic` command line
    "jobs": {"assemblyai", "config", "llm", "llmtasks", "metrics", "pipeline", "store"},
    "llm": set(),
    "llmtasks": {"llm", "understanding"},  # summaries, chapters, speakers, translation on a result
    "runtime": {"assemblyai", "config", "jobs", "llm", "pipeline", "store", "streaming"},
    "doctor": {"config", "jobs", "pipeline", "runtime", "store"},
    "api": {
        *("assemblyai", "config", "llm", "llmtasks", "metrics", "pipeline", "runtime", "store"),
        "streaming",
    },
    "cli": {"api", "assemblyai", "config", "doctor", "logs", "pipeline", "runtime", "store"},
}
# No settings are read below the runtime: they are handed down as values.
NO_SETTINGS = ("pipeline", "streaming", "assemblyai", "understanding", "llm", "llmtasks")


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts or p.name == "env.py")


def _layer(path: Path) -> str:
    first = path.relative_to(PACKAGE).parts[0]
    return first.removesuffix(".py")


def _imported_layers(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "stenograph" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path: Path) -> None:
    layer = _layer(path)
    if layer == "__init__":
        return
    wrong = _imported_layers(path) - ALLOWED[layer] - {layer, "__init__"}
    assert not wrong, f"{path.relative_to(PACKAGE)} ({layer}) imports {sorted(wrong)}"


@pytest.mark.parametrize("layer", NO_SETTINGS)
def test_no_settings_below_the_runtime(layer: str) -> None:
    readers = [p for p in (PACKAGE / layer).rglob("*.py") if "get_settings" in p.read_text()]
    assert not readers
