"""Import a digit model: find its input convention, keep it with ours.

    python -m mnist_canvas.import_model model.onnx
    python -m mnist_canvas.import_model cnn.keras --name keras-cnn --mnist DIR --json

FILE is ONNX (weights inside or in external data beside it), Keras (.keras or
.h5, needs the keras extra) or TorchScript (torch.jit.save); Keras and
TorchScript are converted to ONNX once, in a child process. Detects the
convention on MNIST test images (from --mnist, or $MNIST_CANVAS_DATA/mnist;
without either nothing is measured and the convention is assumed), ranked by
the likelihood of the true digits, prints the table of candidates, saves the
self-contained ONNX model and its sidecar into the user's models folder
($XDG_DATA_HOME/mnist-canvas/mnist-canvas/models on Linux) and prints where.
With --json the last line is one JSON object: name, path, convention,
accuracy, candidates (each with accuracy and nll), format and close_call.
Exit status 0, or 2 with a message (nothing saved).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .data import DataError, default_mnist_dir
from .diagnosis.examine import DEFAULT_IMAGES, candidates_table, examine
from .files import user_models_dir
from .models.convention import Convention, ConventionError
from .models.imported import check_name, check_source, metadata_for, save_imported
from .models.onnx_file import Refused
from .models.registry import REGISTRY


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m mnist_canvas.import_model",
                                description=__doc__.split("\n")[0])  # fmt: skip
    p.add_argument("file", metavar="FILE", help="ONNX, Keras (.keras, .h5) or "
                   "TorchScript (.pt) model")  # fmt: skip
    p.add_argument("--name", help="the model's name (default: the file's name)")
    p.add_argument("--mnist", metavar="DIR", help="folder of the MNIST IDX files "
                   "(default: $MNIST_CANVAS_DATA/mnist)")  # fmt: skip
    p.add_argument(
        "--images",
        type=int,
        default=DEFAULT_IMAGES,
        help=f"MNIST test images to try (default {DEFAULT_IMAGES})",
    )
    p.add_argument("--convention", metavar="LAYOUT,RANGE,POLARITY",
                   help="use this convention instead of the detected one, "
                   "e.g. nhwc,0-255,black-on-white")  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON object, last line")
    return p


def _override(text: str | None) -> Convention | None:
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 3:
        raise ConventionError(f"--convention needs LAYOUT,RANGE,POLARITY, not {text!r}")
    return Convention(*parts)


def _summary(name: str, path: Path, metadata: dict) -> dict:
    convention = metadata["convention"]
    return {
        "name": name,
        "path": str(path),
        "convention": {k: convention[k] for k in ("layout", "range", "polarity")},
        "accuracy": metadata["metrics"].get("mnist_test_accuracy"),
        "candidates": metadata["candidates"],
        "format": metadata["format"],
        "close_call": metadata["close_call"],
    }


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    folder = user_models_dir()
    mnist = args.mnist or default_mnist_dir()
    try:
        replaces = check_source(args.file, folder)
        name = args.name or replaces or Path(args.file).stem
        check_name(name, folder, tuple(REGISTRY), replaces)
        override = _override(args.convention)
        if args.images < 1:
            raise ValueError(f"--images must be at least 1, not {args.images}")
        model, found = examine(args.file, mnist, args.images)
        if override is not None and override.layout not in model.layouts:
            raise ConventionError(
                f"--convention: its input allows {', '.join(model.layouts)}, "
                f"not {override.layout}"
            )
        metadata = metadata_for(model, found, override)
        path = save_imported(model, metadata, name, folder)
    except (Refused, DataError, ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if model.format != "onnx":
        print(f"Converted from {model.format} to ONNX.")
    print(candidates_table(found))
    if not found.measured:
        print("The convention is assumed, not measured: import the same file "
              "again with --mnist DIR (or MNIST_CANVAS_DATA set) to measure it; "
              "that import replaces this one.")  # fmt: skip
    if override is not None:
        print(f"Used instead, as asked: it {override.describe()}.")
    print(f"Saved {name} to {path}")
    if args.json:
        print(json.dumps(_summary(name, path, metadata)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
