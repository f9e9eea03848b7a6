"""The training digits a model thinks this one resembles.

    index = load_or_build(classifier, model_path, mnist_dir, progress)
    index.nearest(classifier, model_input, k=8)   # [Neighbour(index, label, distance)]

Distances are Euclidean in the model's own feature space: what its final
linear layer reads (ours export it as a second output of the one ONNX model,
see `models.engine`), or the input pixels for imported models, whose layers we
cannot name. The 60,000 MNIST training digits go through the model once; the
index is cached under the user's cache folder, keyed by the model file's
content hash, so it is built once per model. A cache that cannot be read is
rebuilt, never an error.

A query first ranks every training digit by its distance in the 64 leading
principal directions of the features (a tenth of the work of the full
distances), then computes full distances for the CANDIDATES nearest there and
returns the k nearest of those. `benchmarks/bench_explain.py` measures how
often this finds the same k as the full search.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.mnist import load_mnist
from ..files import atomic_write, cache_dir, content_hash
from ..models.classifier import Classifier
from ..pipeline.steps import model_values

FORMAT = 2  # bump when what is stored changes
BATCH = 500
DIRECTIONS = 64  # principal directions of the first, coarse ranking
CANDIDATES = 256  # ranked again with full distances
SAMPLE = 4000  # rows the principal directions are computed from


@dataclass(frozen=True)
class Neighbour:
    index: int  # MNIST training index
    label: int
    distance: float

    def to_json(self) -> dict:
        return {"index": self.index, "label": self.label, "distance": self.distance}


class FeatureIndex:
    """Features of the training digits (N, d) and their labels; `images`
    (N, 28, 28 uint8, MNIST's white on black) when loaded with MNIST."""

    def __init__(
        self, features: np.ndarray, labels: np.ndarray, space: str, coarse=None
    ):
        # Held at half precision, as the cache stores them (the default's
        # 60,000 × 2,304 features: 277 MB, not 553); turned to full precision
        # a block of rows at a time when distances are computed.
        self.features = np.ascontiguousarray(features, dtype=np.float16)
        self.labels = np.asarray(labels, dtype=np.int64)
        self.space = space
        self.norms = np.concatenate(
            [np.einsum("ij,ij->i", block, block) for block in _blocks(self.features)]
        )
        self.images: np.ndarray | None = None
        self.coarse = coarse
        big = len(self.features) > CANDIDATES and self.features.shape[1] > DIRECTIONS
        if coarse is None and big:
            self.coarse = _Coarse.of(self.features)

    def __len__(self) -> int:
        return len(self.labels)

    def query(
        self, feature: np.ndarray, k: int = 8, exact: bool = False
    ) -> list[Neighbour]:
        """The k nearest rows to one feature vector, nearest first (`exact`:
        full distances to every row, skipping the coarse ranking)."""
        feature = np.asarray(feature, dtype=np.float32).ravel()
        if k <= 0:
            return []
        if exact or self.coarse is None or k > CANDIDATES:
            rows = np.arange(len(self.labels))
            products = [block @ feature for block in _blocks(self.features)]
            squared = self.norms - 2.0 * np.concatenate(products)
        else:
            rows = self.coarse.candidates(feature, CANDIDATES)
            near = self.features[rows].astype(np.float32)
            squared = self.norms[rows] - 2.0 * (near @ feature)
        squared += feature @ feature
        k = min(k, len(squared))
        near = np.argpartition(squared, k - 1)[:k]
        near = near[np.argsort(squared[near])]
        squared, near = squared[near], rows[near]
        distances = np.sqrt(np.maximum(squared, 0.0))
        return [
            Neighbour(int(i), int(self.labels[i]), float(d))
            for i, d in zip(near, distances, strict=True)
        ]

    def nearest(
        self, classifier: Classifier, model_input: np.ndarray, k: int = 8
    ) -> list[Neighbour]:
        """The k training digits nearest to a 28×28 model input."""
        return self.query(classifier.features(np.asarray(model_input)[None])[0], k)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as tmp, open(tmp, "wb") as f:
            coarse = {} if self.coarse is None else self.coarse.arrays()
            np.savez(f, features=self.features,
                     labels=self.labels.astype(np.uint8), space=self.space,
                     format=FORMAT, **coarse)  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> FeatureIndex:
        """A saved index; ValueError if it is damaged or of another format."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                if int(saved["format"]) != FORMAT:
                    raise ValueError("an index of another format")
                features, labels = saved["features"], saved["labels"]
                space = str(saved["space"])
                coarse = _Coarse.read(saved, len(labels), features.shape[-1])
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path}: not a readable index ({error})") from None
        if features.ndim != 2 or len(features) != len(labels) or not len(labels):
            raise ValueError(f"{path}: the index's arrays do not fit together")
        if not np.isfinite(features).all() or labels.max() > 9:
            raise ValueError(f"{path}: the index holds impossible values")
        return cls(features, labels, space, coarse)


def _blocks(features: np.ndarray, rows: int = 4096):
    """The rows of `features` at full precision, a block at a time."""
    for start in range(0, len(features), rows):
        yield features[start : start + rows].astype(np.float32)


class _Coarse:
    """The features in their leading principal directions, for a first ranking."""

    def __init__(self, mean: np.ndarray, basis: np.ndarray, points: np.ndarray):
        self.mean = np.asarray(mean, np.float32)
        self.basis = np.ascontiguousarray(basis, np.float32)
        self.points = np.ascontiguousarray(points, np.float32)
        self.norms = np.einsum("ij,ij->i", self.points, self.points)

    @classmethod
    def of(cls, features: np.ndarray) -> _Coarse:
        count = min(SAMPLE, len(features))
        rows = np.random.default_rng(0).choice(len(features), count, replace=False)
        sample = features[np.sort(rows)].astype(np.float32)
        mean = sample.mean(axis=0)
        _, _, directions = np.linalg.svd(sample - mean, full_matrices=False)
        basis = directions[:DIRECTIONS].T
        points = [(block - mean) @ basis for block in _blocks(features)]
        return cls(mean, basis, np.concatenate(points))

    def arrays(self) -> dict:
        return {"mean": self.mean, "basis": self.basis, "points": self.points}

    @classmethod
    def read(cls, saved, rows: int, width: int) -> _Coarse | None:
        """The saved coarse arrays if they fit (None: absent, computed anew)."""
        if not {"mean", "basis", "points"} <= set(saved.files):
            return None
        mean, basis, points = saved["mean"], saved["basis"], saved["points"]
        if mean.shape != (width,) or basis.shape[0] != width:
            raise ValueError("its principal directions do not fit its features")
        if points.shape != (rows, basis.shape[1]) or not np.isfinite(points).all():
            raise ValueError("its coarse points do not fit its features")
        return cls(mean, basis, points)

    def candidates(self, feature: np.ndarray, count: int) -> np.ndarray:
        point = (feature - self.mean) @ self.basis
        squared = self.norms - 2.0 * (self.points @ point)
        return np.argpartition(squared, count - 1)[:count]


def training_inputs(classifier: Classifier, images: np.ndarray) -> np.ndarray:
    """MNIST images (uint8) → the model's inputs, as `evaluate_mnist` makes them."""
    steps = classifier.steps()
    return model_values(images.astype(np.float32), steps["scale"], steps["normalize"])


def build_index(
    classifier: Classifier,
    images: np.ndarray,
    labels: np.ndarray,
    progress: Callable[[int, int], None] | None = None,
) -> FeatureIndex:
    """Every image through the model, in batches; `progress(done, total)`."""
    # Halved batch by batch (the precision the index holds), so the whole set
    # is never held at full precision.
    parts = []
    for start in range(0, len(images), BATCH):
        batch = training_inputs(classifier, images[start : start + BATCH])
        parts.append(classifier.features(batch).astype(np.float16))
        if progress is not None:
            progress(min(start + BATCH, len(images)), len(images))
    features = np.concatenate(parts)
    del parts
    return FeatureIndex(features, labels, classifier.feature_space)


def index_path(classifier: Classifier, model_path: str | os.PathLike) -> Path:
    """Where a model's index is cached: by its file's content hash (and the
    values its inputs take, which an imported model's settings decide)."""
    steps = classifier.steps()
    values = f"{int(steps['scale'])}{int(steps['normalize'])}"
    key = f"{content_hash(model_path)[:32]}-{classifier.feature_space}-{values}"
    return cache_dir() / "neighbours" / f"{key}-{FORMAT}.npz"


def load_or_build(
    classifier: Classifier,
    model_path: str | os.PathLike,
    mnist_dir: str | os.PathLike,
    progress: Callable[[int, int], None] | None = None,
) -> FeatureIndex:
    """The model's index, from the cache or built now (and cached), with
    MNIST's training images attached. DataError if MNIST cannot be read."""
    train = load_mnist(mnist_dir).train
    images, labels = train.images.numpy(), train.labels.numpy()
    path = index_path(classifier, model_path)
    try:
        index = FeatureIndex.load(path)
        if len(index) != len(labels) or not (index.labels == labels).all():
            raise ValueError("made from other training digits")
    except (ValueError, FileNotFoundError):
        index = build_index(classifier, images, labels, progress)
        try:
            index.save(path)
        except OSError:
            pass  # a cache that cannot be written is built again next time
    index.images = images
    return index
