"""Train the SVM baseline (needs the `svm` extra): scikit-learn's RBF `SVC`,
exported to ONNX for the engine; no pickle is written or read.

    mnist-canvas-svm --tune                  # compare candidates on validation
    mnist-canvas-svm --train-size 10000 --scaler unit --C 10 --gamma 0.03 \\
        --out weights/svm.onnx               # or python -m mnist_canvas.train_svm

`--tune` fits each candidate (scaler, C, gamma) on `--tune-size` training
images and prints its accuracy on a validation split carved from MNIST's
training set (the test set never chooses anything).

Exit status: 0 done, 2 bad arguments or data, 3 an existing --out was kept.
"""

from __future__ import annotations

import argparse
import sys

from .cli_types import at_least, positive
from .data import DataError, default_mnist_dir
from .data.mnist import load_mnist
from .training.svm import SCALERS, train, tune


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mnist-canvas-svm",
                                description=__doc__.split("\n")[0])  # fmt: skip
    add = p.add_argument
    # fmt: off
    add("--tune", action="store_true",
        help="measure the candidates on a validation split and stop")
    add("--tune-size", type=at_least(10), default=5000,
        help="training images per candidate when tuning (default: %(default)s)")
    add("--val-size", type=at_least(10), default=2000,
        help="validation images when tuning (default: %(default)s)")
    add("--train-size", type=at_least(10), default=10000,
        help="training images (default: %(default)s)")
    add("--scaler", choices=list(SCALERS), default="unit",
        help="; ".join(f"{k}: {v}" for k, v in SCALERS.items()))
    add("--C", type=positive, default=10.0, help="default: %(default)s")
    add("--gamma", type=positive, default=0.03, help="default: %(default)s")
    add("--description", default="Support-vector machine (RBF kernel)",
        help="one line for the model list and About")
    add("--data-dir", default=None,
        help="folder with the four MNIST IDX files (default: $MNIST_CANVAS_DATA/mnist)")
    add("--out", default=None, help="where to write the model (.onnx)")
    add("--overwrite", action="store_true", help="replace an existing --out file")
    # fmt: on
    return p


def run(argv: list[str]) -> int:
    p = parser()
    args = p.parse_args(argv)
    if not args.tune and (args.out is None or not args.out.endswith(".onnx")):
        p.error("--out FILE.onnx is needed (or --tune)")
    try:
        data = load_mnist(args.data_dir or default_mnist_dir())
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.tune:
        tune(data, args.tune_size, args.val_size)
        return 0
    return train(args, argv, data)


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
