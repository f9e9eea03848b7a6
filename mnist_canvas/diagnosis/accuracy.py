"""Accuracy of a model on MNIST's test set or on stroke records, through the
app's own path (placement, preprocessing, the model), batched.

    result = evaluate_strokes(classifier, "pen-digits/unipen1a-dev.jsonl.gz")
    result.accuracy, result.confusion
    for chunk in stroke_chunks(classifier, path):  # the same, a part at a time
        chunk.start, chunk.total, chunk.probabilities

The command line is `python -m mnist_canvas.evaluate` (see there).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

import numpy as np

from ..data import DataError
from ..data.strokes import read_strokes, writer_fold
from ..ink.placement import place
from ..models.classifier import (
    BadSource,
    Classifier,
    preprocess_many,
    read_inputs,
)
from ..models.engine import ModelError
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


@dataclass(frozen=True)
class Chunk:
    """Items `start`… of a source, read: what each is (a placed Drawing, or an
    MNIST image as 28×28 uint8), its label, the model's input and the
    probabilities (NaN rows: empty drawings). `total`: the source's size."""

    start: int
    total: int
    sources: list
    labels: np.ndarray
    inputs: np.ndarray
    probabilities: np.ndarray


def _read(classifier: Classifier, inputs, empty, where: str) -> np.ndarray:
    try:
        return read_inputs(inputs, empty, classifier)
    except ModelError as error:
        raise ModelError(f"{classifier.name} failed on {where}: {error}") from None


def stroke_chunks(
    classifier: Classifier, path, steps: dict[str, bool] | None = None,
    how: str = "default", seed: int = 0, brush: float | None = None,
    size: int = 500, writers: tuple[int, int] | None = None,
) -> Iterator[Chunk]:  # fmt: skip
    """A stroke file read `size` records at a time, every digit through the
    app's path; DataError names the file and line of a bad record. `writers`
    (fold, folds) keeps only the people of that writer-level fold."""
    rng = random.Random(seed)
    records = list(read_strokes(path))
    if writers is not None:
        fold, folds = writers
        records = [r for r in records if writer_fold(r.writer, folds) == fold]
    if not records:
        raise DataError(
            f"{path}: holds no records"
            + (f" of writer fold {writers[0]}/{writers[1]}" if writers else "")
        )
    for start in range(0, len(records), size):
        part = records[start : start + size]
        drawings = []
        for record in part:
            try:
                drawings.append(place(record, how, rng, brush))
            except ValueError as error:
                raise DataError(f"{path}:{record.line}: {error}") from None
        try:
            inputs, empty = preprocess_many(drawings, classifier, steps)
        except BadSource as error:
            line = part[error.index].line
            raise DataError(f"{path}:{line}: {error.reason}") from None
        where = f"{path}, lines {part[0].line}–{part[-1].line}"
        probabilities = _read(classifier, inputs, empty, where)
        labels = np.array([record.label for record in part])
        yield Chunk(start, len(records), drawings, labels, inputs, probabilities)


def mnist_chunks(
    classifier: Classifier, folder, steps: dict[str, bool] | None = None,
    size: int = 1000,
) -> Iterator[Chunk]:  # fmt: skip
    """MNIST's 10,000 test images (already 28×28, MNIST-processed), `size` at
    a time; only the value steps (scale, normalize) apply to them."""
    from ..data.mnist import load_mnist  # torch (torchvision): only now

    test = load_mnist(folder).test
    switched = classifier.steps(steps)
    images, labels = test.images.numpy(), test.labels.numpy()
    for start in range(0, len(images), size):
        part = images[start : start + size]
        inputs = model_values(
            part.astype(np.float32), switched["scale"], switched["normalize"]
        )
        where = f"MNIST test images {start}–{start + len(part) - 1} ({folder})"
        empty = np.zeros(len(part), bool)
        probabilities = _read(classifier, inputs, empty, where)
        yield Chunk(
            start, len(images), list(part), labels[start : start + size],
            inputs, probabilities,
        )  # fmt: skip


def collect(chunks: Iterable[Chunk]) -> Result:
    """The result of a whole source read in chunks."""
    labels, probabilities = [], []
    for chunk in chunks:
        labels.append(chunk.labels)
        probabilities.append(chunk.probabilities)
    return Result.from_probabilities(
        np.concatenate(labels), np.concatenate(probabilities)
    )


def evaluate_strokes(
    classifier: Classifier, path, steps: dict[str, bool] | None = None,
    how: str = "default", seed: int = 0, brush: float | None = None,
    writers: tuple[int, int] | None = None,
) -> Result:  # fmt: skip
    """Accuracy on a stroke file, every digit through the app's path."""
    return collect(
        stroke_chunks(classifier, path, steps, how, seed, brush, writers=writers)
    )


def _digits(probabilities: np.ndarray) -> np.ndarray:
    """The read digit of each row; -1 (never right) for an empty drawing."""
    empty = np.isnan(probabilities).any(axis=1)
    return np.where(empty, -1, np.nan_to_num(probabilities).argmax(axis=1))


def evaluate_mnist(
    classifier: Classifier, folder, steps: dict[str, bool] | None = None
) -> Result:
    """Accuracy on MNIST's 10,000 test images (see `mnist_chunks`)."""
    return collect(mnist_chunks(classifier, folder, steps))
