"""Naming diarized speakers after reference voices: the most alike pairs first, one name each,
nothing below the threshold."""

from __future__ import annotations

import numpy as np

from stenograph.pipeline.diarization.voices import SAME_VOICE, name_speakers


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_each_name_goes_to_its_most_alike_speaker_once() -> None:
    speakers = {"A": unit(1, 0.1, 0), "B": unit(0.1, 1, 0), "C": unit(0.9, 0.3, 0)}
    references = {"Ada": unit(1, 0, 0), "Bob": unit(0, 1, 0), "Cy": unit(0, 0, 1)}
    # C is nearly as like Ada as A is, but Ada is taken by the closer A; nobody sounds like Cy.
    assert name_speakers(speakers, references) == {"A": "Ada", "B": "Bob"}


def test_no_name_below_the_threshold() -> None:
    speaker, reference = unit(1, 0), unit(1, 1.1)  # cosine 0.67
    assert float(speaker @ reference) < SAME_VOICE
    assert name_speakers({"A": speaker}, {"Ada": reference}) == {}
    assert name_speakers({"A": speaker}, {"Ada": reference}, threshold=0.6) == {"A": "Ada"}
