"""The numbers the checks compare: a model's accuracy, recall per class and
calibration on a set of images, and the same for the reference model (the
app's default), kept in the cache so that it runs once per set.

    model = explicit(classifier)               # its convention spelt out
    m = measured(model, images, labels)        # Measure(accuracy, recall, …)
    other = variant(model, range="0-255")      # fed 0–255 values instead
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, replace

import numpy as np

from ..files import cache_dir, content_hash, write_text
from ..models.classifier import Classifier, read_inputs
from ..models.convention import Convention

BINS = 10  # expected calibration error over ten confidence bins
# The pipeline's value steps → the range a model of ours is fed.
STEP_RANGES = {(True, True): "mnist", (True, False): "0-1", (False, False): "0-255"}


def explicit(classifier: Classifier) -> Classifier:
    """The classifier with its input convention spelt out, fed 0–1 white-on-
    black 28×28 images (ours: the range its value steps make, the polarity its
    invert step makes)."""
    if classifier.convention is not None:
        return classifier
    steps = classifier.expected_steps
    value_range = STEP_RANGES.get((steps["scale"], steps["normalize"]), "0-255")
    polarity = "white-on-black" if steps["invert"] else "black-on-white"
    return Classifier(
        classifier.session,
        classifier.metadata,
        classifier.name,
        Convention("nchw", value_range, polarity),
        "logits",
    )


def variant(model: Classifier, **changes) -> Classifier:
    """The same model fed another range, polarity or layout."""
    convention = replace(model.convention, **changes)
    return Classifier(
        model.session, model.metadata, model.name, convention, model.output
    )


def probabilities(model: Classifier, images: np.ndarray) -> np.ndarray:
    """(N, 10) for (N, 28, 28) 0–1 white-on-black images, batched."""
    return read_inputs(images, np.zeros(len(images), bool), model)


@dataclass(frozen=True)
class Measure:
    n: int
    accuracy: float  # 0–1
    recall: list[float | None]
    ece: float  # expected calibration error, 0–1
    confidence: float  # mean confidence
    error_confidence: float | None  # mean confidence on its own errors

    @classmethod
    def of(cls, probs: np.ndarray, labels: np.ndarray) -> Measure:
        probs = np.nan_to_num(probs)
        read, confidence = probs.argmax(axis=1), probs.max(axis=1)
        right = read == labels
        recall = [
            float(right[labels == d].mean()) if (labels == d).any() else None
            for d in range(10)
        ]
        bins = np.minimum((confidence * BINS).astype(int), BINS - 1)
        ece = sum(
            abs(confidence[bins == b].mean() - right[bins == b].mean())
            * (bins == b).mean()
            for b in range(BINS)
            if (bins == b).any()
        )
        wrong = ~right
        return cls(
            len(labels),
            float(right.mean()) if len(labels) else 0.0,
            recall,
            float(ece),
            float(confidence.mean()) if len(labels) else 0.0,
            float(confidence[wrong].mean()) if wrong.any() else None,
        )

    @property
    def gap(self) -> float:
        """Mean confidence minus accuracy: > 0 overconfident, < 0 under."""
        return self.confidence - self.accuracy

    def noise(self) -> float:
        """Two standard errors of the accuracy, in points."""
        p = min(max(self.accuracy, 1.0 / max(self.n, 1)), 1 - 1.0 / max(self.n, 1))
        return 200.0 * math.sqrt(p * (1 - p) / max(self.n, 1))


def points(a: float) -> float:
    return round(100.0 * a, 2)


class Reference:
    """The default model's measures on each named set of images; saved in the
    cache under the model file's hash (the sets are seeded, so the same)."""

    def __init__(self, model: Classifier | None, path=None, key: str = ""):
        self.model = model  # None: the diagnosed model is the reference
        self.file = None
        self.saved: dict[str, Measure] = {}
        if model is not None and path is not None:
            self.file = (
                cache_dir() / "diagnose" / f"{content_hash(path)[:24]}-{key}.json"
            )
            try:
                data = json.loads(self.file.read_text(encoding="utf-8"))
                self.saved = {k: Measure(**v) for k, v in data.items()}
            except (OSError, ValueError, TypeError):
                self.saved = {}

    def measure(self, name: str, images: np.ndarray, labels: np.ndarray) -> Measure:
        return self.cached(
            name, lambda: Measure.of(probabilities(self.model, images), labels)
        )

    def cached(self, name: str, compute) -> Measure:
        if name not in self.saved:
            self.saved[name] = compute()
            if self.file is not None:
                self.file.parent.mkdir(parents=True, exist_ok=True)
                text = json.dumps({k: asdict(v) for k, v in self.saved.items()})
                write_text(self.file, text)
        return self.saved[name]
