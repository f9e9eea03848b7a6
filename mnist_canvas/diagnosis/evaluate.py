"""Accuracy of a model on MNIST's test set or on stroke records, through the
app's own path (placement, preprocessing, the model), batched.

    result = evaluate_strokes(classifier, "pen-digits/unipen1a-dev.jsonl.gz")
    result.accuracy, result.confusion

The command line is `python -m mnist_canvas.evaluate` (see there).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from ..data import DataError
from ..data.mnist import load_mnist
from ..data.strokes import read_strokes
from ..ink.placement import place
from ..models.classifier import Classifier
from ..pipeline.preprocess import preprocess
from ..pipeline.steps import model_values


@dataclass(frozen=True)
class Result:
    n: int
    accuracy: float
    per_class: list[float | None]
    confusion: list[list[int]]  # confusion[true][predicted]

    @classmethod
    def from_labels(cls, labels: np.ndarray, predicted: np.ndarray) -> Result:
        confusion = np.zeros((10, 10), dtype=int)
        np.add.at(confusion, (labels, predicted), 1)
        totals = confusion.sum(axis=1)
        per_class = [
            float(confusion[d, d] / totals[d]) if totals[d] else None for d in range(10)
        ]
        n = len(labels)
        accuracy = float((labels == predicted).mean()) if n else 0.0
        return cls(n, accuracy, per_class, confusion.tolist())


def evaluate_strokes(
    classifier: Classifier, path, steps: dict[str, bool] | None = None,
    how: str = "default", seed: int = 0, brush: float | None = None,
) -> Result:  # fmt: skip
    """Accuracy on a stroke file, every digit through the app's path."""
    rng = random.Random(seed)
    switched = classifier.steps(steps)
    labels, inputs, empty = [], [], []
    for record in read_strokes(path):
        try:
            result = preprocess(place(record, how, rng, brush), switched)
        except ValueError as error:
            raise DataError(f"{path}:{record.line}: {error}") from None
        labels.append(record.label)
        empty.append(result.is_empty)
        inputs.append(result.input if not result.is_empty else np.zeros((28, 28)))
    if not labels:
        raise DataError(f"{path}: holds no records")
    predicted = _predict_batched(classifier, np.stack(inputs))
    predicted[np.array(empty)] = -1  # an empty drawing is never right
    return Result.from_labels(np.array(labels), predicted)


def _predict_batched(classifier: Classifier, inputs: np.ndarray) -> np.ndarray:
    return np.concatenate(
        [
            classifier.probabilities(inputs[i : i + 1000]).argmax(axis=1)
            for i in range(0, len(inputs), 1000)
        ]
    )


def evaluate_mnist(
    classifier: Classifier, folder, steps: dict[str, bool] | None = None
) -> Result:
    """Accuracy on MNIST's 10,000 test images (already 28×28, MNIST-processed);
    only the value steps (scale, normalize) apply to them."""
    test = load_mnist(folder).test
    switched = classifier.steps(steps)
    pixels = model_values(
        test.images.numpy().astype(np.float32), switched["scale"], switched["normalize"]
    )
    predicted = _predict_batched(classifier, pixels)
    return Result.from_labels(test.labels.numpy(), predicted)
