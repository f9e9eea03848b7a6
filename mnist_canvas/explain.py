"""Why a model reads a digit: attribution and the nearest training digits.

    python -m mnist_canvas.explain seven.json
    python -m mnist_canvas.explain seven.png --model mlp --neighbours 8
    python -m mnist_canvas.explain input.npy --mnist DIR --json

SOURCE is a drawing (.json), a picture (PNG, JPG, ...) or a model input (.npy,
28×28, as Export Model Input writes it: used as the model's input directly,
without preprocessing). With --json the last line is one JSON object:
{"digit", "probabilities" (10), "input" (28×28), "attribution" (28×28,
positive = evidence for "digit"), "neighbours" ([{"index", "label",
"distance"}], only when MNIST is available: --mnist or $MNIST_CANVAS_DATA)}.

Exit status 0, or 2 with a message for bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from .cli_types import at_least
from .data import DataError, default_mnist_dir
from .diagnosis.explanation import Explanation, explain_input
from .diagnosis.neighbours import load_or_build
from .ink.drawing import DEFAULT_CANVAS, load_drawing
from .ink.pictures import load_picture
from .models.checkpoint_file import CheckpointError
from .models.classifier import Classifier, resolve_model
from .models.engine import ModelError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mnist_canvas.explain",
                                description=__doc__.split("\n")[0])  # fmt: skip
    p.add_argument("source", metavar="SOURCE", help="drawing .json, picture or .npy")
    p.add_argument("--model", default=None,
                   help="model name, checkpoint or imported .onnx path")  # fmt: skip
    p.add_argument("--mnist", metavar="DIR", default=None,
                   help="folder of the MNIST IDX files (default: from "
                   "$MNIST_CANVAS_DATA)")  # fmt: skip
    p.add_argument("--neighbours", metavar="K", type=at_least(0), default=8,
                   help="training digits to list (default: %(default)s)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON object, last line")
    return p


def model_input(classifier: Classifier, path: Path) -> np.ndarray:
    """SOURCE → the model's 28×28 input; ValueError saying what is wrong."""
    if path.suffix.lower() == ".npy":
        try:
            pixels = np.load(path, allow_pickle=False)
        except Exception as error:  # a damaged header fails in many ways
            raise ValueError(f"{path}: not a readable .npy file ({error})") from None
        if pixels.shape != (28, 28) or pixels.dtype.kind not in "biuf":  # real
            raise ValueError(f"{path}: a model input is 28×28 numbers, not "
                             f"{pixels.shape} {pixels.dtype}")  # fmt: skip
        if not np.isfinite(pixels).all():
            raise ValueError(f"{path}: the model input holds NaN or infinity")
        return pixels.astype(np.float32)
    if path.suffix.lower() == ".json":
        source = load_drawing(path)
    else:
        source = load_picture(path, (DEFAULT_CANVAS, DEFAULT_CANVAS))
    prediction = classifier.predict(source)
    if prediction.is_empty:
        raise ValueError(f"{path}: nothing is drawn in it")
    return prediction.preprocessed.input


def _text(found: Explanation, name: str) -> str:
    lines = [f"{name} reads {found.digit} ({found.probabilities[found.digit]:.1%})"]
    flat = np.argsort(found.attribution.ravel())[::-1][:5]
    spots = ", ".join(f"(row {i // 28}, col {i % 28})" for i in flat)
    lines.append(f"strongest evidence at {spots}")
    for n in found.neighbours or []:
        lines.append(
            f"  training digit {n.index}: a {n.label}, distance {n.distance:.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        classifier = Classifier.load(args.model)
        pixels = model_input(classifier, Path(args.source))
        mnist = args.mnist or default_mnist_dir()
        index = None
        if args.neighbours and mnist is not None:
            if args.mnist or Path(mnist).is_dir():
                index = load_or_build(classifier, resolve_model(args.model), mnist)
        found = explain_input(classifier, pixels, index, args.neighbours)
    except (DataError, CheckpointError, ModelError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(found.to_json()) if args.json else _text(found, classifier.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
