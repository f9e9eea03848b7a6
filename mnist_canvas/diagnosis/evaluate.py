"""Accuracy of a model on MNIST's test set or on stroke records, through the
app's own path (placement, preprocessing, the model), batched.

    result = evaluate_strokes(classifier, "pen-digits/unipen1a-dev.jsonl.gz")
    result.accuracy, result.confusion

The command line is `python -m mnist_canvas.evaluate` (see there).
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

import numpy as np

from ..data import DataError
from ..data.strokes import read_strokes
from ..ink.placement import place
from ..models.classifier import BadSource, Classifier, predict_many
from ..pipeline.steps import model_values


@dataclass(frozen=True)
class Misreading:
    """One item read wrongly: its position in the source (the record's place
    in the file, or the MNIST test index), its label, the digit read (-1: an
    empty drawing) and the model's probability for that digit."""

    index: int
    label: int
    predicted: int
    confidence: float

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Result:
    n: int
    accuracy: float
    per_class: list[float | None]
    confusion: list[list[int]]  # confusion[true][predicted]
    errors: list[Misreading]  # in source order
    probabilities: np.ndarray = field(repr=False)  # (n, 10); NaN rows: empty

    @classmethod
    def from_probabilities(
        cls, labels: np.ndarray, probabilities: np.ndarray
    ) -> Result:
        predicted = _digits(probabilities)
        confusion = np.zeros((10, 10), dtype=int)
        read = predicted >= 0  # an empty drawing is in no column
        np.add.at(confusion, (labels[read], predicted[read]), 1)
        totals = confusion.sum(axis=1)
        per_class = [
            float(confusion[d, d] / totals[d]) if totals[d] else None for d in range(10)
        ]
        n = len(labels)
        accuracy = float((labels == predicted).mean()) if n else 0.0
        confidence = np.nan_to_num(probabilities).max(axis=1)
        errors = [
            Misreading(int(i), int(labels[i]), int(predicted[i]), float(confidence[i]))
            for i in np.flatnonzero(labels != predicted)
        ]
        return cls(n, accuracy, per_class, confusion.tolist(), errors, probabilities)


def evaluate_strokes(
    classifier: Classifier, path, steps: dict[str, bool] | None = None,
    how: str = "default", seed: int = 0, brush: float | None = None,
) -> Result:  # fmt: skip
    """Accuracy on a stroke file, every digit through the app's path."""
    rng = random.Random(seed)
    records = list(read_strokes(path))
    if not records:
        raise DataError(f"{path}: holds no records")
    drawings = []
    for record in records:
        try:
            drawings.append(place(record, how, rng, brush))
        except ValueError as error:
            raise DataError(f"{path}:{record.line}: {error}") from None
    try:
        probabilities = predict_many(drawings, classifier, steps)
    except BadSource as error:
        raise DataError(f"{path}:{records[error.index].line}: {error.reason}") from None
    labels = np.array([record.label for record in records])
    return Result.from_probabilities(labels, probabilities)


def _digits(probabilities: np.ndarray) -> np.ndarray:
    """The read digit of each row; -1 (never right) for an empty drawing."""
    empty = np.isnan(probabilities).any(axis=1)
    return np.where(empty, -1, np.nan_to_num(probabilities).argmax(axis=1))


def evaluate_mnist(
    classifier: Classifier, folder, steps: dict[str, bool] | None = None
) -> Result:
    """Accuracy on MNIST's 10,000 test images (already 28×28, MNIST-processed);
    only the value steps (scale, normalize) apply to them."""
    from ..data.mnist import load_mnist  # torch: only for MNIST, not for strokes

    test = load_mnist(folder).test
    switched = classifier.steps(steps)
    pixels = model_values(
        test.images.numpy().astype(np.float32), switched["scale"], switched["normalize"]
    )
    probabilities = np.concatenate(
        [
            classifier.probabilities(pixels[i : i + 1000])
            for i in range(0, len(pixels), 1000)
        ]
    )
    return Result.from_probabilities(test.labels.numpy(), probabilities)
