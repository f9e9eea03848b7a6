"""Writer-level cross-validation of a training recipe on pen digits.

    python -m mnist_canvas.writer_cv --epochs 4 --pen-warp 0.5 --json \\
        --pen-train $MNIST_CANVAS_DATA/pen-digits/unipen1a-dev.jsonl.gz

Takes train.py's options. For each writer fold K of --pen-folds (people, not
digits: ibm's sessions of one person stay together) it trains the recipe with
fold K held out (`--pen-fold K`), then reads fold K's digits through the app's
own path, placed at random (seed 1) with brushes 6, 14 and 28. It reports each
fold, the pooled accuracy over every held-out digit and the spread across
folds; `--json` prints one JSON object as its last line (and `--out FILE`
writes it too). Nothing here looks at MNIST's test set. Exit status 2: bad
arguments or data.

A distilled recipe needs teachers that never saw the held-out people: write
`{fold}` in the teacher's path (`--teacher cv/fold-{fold}.safetensors`, the
models a `--keep cv` run saved) and each fold learns from its own.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from .cli_types import threads
from .data import DataError, default_mnist_dir, shown_path
from .data.mnist import load_mnist
from .diagnosis.accuracy import collect, stroke_chunks
from .files import atomic_write
from .models.checkpoint_file import save_checkpoint
from .models.classifier import Classifier
from .pipeline.steps import switches
from .train_cli import config_from, parser
from .training.fit import fit, input_steps

BRUSHES = (6.0, 14.0, 28.0)
SEED = 1  # the random placement's seed, as in docs/reading-real-drawings.md
FOLD = "{fold}"  # in a --teacher path: the fold held out, so each has its own


def _parser():
    p = parser(
        prog="python -m mnist_canvas.writer_cv",
        description="Writer-level cross-validation of a training recipe.",
        out_help="also write the JSON result to this file",
    )
    p.add_argument("--only", default=None, metavar="K,K",
                   help="run only these folds (default: all)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="one JSON object, last line")
    p.add_argument(
        "--keep",
        default=None,
        metavar="DIR",
        help="save each fold's model there, as fold-K.safetensors",
    )
    p.add_argument(
        "--gallery",
        default=None,
        metavar="DIR",
        help="draw each fold's misread digits (the model's input, "
        "label as read) into DIR/fold-K-errors.png",
    )
    p.add_argument("--eval-threads", type=threads, default=1,
                   help="inference threads (default: %(default)s)")  # fmt: skip
    return p


def _folds(text: str | None, folds: int) -> list[int]:
    if text is None:
        return list(range(folds))
    chosen = sorted({int(k) for k in text.split(",") if k.strip()})
    if not chosen or not all(0 <= k < folds for k in chosen):
        raise ValueError(f"--only takes folds 0–{folds - 1}, not {text!r}")
    return chosen


def fold_teachers(config, fold: int) -> tuple[str, ...]:
    """The teachers of `fold`'s run: FOLD in a teacher's path becomes K."""
    return tuple(path.replace(FOLD, str(fold)) for path in config.teachers)


def _check_teachers(config, folds: list[int], keep: Path | None) -> None:
    """Before any fold trains (hours): every fold's teacher is there, and no
    fold's model would be kept over its own teacher."""
    for fold in folds:
        for teacher in map(Path, fold_teachers(config, fold)):
            if not teacher.is_file():
                raise ValueError(f"fold {fold}'s teacher {teacher} is not there")
            kept = keep / f"fold-{fold}.safetensors" if keep else None
            if kept and kept.resolve() == teacher.resolve():
                raise ValueError(
                    f"--keep {keep} would save fold {fold}'s model over its "
                    f"teacher {teacher}: keep them in another folder"
                )


def gallery(inputs: np.ndarray, titles: list[str], path: Path) -> None:
    """The model inputs of misread digits in a grid, each titled "label as read"."""
    from PIL import Image, ImageDraw

    cols, cell = 12, 64
    rows = max(1, -(-len(inputs) // cols))
    sheet = Image.new("L", (cols * cell, rows * (cell + 14)), 40)
    draw = ImageDraw.Draw(sheet)
    for i, (x, title) in enumerate(zip(inputs, titles, strict=True)):
        low, high = float(x.min()), float(x.max())
        grey = ((x - low) / max(high - low, 1e-9) * 255).astype(np.uint8)
        r, c = divmod(i, cols)
        top = r * (cell + 14)
        sheet.paste(
            Image.fromarray(grey).resize((cell - 4, cell - 4)), (c * cell + 2, top + 14)
        )
        draw.text((c * cell + 4, top + 1), title, fill=255)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as tmp:
        sheet.save(tmp, format="PNG")


def run_fold(
    config, data, fold: int, keep: Path | None = None, shown: Path | None = None
) -> dict:
    """Train with `fold` held out; read its people's digits at each brush."""
    config = replace(config, pen_fold=fold, teachers=fold_teachers(config, fold))
    start, last = time.perf_counter(), None
    for last in fit(config, data):  # noqa: B007 (the last one holds the model)
        pass
    metadata = {
        "model": config.model.to_dict(), "training": config.to_dict(),
        "preprocessing": {**switches(), **input_steps(config.unscaled)},
        "description": f"writer fold {fold}/{config.pen_folds} held out",
    }  # fmt: skip
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        save_checkpoint(keep / f"fold-{fold}.safetensors", last.model, metadata)
    classifier = Classifier.from_module(last.model, metadata, f"fold {fold}")
    results, wrong = {}, []
    for brush in BRUSHES:
        chunks = list(stroke_chunks(classifier, config.pen_train, how="random",
                                    seed=SEED, brush=brush,
                                    writers=(fold, config.pen_folds)))  # fmt: skip
        results[brush] = collect(chunks)
        if brush == BRUSHES[0]:
            inputs = np.concatenate([c.inputs for c in chunks])
    first = results[BRUSHES[0]]
    if shown is not None and first.errors:
        wrong = [e.index for e in first.errors]
        titles = [f"{e.label} as {e.predicted}" for e in first.errors]
        gallery(inputs[wrong], titles, shown / f"fold-{fold}-errors.png")
    return {
        "fold": fold, "n": first.n,
        "accuracy": {f"{b:g}": r.accuracy for b, r in results.items()},
        "errors": [e.to_json() for e in first.errors],
        "val_accuracy": last.val_accuracy,
        "seconds": round(time.perf_counter() - start, 1),
    }  # fmt: skip


def summary(folds: list[dict]) -> dict:
    """Pooled accuracy over every held-out digit, and mean ± sd across folds."""
    n = sum(f["n"] for f in folds)
    out = {}
    for brush in folds[0]["accuracy"]:
        accuracies = [f["accuracy"][brush] for f in folds]
        pooled = sum(f["accuracy"][brush] * f["n"] for f in folds) / n
        spread = statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0
        out[brush] = {"pooled": pooled, "mean": statistics.fmean(accuracies),
                      "sd": spread, "min": min(accuracies)}  # fmt: skip
    return {"n": n, "by_brush": out}


def _result(config, folds: list[dict], argv: list[str] | None, asked: int) -> dict:
    config_dict = config.to_dict()
    config_dict["pen_train"] = shown_path(config.pen_train)
    return {"config": config_dict, "folds": folds, "summary": summary(folds),
            "complete": len(folds) == asked,  # false: a run stopped early
            "command": "python -m mnist_canvas.writer_cv " + " ".join(
                shown_path(a) or a for a in (argv or sys.argv[1:]))}  # fmt: skip


def _write_result(path, result: dict) -> None:
    """Write the result; a failure is said, and the folds still to come run
    (their figures are printed, and the next fold's write tries again)."""
    try:
        with atomic_write(path) as tmp:
            tmp.write_text(json.dumps(result, indent=1))
    except OSError as error:
        print(f"warning: {path} could not be written: {error}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = config_from(args)
        if config.pen_train is None:
            raise ValueError("--pen-train names the pen digits to cross-validate on")
        chosen = _folds(args.only, config.pen_folds)
        if any(FOLD not in path for path in config.teachers):
            print("warning: a teacher that trained on a held-out fold's writers "
                  "lifts that fold's figure; these estimates are honest only for "
                  "teachers that never saw them (a teacher path with {fold} "
                  "names one per fold)", file=sys.stderr)  # fmt: skip
        keep = Path(args.keep) if args.keep else None
        _check_teachers(config, chosen, keep)
        if args.out and not Path(args.out).parent.is_dir():
            raise ValueError(f"--out {args.out}: no folder {Path(args.out).parent}")
        data = load_mnist(args.data_dir or default_mnist_dir(), download=args.download)
        folds = []
        for fold in chosen:
            shown = Path(args.gallery) if args.gallery else None
            folds.append(run_fold(config, data, fold, keep, shown))
            f = folds[-1]
            print(f"fold {fold}: {f['n']} digits, " + ", ".join(
                f"brush {b} {a:.4f}" for b, a in f["accuracy"].items())
                + f", validation {f['val_accuracy']:.4f}, {f['seconds']:.0f}s",
                file=sys.stderr, flush=True)  # fmt: skip
            if args.out:  # each fold's hours kept, whatever stops the next
                _write_result(args.out, _result(config, folds, argv, len(chosen)))
    except (DataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = _result(config, folds, argv, len(chosen))
    for brush, s in result["summary"]["by_brush"].items():
        print(f"brush {brush}: pooled {s['pooled']:.4f} over {result['summary']['n']} "
              f"digits; folds {s['mean']:.4f} ± {s['sd']:.4f} (lowest {s['min']:.4f})",
              file=sys.stderr)  # fmt: skip
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
