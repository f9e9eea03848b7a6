"""Why a model reads a digit as it does: attribution and nearest training
digits for one model input, as the command line and the app show them.

    found = explain_input(classifier, model_input, index, k=8)
    found.digit, found.attribution, found.neighbours

The parts live in `attribution` (occlusion), `neighbours` (feature index) and
`probes` (what-if changes to the drawing); this module puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..models.classifier import Classifier
from .attribution import occlusion
from .neighbours import FeatureIndex, Neighbour


@dataclass(frozen=True)
class Explanation:
    digit: int
    probabilities: np.ndarray  # (10,)
    input: np.ndarray  # (28, 28), the model's input
    attribution: np.ndarray  # (28, 28), positive = evidence for `digit`
    neighbours: list[Neighbour] | None  # None: no index

    def to_json(self) -> dict:
        found = {
            "digit": self.digit,
            "probabilities": [float(p) for p in self.probabilities],
            "input": np.asarray(self.input, dtype=float).round(6).tolist(),
            "attribution": np.asarray(self.attribution, float).round(6).tolist(),
        }
        if self.neighbours is not None:
            found["neighbours"] = [n.to_json() for n in self.neighbours]
        return found


def explain_input(
    classifier: Classifier,
    model_input: np.ndarray,
    index: FeatureIndex | None = None,
    k: int = 8,
    contrast: bool = False,
) -> Explanation:
    """Explain the reading of one 28×28 model input."""
    found = occlusion(classifier, model_input, contrast)
    neighbours = None if index is None else index.nearest(classifier, model_input, k)
    return Explanation(
        found.digit, found.probabilities, np.asarray(model_input, np.float32),
        found.map, neighbours,
    )  # fmt: skip
