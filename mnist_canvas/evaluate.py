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
Then every digit goes through `predict_many`, the app's own path, batched.

Exit status 0, or 2 with a message naming the file (and line) for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys

from .cli_types import positive_up_to, threads
from .data import DataError
from .data.strokes import parse_fold
from .diagnosis.accuracy import Result, evaluate_mnist, evaluate_strokes
from .ink.drawing import MAX_BRUSH
from .ink.placement import PLACES
from .models.checkpoint_file import CheckpointError
from .models.classifier import Classifier
from .models.engine import ModelError
from .pipeline.steps import STEP_NAMES, switches


def _table(result: Result, title: str) -> str:
    lines = [title, f"n = {result.n}, accuracy = {result.accuracy:.4f}", ""]
    lines.append("true\\pred " + " ".join(f"{d:>5}" for d in range(10)) + "  recall")
    for d, row in enumerate(result.confusion):
        recall = result.per_class[d]
        recall_text = f"{recall:.4f}" if recall is not None else "   -  "
        lines.append(f"{d:>9} " + " ".join(f"{v:>5}" for v in row) + f"  {recall_text}")
    return "\n".join(lines)


def _fold(text: str) -> tuple[int, int]:
    try:
        return parse_fold(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mnist_canvas.evaluate",
                                description=__doc__.split("\n")[0])  # fmt: skip
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--mnist", metavar="DIR", help="folder of the MNIST IDX files")
    source.add_argument("--strokes", metavar="FILE", help=".jsonl or .jsonl.gz")
    p.add_argument("--model", default=None,
                   help="model name, checkpoint or imported .onnx path")  # fmt: skip
    p.add_argument("--steps", default="", help="steps to switch off, comma-separated: "
                   + ", ".join(STEP_NAMES))  # fmt: skip
    p.add_argument(
        "--steps-on",
        default="",
        help="optional steps to switch on, comma-separated (e.g. pen)",
    )
    p.add_argument("--place", choices=PLACES, default="default")
    p.add_argument("--seed", type=int, default=0, help="for --place random")
    p.add_argument("--brush", type=positive_up_to(MAX_BRUSH), default=None,
                   help="brush width in px")  # fmt: skip
    p.add_argument("--writers", type=_fold, default=None, metavar="K/N",
                   help="with --strokes: only the people of writer fold K of N "
                   "(the folds train.py --pen-fold holds out)")  # fmt: skip
    p.add_argument("--threads", type=threads, default=2,
                   help="inference threads (default: %(default)s)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON object, last line")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        off = [s.strip() for s in args.steps.split(",") if s.strip()]
        on = [s.strip() for s in args.steps_on.split(",") if s.strip()]
        switches(off + on)  # names checked here, with the list of valid ones
        steps = {**dict.fromkeys(on, True), **dict.fromkeys(off, False)}
        classifier = Classifier.load(args.model, threads=args.threads)
        if args.mnist:
            result, source = evaluate_mnist(classifier, args.mnist, steps), args.mnist
        else:
            result = evaluate_strokes(
                classifier,
                args.strokes,
                steps,
                args.place,
                args.seed,
                args.brush,
                args.writers,
            )
            source = args.strokes
    except (DataError, CheckpointError, ModelError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({
            "n": result.n, "accuracy": result.accuracy, "per_class": result.per_class,
            "confusion": result.confusion, "model": classifier.name,
            "steps": classifier.steps(steps), "source": source, "place": args.place,
            "seed": args.seed, "brush": args.brush,
            "writers": None if args.writers is None else "{}/{}".format(*args.writers),
            "errors": [error.to_json() for error in result.errors],
        }))  # fmt: skip
    else:
        print(_table(result, f"{classifier.name} on {source}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
