"""The training digits a model thinks this one resembles.

    index = load_or_build(classifier, model_path, mnist_dir, progress, partial)
    index.nearest(classifier, model_input, k=8)   # [Neighbour(index, label, distance)]
    index.complete                                # False while it still grows

Distances are Euclidean in the model's own feature space: what its final
linear layer reads (ours export it as a second output of the one ONNX model,
see `models.engine`), or the input pixels for imported models, whose layers we
cannot name, projected on their DIMENSIONS leading principal directions (the
default's 2,304 features: 60,000 × 128 at half precision is 15 MB on disk,
where all of them took 277 MB, for the same neighbour agreement, measured by
`benchmarks/bench_explain.py --choices`).

The 60,000 MNIST training digits go through the model once, in a fixed
shuffled order, so that any first part of them is a fair sample: the index is
usable after the first FIRST digits (`partial` is given each index as it
grows, every STEP digits) and complete after all of them. The complete index
is cached under the user's cache folder, keyed by the model file's content
hash, so it is built once per model. A cache that cannot be read is rebuilt,
never an error.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..data.mnist import load_mnist
from ..files import atomic_write, cache_dir, content_hash
from ..models.classifier import Classifier
from ..pipeline.steps import model_values

FORMAT = 3  # bump when what is stored changes
BATCH = 500
DIMENSIONS = 128  # principal directions kept
FIRST = 3000  # training digits in the first, partial index
STEP = 6000  # training digits between two partial indexes
SEED = 0  # the shuffled order of the training digits
SAMPLE = 1500  # of the first digits, whose features give the principal directions


@dataclass(frozen=True)
class Neighbour:
    index: int  # MNIST training index
    label: int
    distance: float

    def to_json(self) -> dict:
        return {"index": self.index, "label": self.label, "distance": self.distance}


class Projection:
    """Features → their coordinates on a few principal directions (the
    directions of a sample of the training digits' features)."""

    def __init__(self, mean: np.ndarray, basis: np.ndarray):
        self.mean = np.asarray(mean, np.float32)
        self.basis = np.ascontiguousarray(basis, np.float32)  # (d, DIMENSIONS)

    @classmethod
    def of(cls, sample: np.ndarray, dimensions: int = DIMENSIONS) -> Projection:
        """The leading principal directions of a sample (N, d), found in a
        random subspace a little wider than them, refined once (randomised
        SVD): products of big matrices and eigenproblems of small ones only,
        where LAPACK's SVD of the whole sample took minutes on a busy 2-core
        machine (seconds when quiet)."""
        sample = np.asarray(sample, np.float32)
        mean = sample.mean(axis=0)
        centred = sample - mean
        width = min(dimensions + 32, *centred.shape)
        rng = np.random.default_rng(SEED)
        span = centred @ rng.standard_normal((centred.shape[1], width), np.float32)
        span = _orthonormal(centred @ (centred.T @ _orthonormal(span)))
        rows = (span.T @ centred).astype(np.float64)  # (width, d)
        values, vectors = np.linalg.eigh(rows @ rows.T)  # ascending
        keep = np.argsort(values)[::-1][:dimensions]
        scale = np.sqrt(np.maximum(values[keep], 1e-12))
        directions = (rows.T @ vectors[:, keep]) / scale  # (d, dimensions)
        return cls(mean, directions)

    def __call__(self, features: np.ndarray) -> np.ndarray:
        return (np.asarray(features, np.float32) - self.mean) @ self.basis


def _orthonormal(columns: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the span of a tall matrix's columns."""
    return np.linalg.qr(columns)[0]


class FeatureIndex:
    """Points of training digits (N, d) — their features projected on the
    principal directions (`projection`; None: the features as they are) —
    with their labels and MNIST training indices (`ids`; default 0…N-1).
    `total`: the rows the complete index has (more than N while it grows).
    `images` (all 60,000 × 28 × 28 uint8, MNIST's white on black) when
    loaded with MNIST."""

    def __init__(
        self, points: np.ndarray, labels: np.ndarray, space: str,
        projection: Projection | None = None, ids: np.ndarray | None = None,
        total: int | None = None, norms: np.ndarray | None = None,
    ):  # fmt: skip
        # Held at the precision the cache stores (half), computed in full.
        points = np.asarray(points)
        if points.dtype != np.float32 or norms is None:
            points = points.astype(np.float16).astype(np.float32)
        self.points = points
        self.labels = np.asarray(labels, dtype=np.int64)
        self.space, self.projection = space, projection
        self.ids = np.arange(len(self.labels)) if ids is None else np.asarray(ids)
        self.total = len(self.labels) if total is None else total
        if norms is None:
            norms = np.einsum("ij,ij->i", self.points, self.points)
        self.norms = norms
        self.images: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def complete(self) -> bool:
        return len(self) >= self.total

    def query(self, feature: np.ndarray, k: int = 8) -> list[Neighbour]:
        """The k nearest rows to one feature vector, nearest first."""
        feature = np.asarray(feature, dtype=np.float32).ravel()
        if k <= 0 or not len(self):
            return []
        point = feature if self.projection is None else self.projection(feature)
        squared = self.norms - 2.0 * (self.points @ point) + point @ point
        k = min(k, len(squared))
        near = np.argpartition(squared, k - 1)[:k]
        near = near[np.argsort(squared[near])]
        distances = np.sqrt(np.maximum(squared[near], 0.0))
        return [
            Neighbour(int(self.ids[i]), int(self.labels[i]), float(d))
            for i, d in zip(near, distances, strict=True)
        ]

    def nearest(
        self, classifier: Classifier, model_input: np.ndarray, k: int = 8
    ) -> list[Neighbour]:
        """The k training digits nearest to a 28×28 model input."""
        return self.query(classifier.features(np.asarray(model_input)[None])[0], k)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        projection = (
            {}
            if self.projection is None
            else {"mean": self.projection.mean, "basis": self.projection.basis}
        )
        with atomic_write(path) as tmp, open(tmp, "wb") as f:
            np.savez(f, points=self.points.astype(np.float16),
                     labels=self.labels.astype(np.uint8),
                     ids=self.ids.astype(np.int32), space=self.space,
                     format=FORMAT, **projection)  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> FeatureIndex:
        """A saved index; ValueError if it is damaged or of another format."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                if int(saved["format"]) != FORMAT:
                    raise ValueError("an index of another format")
                points, labels = saved["points"], saved["labels"]
                ids, space = saved["ids"], str(saved["space"])
                projection = None
                if "basis" in saved.files:
                    projection = Projection(saved["mean"], saved["basis"])
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise ValueError(f"{path}: not a readable index ({error})") from None
        if (
            points.ndim != 2
            or not len(labels)
            or not (len(points) == len(labels) == len(ids))
        ):
            raise ValueError(f"{path}: the index's arrays do not fit together")
        if projection is not None and (
            projection.basis.shape[1] != points.shape[1]
            or projection.mean.shape != projection.basis.shape[:1]
            or not np.isfinite(projection.basis).all()
        ):
            raise ValueError(f"{path}: its directions do not fit its points")
        if not np.isfinite(points).all() or labels.max() > 9 or ids.min() < 0:
            raise ValueError(f"{path}: the index holds impossible values")
        return cls(points, labels, space, projection, ids)


def training_inputs(classifier: Classifier, images: np.ndarray) -> np.ndarray:
    """MNIST images (uint8) → the model's inputs, as `evaluate_mnist` makes them."""
    steps = classifier.steps()
    return model_values(images.astype(np.float32), steps["scale"], steps["normalize"])


def training_order(count: int) -> np.ndarray:
    """The fixed shuffled order the training digits are read in."""
    return np.random.default_rng(SEED).permutation(count)


def grow_index(
    classifier: Classifier,
    images: np.ndarray,
    labels: np.ndarray,
    progress: Callable[[int, int], None] | None = None,
    first: int | None = None,
    step: int | None = None,
    reader: Classifier | None = None,
) -> Iterator[FeatureIndex]:
    """The index as it grows: over the first `first` training digits (in
    `training_order`), then every `step` more; the last one is complete.
    (FIRST and STEP when not given). `progress(done, total)` after each
    batch. The first digits are read by
    `reader` when given (e.g. the model with more threads), the rest by
    `classifier`."""
    total = len(images)
    order = training_order(total)
    first = min(FIRST if first is None else first, total)
    step = STEP if step is None else step

    def features(rows: np.ndarray, model: Classifier) -> np.ndarray:
        inputs = training_inputs(classifier, images[rows])
        return model.features(inputs)

    head = []
    for start in range(0, first, BATCH):
        head.append(
            features(order[start : min(start + BATCH, first)], reader or classifier)
        )
        if progress is not None:
            progress(min(start + BATCH, first), total)
    head = np.concatenate(head)
    projection = None
    if head.shape[1] > DIMENSIONS and len(head) > DIMENSIONS:
        projection = Projection.of(head[:SAMPLE])
    project = (lambda f: f) if projection is None else projection
    points = np.empty((total, project(head[:1]).shape[1]), np.float32)
    norms = np.empty(total, np.float32)
    ordered = np.asarray(labels)[order]

    def put(start: int, found: np.ndarray) -> None:
        rows = project(found).astype(np.float16).astype(np.float32)
        points[start : start + len(rows)] = rows
        norms[start : start + len(rows)] = np.einsum("ij,ij->i", rows, rows)

    def index(done: int) -> FeatureIndex:
        return FeatureIndex(points[:done], ordered[:done], classifier.feature_space,
                            projection, order[:done], total, norms[:done])  # fmt: skip

    put(0, head)
    del head
    yield index(first)
    shown = start = first
    while start < total:
        end = min(start + BATCH, shown + step, total)
        put(start, features(order[start:end], classifier))
        if progress is not None:
            progress(end, total)
        if end == total or end == shown + step:
            shown = end
            yield index(end)
        start = end


def build_index(
    classifier: Classifier,
    images: np.ndarray,
    labels: np.ndarray,
    progress: Callable[[int, int], None] | None = None,
) -> FeatureIndex:
    """Every image through the model, in batches; `progress(done, total)`."""
    *_, index = grow_index(classifier, images, labels, progress)
    return index


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
    partial: Callable[[FeatureIndex], None] | None = None,
    reader: Classifier | None = None,
) -> FeatureIndex:
    """The model's complete index, from the cache or built now (and cached),
    with MNIST's training images attached; while it is built, `partial` is
    given each incomplete index (images attached too). DataError if MNIST
    cannot be read."""
    train = load_mnist(mnist_dir).train
    images, labels = train.images.numpy(), train.labels.numpy()
    path = index_path(classifier, model_path)
    try:
        index = FeatureIndex.load(path)
        if len(index) != len(labels) or index.ids.max() >= len(labels):
            raise ValueError("made from other training digits")
        if not (index.labels == labels[index.ids]).all():
            raise ValueError("made from other training digits")
    except (ValueError, FileNotFoundError):
        for index in grow_index(classifier, images, labels, progress, reader=reader):
            index.images = images
            if partial is not None and not index.complete:
                partial(index)
        try:
            index.save(path)
        except OSError:
            pass  # a cache that cannot be written is built again next time
    index.images = images
    return index
