"""How soon Why shows the nearest training digits on a fresh install, how big
a model's neighbour index is, and what each way of making it small and quick
costs in neighbour agreement.

    python benchmarks/bench_neighbours.py              # a table
    python benchmarks/bench_neighbours.py --json       # figures as JSON, last line
    python benchmarks/bench_neighbours.py --choices    # + agreement of each choice
    python benchmarks/bench_neighbours.py --model cnn-bn

As a fresh install would (an empty cache folder of its own, so MNIST is
decompressed and every cache made again), as the app's Why view does: the
model loaded, its index built with the first digits read by the batch
session (two threads), the rest at low priority; times from the start to
the first answer (the nearest 8 of one pen digit) and to the complete index
on disk. Agreement, on the pen digits the model reads correctly: the share
of the 8 nearest training digits labelled with the digit read (the first,
partial index's and the complete one's). `--choices` also reads all 60,000
training digits' full features (a minute or more) and gives, for each number
of principal directions and of training digits, the agreement and the share
of the 8 found that a search on all the features finds too.
Needs $MNIST_CANVAS_DATA (mnist/ and pen-digits/).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np


def agreement(found: list[list[int]], labels: np.ndarray) -> float:
    """The share of the neighbours (label lists) labelled as each row's digit."""
    shares = [np.mean(np.equal(f, d)) for f, d in zip(found, labels, strict=True)]
    return round(float(np.mean(shares)), 4)


def pen_inputs(classifier, limit: int = 400):
    """Model inputs of pen digits the model reads correctly, and their labels."""
    import random

    from mnist_canvas.data import default_pen_digits
    from mnist_canvas.data.strokes import read_strokes
    from mnist_canvas.ink.placement import place

    records = list(read_strokes(default_pen_digits()))
    random.Random(0).shuffle(records)
    inputs, labels = [], []
    for record in records[:limit]:
        prediction = classifier.predict(place(record))
        if prediction.digit == record.label:
            inputs.append(prediction.preprocessed.input)
            labels.append(record.label)
    return np.stack(inputs), np.array(labels)


def fresh_build(model: str | None) -> tuple[dict, list]:
    """Figures of one build in an empty cache, and the indexes it made."""
    from mnist_canvas.data import default_mnist_dir
    from mnist_canvas.diagnosis.neighbours import index_path, load_or_build
    from mnist_canvas.models.classifier import Classifier, resolve_model
    from mnist_canvas.models.engine import lower_thread_priority

    start = time.perf_counter()
    classifier = Classifier.load(model)
    loaded = time.perf_counter() - start
    query = np.zeros((28, 28), np.float32)  # answered once the first index is
    indexes, times = [], []

    def partial(index):
        if not indexes:
            index.nearest(classifier, query, 8)
            times.append(time.perf_counter() - start)
            lower_thread_priority()
        indexes.append(index)

    index = load_or_build(
        classifier, resolve_model(model), default_mnist_dir(), None, partial,
        reader=classifier.for_batches(),
    )  # fmt: skip
    complete = time.perf_counter() - start
    path = index_path(classifier, resolve_model(model))
    figures = {
        "model": classifier.name,
        "model_loaded_s": round(loaded, 2),
        "first_answer_s": round(times[0], 2) if times else None,
        "first_index_digits": len(indexes[0]) if indexes else len(index),
        "complete_index_s": round(complete, 2),
        "index_on_disk_mb": round(path.stat().st_size / 1e6, 1),
        "index_dimensions": int(index.points.shape[1]),
    }
    return figures, [classifier, *indexes[:1], index]


def choices(classifier, index, inputs, labels) -> list[dict]:
    """Agreement and overlap with the all-features search, per choice."""
    from mnist_canvas.diagnosis.neighbours import (
        Projection,
        training_inputs,
        training_order,
    )

    images = index.images
    reader = classifier.for_batches()
    every = np.concatenate([
        reader.features(training_inputs(classifier, images[s : s + 1000]))
        .astype(np.float16).astype(np.float32)
        for s in range(0, len(images), 1000)
    ])  # fmt: skip
    train_labels = np.empty(len(images), np.int64)
    train_labels[index.ids] = index.labels
    queries = classifier.features(inputs)

    def nearest(points, rows, targets):
        squared = (points * points).sum(1)[None] - 2 * targets @ points.T
        return rows[np.argsort(squared, axis=1)[:, :8]]

    every_rows = np.arange(len(every))
    full = nearest(every, every_rows, queries)
    found = [{"digits": len(every), "dimensions": "all",
              "agreement": agreement(train_labels[full], labels),
              "same_as_all_features": 1.0,
              "mb_at_half_precision": round(every.nbytes / 2 / 1e6, 1)}]  # fmt: skip
    order = training_order(len(images))
    for digits in (3000, 6000, 60000):
        rows = order[:digits]
        for dimensions in (32, 64, 128, 256):
            projection = Projection.of(every[order[:3000]], dimensions)
            points = projection(every[rows]).astype(np.float16).astype(np.float32)
            near = nearest(points, rows, projection(queries))
            pairs = zip(near, full, strict=True)
            overlap = np.mean([len(set(a) & set(b)) / 8 for a, b in pairs])
            found.append({
                "digits": digits, "dimensions": dimensions,
                "agreement": agreement(train_labels[near], labels),
                "same_as_all_features": round(float(overlap), 3),
                "mb_at_half_precision": round(points.nbytes / 2 / 1e6, 1),
            })  # fmt: skip
    return found


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default=None, help="default: the app's default")
    p.add_argument("--choices", action="store_true", help="agreement per choice")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["XDG_CACHE_HOME"] = cache  # a fresh install's empty cache
        figures, (classifier, *indexes) = fresh_build(args.model)
        inputs, labels = pen_inputs(classifier)
        first, index = indexes[0], indexes[-1]
        for name, each in (("first_index", first), ("complete_index", index)):
            found = [[n.label for n in each.nearest(classifier, x, 8)] for x in inputs]
            figures[f"agreement_{name}"] = agreement(found, labels)
        figures["pen_digits_read_right"] = len(labels)
        if args.choices:
            figures["choices"] = choices(classifier, index, inputs, labels)
    for key, value in figures.items():
        if key != "choices":
            print(f"{key:>28}: {value}")
    for row in figures.get("choices", []):
        print("  {digits:>6} digits, {dimensions:>4} directions: agreement "
              "{agreement:.4f}, same as all features {same_as_all_features:.3f}, "
              "{mb_at_half_precision} MB".format(**row))  # fmt: skip
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
