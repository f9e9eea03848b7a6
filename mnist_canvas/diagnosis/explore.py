"""What the misreadings explorer shows: a data set read by one model, kept
whole, so that any cell of its confusion matrix can be opened.

    readings = read_dataset(classifier, Dataset.mnist(folder), switches)
    readings.result.confusion[7][1]         # 7s read as 1
    readings.cell(7, 1)                     # those, most confident first
    readings.sources[e.index]               # a misread Drawing or MNIST image
    right_by_one(cnn, mlp)                  # items cnn reads right and mlp wrong

A data set is read in chunks (`read_chunks`) through the evaluator's own path
(`evaluate.stroke_chunks`, `evaluate.mnist_chunks`), so a caller can show
progress and stop between any two chunks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..data import default_pen_digits
from ..files import file_stamp, user_data_dir
from ..ink.placement import PLACES
from ..models.classifier import Classifier
from .accuracy import Chunk, Misreading, Result, mnist_chunks, stroke_chunks

MY_DIGITS = "my-digits.jsonl"


PLACEMENT_SEED = 1  # random placement: the same for every reading
RANDOM_TITLE = "random size and position"


@dataclass(frozen=True)
class Dataset:
    """A source of labelled digits: MNIST's test set (a folder of the IDX
    files) or a stroke file, its digits placed on the canvas as recorded (or
    centred) or, `placement="random"`, at random sizes and positions as people
    draw (`ink.placement`; the same placement at every reading)."""

    kind: str  # "mnist" or "strokes"
    path: Path
    title: str
    placement: str = "default"  # strokes only: ink.placement.PLACES

    @classmethod
    def mnist(cls, folder: str | os.PathLike) -> Dataset:
        return cls("mnist", Path(folder), "MNIST test")

    @classmethod
    def strokes(cls, path: str | os.PathLike, title: str | None = None) -> Dataset:
        return cls("strokes", Path(path), title or Path(path).name)

    def placed(self, how: str) -> Dataset:
        """This stroke file placed `how` ("default" or "random"); MNIST as is."""
        if self.kind != "strokes" or how == self.placement:
            return self
        if how not in PLACES:
            raise ValueError(f"no placement {how!r}: one of {', '.join(PLACES)}")
        base = self.title.removesuffix(f", {RANDOM_TITLE}")
        title = base if how == "default" else f"{base}, {RANDOM_TITLE}"
        return replace(self, placement=how, title=title)

    def key(self) -> tuple:
        """Changes when the data set's file does (a stroke file edited)."""
        return (self.kind, str(self.path), self.placement, *file_stamp(self.path))


def my_digits_file() -> Path:
    """The user's own labelled digits (stroke JSON lines)."""
    return user_data_dir() / MY_DIGITS


def offered_datasets(mnist_dir: str | os.PathLike | None) -> list[Dataset]:
    """The data sets to offer without asking: MNIST test (when a folder is
    known), the pen digits file (when MNIST_CANVAS_DATA has it), my digits
    (when the file exists)."""
    offered = [Dataset.mnist(mnist_dir)] if mnist_dir else []
    pen = default_pen_digits()
    if pen is not None and pen.is_file():
        offered.append(Dataset.strokes(pen, "Pen digits"))
    if my_digits_file().is_file():
        offered.append(Dataset.strokes(my_digits_file(), "My digits"))
    return offered


def read_chunks(
    classifier: Classifier, dataset: Dataset, steps: Mapping[str, bool] | None = None
) -> Iterator[Chunk]:
    """The data set read by the model, a chunk at a time (the evaluator's path,
    placed as the data set says)."""
    steps = dict(steps or {})
    if dataset.kind == "mnist":
        return mnist_chunks(classifier, dataset.path, steps)
    return stroke_chunks(
        classifier, dataset.path, steps, dataset.placement, PLACEMENT_SEED
    )


def _own(item):
    """An item kept on its own (not a view that keeps a whole array alive)."""
    return item.copy() if isinstance(item, np.ndarray) else item


@dataclass(frozen=True)
class Readings:
    """One model's reading of a whole data set; of each misread item it keeps
    what the item is and the model's input (all the explorer shows)."""

    model: str
    dataset: Dataset
    result: Result
    labels: np.ndarray  # (n,) the true digits
    sources: dict[int, object]  # misread item → a placed Drawing or MNIST image
    inputs: dict[int, np.ndarray]  # misread item → the model's 28×28 input

    @classmethod
    def from_chunks(cls, model: str, dataset: Dataset, chunks: list[Chunk]):
        labels = np.concatenate([c.labels for c in chunks])
        probabilities = np.concatenate([c.probabilities for c in chunks])
        result = Result.from_probabilities(labels, probabilities)
        sources, inputs = {}, {}
        for chunk in chunks:
            end = chunk.start + len(chunk.labels)
            for e in result.errors:
                if chunk.start <= e.index < end:
                    sources[e.index] = _own(chunk.sources[e.index - chunk.start])
                    inputs[e.index] = _own(chunk.inputs[e.index - chunk.start])
        return cls(model, dataset, result, labels, sources, inputs)

    def probability(self, index: int, digit: int) -> float:
        """The model's probability that item `index` is `digit` (0: empty)."""
        value = self.result.probabilities[index, digit]
        return 0.0 if np.isnan(value) else float(value)

    def cell(self, true: int, read: int) -> list[Misreading]:
        """The items labelled `true` and read as `read`, most confident first."""
        found = [
            e for e in self.result.errors if (e.label, e.predicted) == (true, read)
        ]
        return sorted(found, key=lambda e: -e.confidence)

    def right(self) -> np.ndarray:
        """(n,) whether each item was read right."""
        wrong = np.zeros(self.result.n, bool)
        wrong[[e.index for e in self.result.errors]] = True
        return ~wrong


def read_dataset(
    classifier: Classifier,
    dataset: Dataset,
    steps: Mapping[str, bool] | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> Readings | None:
    """Read a whole data set; `progress(done, total)` after each chunk returns
    False to stop (then None is returned)."""
    chunks = []
    for chunk in read_chunks(classifier, dataset, steps):
        chunks.append(chunk)
        done = chunk.start + len(chunk.labels)
        if progress is not None and progress(done, chunk.total) is False:
            return None
    return Readings.from_chunks(classifier.name, dataset, chunks)


def right_by_one(first: Readings, second: Readings) -> list[Misreading]:
    """The items `first` reads right and `second` wrong, as `second`'s
    misreadings, most confident first. Both must have read the same data."""
    if first.result.n != second.result.n or first.dataset != second.dataset:
        raise ValueError("the two models did not read the same data set")
    wins = set(np.flatnonzero(first.right()).tolist())
    found = [e for e in second.result.errors if e.index in wins]
    return sorted(found, key=lambda e: -e.confidence)


def cache_key(
    model_path: str | os.PathLike, dataset: Dataset, steps: Mapping[str, bool]
) -> tuple:
    """What a reading depends on: the model file (as it is now), the data set
    and the step switches."""
    path = Path(model_path)
    return (str(path), *file_stamp(path), dataset.key(), tuple(sorted(steps.items())))
