"""Accuracy on MNIST's test set or on pen-drawn digits, through the app's path.

    python -m mnist_canvas.evaluate --mnist ../shared/data/mnist
    python -m mnist_canvas.evaluate --strokes pen-digits/unipen1a-dev.jsonl.gz
    python -m mnist_canvas.evaluate --strokes FILE --place random --seed 1 --brush 28
    python -m mnist_canvas.evaluate --strokes FILE --steps center,antialias --json

A stroke record with "canvas" is drawn on a canvas of that size in its own pixel
coordinates (with the app's default brush unless it has "brush"). A record
without "canvas" is placed as a person would draw it on the app's default
280×280 canvas: bounding box centred, about 60 % of the canvas tall
(`--place random`: 25–90 % tall at a random position, reproducible by --seed).
Then every digit goes through `Classifier.predict`, the app's own code path.

Exit status 0, or 2 with a message naming the file (and line) for bad input.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from dataclasses import dataclass

import numpy as np

from .checkpoint import CheckpointError
from .classifier import Classifier
from .data import (
    DataError,
    LabelledDrawing,
    default_pen_digits,
    load_mnist,
    read_strokes,
)
from .drawing import DEFAULT_BRUSH, DEFAULT_CANVAS, Drawing, Stroke
from .preprocess import STEP_NAMES, Image, _normalize, _scale, preprocess, switches

PLACES = ("default", "random")
DEFAULT_HEIGHT = 0.6
RANDOM_HEIGHT = (0.25, 0.90)
MARGIN = 0.05  # the digit keeps this fraction of the canvas from each edge


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


def place(
    record: LabelledDrawing, how: str = "default", rng: random.Random | None = None,
    brush: float | None = None,
) -> Drawing:  # fmt: skip
    """A stroke record as drawn on the app's default canvas (see module doc)."""
    brush = brush or record.brush or DEFAULT_BRUSH
    if record.drawing is not None and how == "default":
        return record.drawing
    points = [p for s in record.strokes for p in s]
    if not points:
        return Drawing()
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
    side = DEFAULT_CANVAS
    fraction = DEFAULT_HEIGHT if how == "default" else rng.uniform(*RANDOM_HEIGHT)
    usable = side * (1 - 2 * MARGIN)
    height = max(bottom - top, 1e-9)
    scale = min(fraction * side / height, usable / max(right - left, 1e-9))
    width_px, height_px = (right - left) * scale, (bottom - top) * scale
    if how == "default":
        x0, y0 = (side - width_px) / 2, (side - height_px) / 2
    else:
        lo = side * MARGIN
        x0 = rng.uniform(lo, max(lo, side - lo - width_px))
        y0 = rng.uniform(lo, max(lo, side - lo - height_px))
    strokes = tuple(
        Stroke.from_points(
            [((x - left) * scale + x0, (y - top) * scale + y0) for x, y in s], brush
        )
        for s in record.strokes
    )
    return Drawing(side, side, strokes)


def sample_drawings(count: int) -> tuple[list[Drawing], str]:
    """`count` realistic drawings on the default canvas, and where they came
    from: pen digits from $MNIST_CANVAS_DATA when present, else generated loops."""
    path = default_pen_digits()
    if path is not None and path.is_file():
        records = itertools.islice(read_strokes(path), count)
        return [place(r) for r in records], str(path)
    loops = []
    for i in range(count):
        n = 60 + i % 60
        t = np.linspace(0, 2 * np.pi, n)
        xs, ys = 140 + 60 * np.cos(t) + 20 * np.sin(3 * t), 140 + 90 * np.sin(t)
        loops.append(Drawing(strokes=(Stroke.from_points(zip(xs, ys, strict=True)),)))
    return loops, "generated"


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
    image = Image(test.images.numpy().astype(np.float32), 0.0)
    image = _normalize(_scale(image, switched["scale"]), switched["normalize"])
    predicted = _predict_batched(classifier, image.pixels)
    return Result.from_labels(test.labels.numpy(), predicted)


def _table(result: Result, title: str) -> str:
    lines = [title, f"n = {result.n}, accuracy = {result.accuracy:.4f}", ""]
    lines.append("true\\pred " + " ".join(f"{d:>5}" for d in range(10)) + "  recall")
    for d, row in enumerate(result.confusion):
        recall = result.per_class[d]
        recall_text = f"{recall:.4f}" if recall is not None else "   -  "
        lines.append(f"{d:>9} " + " ".join(f"{v:>5}" for v in row) + f"  {recall_text}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mnist_canvas.evaluate",
                                description=__doc__.split("\n")[0])  # fmt: skip
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--mnist", metavar="DIR", help="folder of the MNIST IDX files")
    source.add_argument("--strokes", metavar="FILE", help=".jsonl or .jsonl.gz")
    p.add_argument("--model", default=None, help="shipped name or checkpoint path")
    p.add_argument("--steps", default="", help="steps to switch off, comma-separated: "
                   + ", ".join(STEP_NAMES))  # fmt: skip
    p.add_argument(
        "--steps-on",
        default="",
        help="optional steps to switch on, comma-separated (e.g. pen)",
    )
    p.add_argument("--place", choices=PLACES, default="default")
    p.add_argument("--seed", type=int, default=0, help="for --place random")
    p.add_argument("--brush", type=float, default=None, help="brush width in px")
    p.add_argument("--threads", type=int, default=2, help="torch threads")
    p.add_argument("--json", action="store_true", help="one JSON object, last line")
    return p


def main(argv: list[str] | None = None) -> int:
    import torch

    args = _parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    try:
        off = [s.strip() for s in args.steps.split(",") if s.strip()]
        on = [s.strip() for s in args.steps_on.split(",") if s.strip()]
        switches(off + on)  # names checked here, with the list of valid ones
        steps = {**dict.fromkeys(on, True), **dict.fromkeys(off, False)}
        if args.brush is not None and args.brush <= 0:
            raise ValueError(f"--brush must be greater than zero, not {args.brush}")
        classifier = Classifier.load(args.model)
        if args.mnist:
            result, source = evaluate_mnist(classifier, args.mnist, steps), args.mnist
        else:
            result = evaluate_strokes(
                classifier, args.strokes, steps, args.place, args.seed, args.brush
            )
            source = args.strokes
    except (DataError, CheckpointError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({
            "n": result.n, "accuracy": result.accuracy, "per_class": result.per_class,
            "confusion": result.confusion, "model": classifier.name,
            "steps": classifier.steps(steps), "source": source, "place": args.place,
            "seed": args.seed, "brush": args.brush,
        }))  # fmt: skip
    else:
        print(_table(result, f"{classifier.name} on {source}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
