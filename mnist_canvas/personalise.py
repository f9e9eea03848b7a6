"""Teach a model one person's handwriting: fine-tune it on their digits.

    python -m mnist_canvas.personalise --digits my-digits.jsonl \\
        --out my-model.safetensors --json

Fine-tunes the model (`--model`: a shipped name or a checkpoint path; the
app's default model when not given) on every digit of
the stroke file, with MNIST replayed alongside (`--mnist`, default
$MNIST_CANVAS_DATA/mnist; without MNIST it learns from the digits alone and
says so), and writes a checkpoint that `--model PATH` accepts everywhere. Its
metadata records the parent model, the recipe, the digits it learned from
(`learned_from`: each one's `data.strokes.fingerprint`) and the MNIST test
accuracy after. With --json the last line is
{"path": str, "seconds": float, "digits": int, "mnist_test": float | null}.

Exit status 0, or 2 with a message for bad input (a missing or damaged file,
a model that cannot be fine-tuned, a file that cannot be written).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

from . import __version__
from .cli_types import at_least, positive, threads
from .data import DataError, default_mnist_dir
from .data.strokes import fingerprint, read_strokes
from .models.checkpoint_file import (
    SUFFIX,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)
from .models.classifier import resolve_model, shipped_weights_dir
from .models.engine import onnx_for_checkpoint
from .models.registry import DEFAULT_MODEL
from .training.fine_tune import (
    STEPS_MAX,
    STEPS_MIN,
    STEPS_PER_DIGIT,
    Recipe,
    parent_unscaled,
    teach,
)


def _parser() -> argparse.ArgumentParser:
    d = Recipe()
    p = argparse.ArgumentParser(
        prog="python -m mnist_canvas.personalise",
        description="Fine-tune a model on one person's labelled digits.",
    )
    add = p.add_argument
    # fmt: off
    add("--model", default=DEFAULT_MODEL, metavar="NAME_OR_PATH",
        help="the model to start from: a shipped name or a .safetensors path "
             "(default: the app's default model, %(default)s)")
    add("--digits", required=True, metavar="FILE",
        help="the person's digits: a stroke file (.jsonl or .jsonl.gz)")
    add("--out", required=True, help="where to write the new checkpoint")
    add("--overwrite", action="store_true", help="replace an existing --out file")
    add("--mnist", default=None, metavar="DIR",
        help="MNIST folder to replay and test on (default: $MNIST_CANVAS_DATA/mnist)")
    add("--steps", type=at_least(1), default=d.steps,
        help=f"default: {STEPS_PER_DIGIT} per digit, {STEPS_MIN} to {STEPS_MAX}")
    add("--lr", type=positive, default=d.lr, help="default: %(default)s")
    add("--seed", type=int, default=d.seed, help="default: %(default)s")
    add("--threads", type=threads, default=d.threads,
        help="torch threads (default: %(default)s)")
    add("--background", action="store_true",
        help="run at a low CPU priority, so an interactive program stays quick")
    add("--json", action="store_true", help="one JSON object, last line")
    # fmt: on
    return p


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _parent(name: str):
    path = resolve_model(name)
    if path.suffix == ".onnx":
        raise ValueError(
            f"{path.stem}: an ONNX model (the SVM, or one you imported) has no "
            "weights to fine-tune here; only models trained here (.safetensors "
            "checkpoints) can be personalised"
        )
    if not path.is_file():
        raise ValueError(f"{path}: no such model file")
    model, metadata = load_checkpoint(path)
    return path, model, metadata


def _replay(folder: str | None):
    """MNIST (train for replay, test to measure), or None without a folder."""
    folder = folder or default_mnist_dir()
    if folder is None:
        return None
    from .data.mnist import load_mnist

    return load_mnist(folder)


def _check_out(out: Path, overwrite: bool) -> None:
    if out.suffix != SUFFIX:
        raise ValueError(f"{out}: the new model's file must end in {SUFFIX}")
    if out.resolve().parent == shipped_weights_dir().resolve():
        raise ValueError(f"{out}: the shipped models are never overwritten")
    if not out.parent.is_dir():
        raise ValueError(f"{out.parent}: no such folder")
    if out.exists() and not overwrite:
        raise ValueError(f"{out}: exists; it is kept (pass --overwrite to replace it)")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser().parse_args(argv)
    if args.background and hasattr(os, "nice"):
        os.nice(10)
    out = Path(args.out)
    recipe = Recipe(steps=args.steps, lr=args.lr, seed=args.seed, threads=args.threads)
    try:
        _check_out(out, args.overwrite)
        parent_path, model, metadata = _parent(args.model)
        unscaled = parent_unscaled(metadata)
        records = list(read_strokes(args.digits))
        mnist = _replay(args.mnist)
    except (DataError, CheckpointError, ValueError) as error:
        return _fail(str(error))
    start = time.perf_counter()
    if mnist is None:
        print("note: no MNIST folder: learning from the digits alone, so the model "
              "may forget; pass --mnist DIR", file=sys.stderr)  # fmt: skip
    try:
        teach(model, records, mnist.train if mnist else None, recipe, unscaled)
    except ValueError as error:
        return _fail(f"{args.digits}: {error}")
    seconds = time.perf_counter() - start
    mnist_test = _mnist_test(model, mnist, unscaled)
    metadata = _metadata(metadata, parent_path, recipe, records, argv)
    metadata["train_seconds"] = round(seconds, 1)
    metadata["metrics"] = {"mnist_test_accuracy": mnist_test}
    try:  # another window's personalising may have taken the name meanwhile
        save_checkpoint(out, model, metadata, replace=args.overwrite)
    except FileExistsError:
        return _fail(f"{out} appeared meanwhile; it was kept and nothing was saved")
    except OSError as error:
        return _fail(f"could not save {out}: {error}")
    summary = {"path": str(out), "seconds": round(seconds, 2),
               "digits": len(records), "mnist_test": mnist_test}  # fmt: skip
    if args.json:  # said as soon as saved: a cancel from now on keeps the model
        print(json.dumps(summary), flush=True)
    else:
        test = "–" if mnist_test is None else f"{mnist_test:.2%}"
        print(f"Learned {len(records)} digits in {seconds:.1f}s; MNIST test {test}; "
              f"saved {out}", flush=True)  # fmt: skip
    onnx_for_checkpoint(out)  # exported now, so the app's first reading is quick
    return 0


def _mnist_test(model, mnist, unscaled: bool) -> float | None:
    if mnist is None:
        return None
    from .training.fit import evaluate

    return evaluate(model, mnist.test, unscaled=unscaled)[1]


def _metadata(parent: dict, path: Path, recipe: Recipe, records, argv) -> dict:
    """The parent's metadata, and what this personalising did: its parent,
    recipe and command, and the digits it learned from (`learned_from`: their
    `fingerprint`s, so the app measures it on the others only)."""
    import torch

    before = parent.get("metrics", {}).get("mnist_test_accuracy")
    return {
        **parent,
        "parent": {"name": path.stem, "mnist_test_accuracy": before},
        "recipe": {**recipe.to_dict(), "digits": len(records),
                   "steps": recipe.steps_for(len(records))},
        "learned_from": sorted({fingerprint(r) for r in records}),
        "command": "python -m mnist_canvas.personalise " + shlex.join(argv),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat("T", "seconds"),
        "versions": {"mnist_canvas": __version__, "torch": torch.__version__,
                     "python": platform.python_version()},
    }  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
