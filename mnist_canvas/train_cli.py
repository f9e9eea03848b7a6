"""Command line over `mnist_canvas.training.fit`; `train.py` and the app run it.

    python train.py --model cnn-bn --epochs 15 --out weights/cnn-bn.safetensors
    python train.py --model mlp --epochs 3 --augment none --train-size 1000
    python train.py ... --progress-json   # one JSON object per line, for programs

Exit status: 0 done, 2 bad arguments or data, 3 an existing --out file was kept,
4 the checkpoint could not be written (nothing partial is left behind).
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
from dataclasses import fields, replace
from pathlib import Path

import torch
from safetensors import SafetensorError

from . import __version__
from .data import DataError, default_mnist_dir, default_pen_digits, shown_path
from .data.mnist import load_mnist
from .models.architectures import parameter_count
from .models.checkpoint_file import CheckpointError, load_checkpoint, save_checkpoint
from .models.registry import ACTIVATIONS, REGISTRY, ModelConfig
from .pipeline.steps import switches
from .training.augment import KINDS, parse_kinds
from .training.config import KNOBS, Progress, check_knob
from .training.fit import TrainConfig, evaluate, fit, input_steps, joined

DESCRIPTION_CHARS = 200


def _imbalance(text: str) -> tuple[int, float]:
    try:
        digit, kept = text.split(":")
        digit, kept = int(digit), float(kept)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected DIGIT:FRACTION such as 7:0.1, not {text!r}"
        ) from None
    if not 0 <= digit <= 9 or not 0 <= kept <= 1:
        raise argparse.ArgumentTypeError("digit 0–9 and fraction 0–1, e.g. 7:0.1")
    return digit, kept


def _description(text: str) -> str:
    text = text.strip()
    if not text or "\n" in text or len(text) > DESCRIPTION_CHARS:
        raise argparse.ArgumentTypeError(
            f"one line of 1–{DESCRIPTION_CHARS} characters, not {text[:40]!r}"
        )
    return text


def _config_json(text: str) -> TrainConfig:
    """A `TrainConfig` as JSON: the text itself, or a file holding it."""
    try:
        if not text.lstrip().startswith("{"):
            text = Path(text).read_text(encoding="utf-8")
        return TrainConfig.from_json(text)
    except (OSError, ValueError) as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def knob_type(name: str, off: str | None = None):
    """An argparse type for the training setting `name`, checked against its
    declared range; `off` (e.g. "0" or "none") means None."""
    f = KNOBS[name]

    def parse(text: str):
        if off is not None and text.strip().lower() == off:
            return None
        try:
            value = int(text) if f.metadata["whole"] else float(text)
        except ValueError:
            kind = "a whole number" if f.metadata["whole"] else "a number"
            raise argparse.ArgumentTypeError(f"not {kind}: {text!r}") from None
        try:
            check_knob(f, value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return value

    return parse


def add_knob(p: argparse.ArgumentParser, name: str, off: str | None = None, **more):
    """The command-line option of a training setting: flag, type, range,
    default and help as `TrainConfig` declares them."""
    f = KNOBS[name]
    help = f.metadata["help"] + (" (default: %(default)s)" if f.default is not None
                                 else "")  # fmt: skip
    p.add_argument("--" + name.replace("_", "-"), type=knob_type(name, off),
                   default=f.default, help=help, **more)  # fmt: skip


def parser(
    prog: str = "train.py", description: str = "Train an MNIST model and save it.",
    out_help: str | None = None,
) -> argparse.ArgumentParser:  # fmt: skip
    """train.py's options; with `out_help`, --out is optional and means that."""
    d = TrainConfig()
    p = argparse.ArgumentParser(prog=prog, description=description)
    add = p.add_argument
    # fmt: off
    add("--model", default=d.model.arch, choices=list(REGISTRY),
        help="architecture (default: %(default)s)")
    for name in ("epochs", "batch_size", "lr", "weight_decay", "label_smoothing"):
        add_knob(p, name)
    add("--augment", default="all",
        help=f"comma-separated kinds of {', '.join(KINDS)}, or all, or none "
        "(default: %(default)s)")
    add("--dropout", choices=["on", "off", "default"], default="default",
        help="dropout on or off (default: the architecture's own)")
    add("--activation", choices=list(ACTIVATIONS), default="relu",
        help="default: %(default)s")
    add("--unscaled", action="store_true",
        help="train on raw 0–255 pixels (neither scaled nor normalised); the "
        "checkpoint records it, so the app feeds the model 0–255")
    add("--description", type=_description, default=None, metavar="TEXT",
        help="one line saying what this model shows, for the model list and About")
    add_knob(p, "train_size")
    add_knob(p, "val_size")
    add("--imbalance", type=_imbalance, default=None, metavar="DIGIT:FRACTION",
        help="keep only FRACTION of one digit's training images")
    add_knob(p, "patience", off="0")
    add_knob(p, "ema", off="0", metavar="DECAY")
    add("--teacher", action="append", default=[], metavar="FILE",
        help="a checkpoint whose probabilities the model also learns from "
        "(knowledge distillation); repeat for several, their mean is taught")
    add_knob(p, "distill", metavar="WEIGHT")
    add_knob(p, "distill_temperature", metavar="T")
    add("--distill-augmented", action="store_true",
        help="with --teacher: the teachers read each augmented batch the model "
        "learns from, rather than each image once before training (slower)")
    if out_help is None:  # train.py's own
        add("--members", nargs="+", default=None, metavar="FILE",
            help="instead of training, join these trained checkpoints into "
            "--model when it averages members (cnn-bn-wide-x2: two cnn-bn-wide "
            "of one recipe and different seeds)")
    add("--config-json", type=_config_json, default=None, metavar="JSON_OR_FILE",
        help="the whole training configuration (TrainConfig as JSON, or a file "
        "holding it); replaces the options above and --seed/--threads/--device")
    add("--data-dir", default=None,
        help="folder with the four MNIST IDX files (default: $MNIST_CANVAS_DATA/mnist)")
    add("--download", action="store_true", help="let torchvision download MNIST")
    add("--pen-digits", default=None,
        help="pen-digit file to measure accuracy on real drawings (default: "
        "$MNIST_CANVAS_DATA/pen-digits/…, when present)")
    add("--pen-train", default=None, metavar="FILE",
        help="also train on these pen digits, drawn through the app's pipeline; "
        "one fold of their writers is held out to measure accuracy on new people")
    add_knob(p, "pen_fold", off="none", metavar="K|none")
    add_knob(p, "pen_folds")
    add_knob(p, "pen_variants")
    add_knob(p, "pen_warp", nargs="?", const=1.0, metavar="STRENGTH")
    add_knob(p, "pen_styles", metavar="SHARE")
    add("--out", required=out_help is None,
        help=out_help or "where to write the checkpoint (.safetensors)")
    add("--overwrite", action="store_true", help="replace an existing --out file")
    add_knob(p, "seed")
    add_knob(p, "threads")
    add_knob(p, "report_every")
    add("--device", choices=["auto", "cpu", "cuda"], default="cpu",
        help="default: %(default)s")
    add("--progress-json", action="store_true",
        help="print one JSON object per line instead of a progress bar")
    add("--background", action="store_true",
        help="run at a low CPU priority, so an interactive program stays quick")
    # fmt: on
    return p


def config_from(args: argparse.Namespace) -> TrainConfig:
    if args.config_json is not None:
        return args.config_json
    dropout = {"on": True, "off": False, "default": None}[args.dropout]
    return TrainConfig(
        model=ModelConfig(args.model, args.activation, dropout),
        augment=parse_kinds(args.augment),
        imbalance=args.imbalance,
        pen_train=args.pen_train,
        unscaled=args.unscaled,
        teachers=tuple(args.teacher),
        distill_augmented=args.distill_augmented,
        device=args.device,
        **{name: getattr(args, name) for name in KNOBS},
    )


class Reporter:
    """Progress as a bar with one summary line per epoch, or as JSON lines."""

    def __init__(self, as_json: bool):
        self.as_json, self.bar = as_json, None

    def emit(self, **fields) -> None:
        if self.as_json:
            print(json.dumps(fields), flush=True)

    def progress(self, p) -> None:
        if self.as_json:
            self.emit(**p.to_json())
            return
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=p.steps, desc=f"epoch {p.epoch}/{p.epochs}",
                            leave=False, file=sys.stderr)  # fmt: skip
        self.bar.update(p.step - self.bar.n)
        self.bar.set_postfix(loss=f"{p.train_loss:.3f}", acc=f"{p.train_accuracy:.4f}")
        if p.phase == "epoch":
            self.bar.close()
            self.bar = None
            print(f"epoch {p.epoch}/{p.epochs}: train loss {p.train_loss:.4f} "
                  f"acc {p.train_accuracy:.4f} | val loss {p.val_loss:.4f} "
                  f"acc {p.val_accuracy:.4f} | lr {p.lr:.2e} | {p.elapsed:.0f}s",
                  flush=True)  # fmt: skip


def run(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    if args.background and hasattr(os, "nice"):
        os.nice(10)
    out = Path(args.out)
    report = Reporter(args.progress_json)
    if out.exists() and not args.overwrite:
        report.emit(phase="error", message=f"{out} exists; it was kept")
        print(f"error: {out} exists; it was kept (pass --overwrite to replace it)",
              file=sys.stderr)  # fmt: skip
        return 3
    try:
        config = config_from(args)
        data = load_mnist(args.data_dir or default_mnist_dir(), download=args.download)
    except (DataError, ValueError) as error:
        report.emit(phase="error", message=str(error))
        print(f"error: {error}", file=sys.stderr)
        return 2
    last, members = None, None
    try:
        if args.members:  # their recipe becomes this model's
            last, members, config = _from_members(config, args.members, data)
        else:
            for last in fit(config, data):
                if last.phase in ("step", "epoch"):
                    report.progress(last)
    except ValueError as error:
        report.emit(phase="error", message=str(error))
        print(f"error: {error}", file=sys.stderr)
        return 2
    model = last.model
    steps = input_steps(config.unscaled)
    _, test_accuracy = evaluate(model, data.test, unscaled=config.unscaled)
    pen = _pen_accuracy(model, args.pen_digits or default_pen_digits(), steps)
    if config.pen_train and config.pen_fold is not None:
        from .training.pen_data import pen_held_out

        _, held_out = pen_held_out(config)
        held = evaluate(model, held_out, unscaled=config.unscaled)
        pen["pen_heldout_writers_accuracy"] = held[1]
    metadata = {
        "model": config.model.to_dict(),
        "parameters": parameter_count(model),
        "preprocessing": {**switches(), **steps},
        "training": {**config.to_dict(), "pen_train": shown_path(config.pen_train)},
        "epochs_run": last.epoch,
        "train_seconds": round(last.elapsed, 1),
        "command": shown_path("python train.py " + shlex.join(argv)),
        "data": {"mnist": shown_path(str(data.source)), "validation": config.val_size,
                 "pen_train": shown_path(config.pen_train)},
        "metrics": {"mnist_test_accuracy": test_accuracy,
                    "val_accuracy": last.val_accuracy, **pen},
        "date": _now(),
        "versions": {"mnist_canvas": __version__, "torch": torch.__version__,
                     "python": platform.python_version()},
    }  # fmt: skip
    if members:  # each member's own command and seed
        metadata["members"] = [
            {k: m.get(k) for k in ("command", "train_seconds", "metrics", "date")}
            | {"seed": m["training"].get("seed")} for m in members
        ]  # fmt: skip
    if args.description:
        metadata["description"] = args.description
    try:  # a file put at `out` while training is kept too, unless --overwrite
        save_checkpoint(out, model, metadata, replace=args.overwrite)
    except FileExistsError:
        report.emit(phase="error", message=f"{out} appeared while training; it "
                    "was kept and nothing was saved")  # fmt: skip
        print(f"error: {out} appeared while training; it was kept (pass "
              "--overwrite to replace it)", file=sys.stderr)  # fmt: skip
        return 3
    except (OSError, SafetensorError) as error:  # a full disk, a read-only folder
        report.emit(phase="error", message=f"Could not save {out}: {error}")
        print(f"error: could not save {out}: {error}", file=sys.stderr)
        return 4
    report.emit(phase="saved", path=str(out), metrics=metadata["metrics"])
    if not args.progress_json:
        extra = "".join(f", {k} {v:.4f}" for k, v in pen.items())
        print(f"MNIST test accuracy {test_accuracy:.4f}{extra}; "
              f"{last.elapsed:.0f}s training; saved {out}")  # fmt: skip
    return 0


def _from_members(config: TrainConfig, paths: list[str], data):
    """For `--members`: (the "done" progress of the joined model, the members'
    metadata, their recipe as the joined model's: what `train.py --model
    cnn-bn-wide-x2 --seed n` with their options would train, members seeded
    n, n + 1, …). ValueError says why the files cannot be joined."""
    averages = REGISTRY[config.model.arch].averages
    if averages is None:
        joinable = ", ".join(name for name, a in REGISTRY.items() if a.averages)
        raise ValueError(f"--members joins models into one that averages them "
                         f"({joinable}), not {config.model.arch}")  # fmt: skip
    member, count = averages
    if len(paths) != count:
        raise ValueError(f"{config.model.arch} averages {count} {member} models; "
                         f"--members named {len(paths)}")  # fmt: skip
    models, metas, recipes = [], [], []
    expected = replace(config.model, arch=member).to_dict()
    for path in paths:
        try:
            model, meta = load_checkpoint(path)
        except CheckpointError as error:
            raise ValueError(str(error)) from None
        if meta["model"] != expected:
            raise ValueError(f"{path} is {meta['model']}; {config.model.arch} "
                             f"needs {expected}")  # fmt: skip
        try:  # the defaults of settings added since it trained filled in
            recipes.append(TrainConfig.from_dict(meta.get("training", {})))
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        models.append(model)
        metas.append(meta)
    first = recipes[0]
    if any(
        replace(r, seed=first.seed, threads=first.threads) != first for r in recipes
    ):
        raise ValueError("The members were trained with different recipes "
                         "(not only seeds): their mean has no one recipe")  # fmt: skip
    seeds = [r.seed for r in recipes]
    if seeds != [first.seed + i for i in range(count)]:
        raise ValueError(f"The members' seeds must be n, n + 1, … in order, as "
                         f"{config.model.arch} trains them, not {seeds}")  # fmt: skip
    pen = first.pen_train
    if pen and first.pen_fold is not None and not Path(pen).is_file():
        raise ValueError(f"The members' pen digits {first.pen_train} are not here "
                         "(their held-out writers are measured on them)")  # fmt: skip
    recipe = replace(first, model=config.model)
    _warn_ignored(config, recipe)
    start = time.perf_counter()
    model, val_loss, val_acc = joined(recipe, models, data)  # their validation
    seconds = sum(m.get("train_seconds") or 0 for m in metas)
    seconds += time.perf_counter() - start
    epochs = sum(m.get("epochs_run") or 0 for m in metas)
    done = Progress("done", epochs, epochs, 0, 0, float("nan"), float("nan"),
                    val_loss, val_acc, 0.0, seconds, model)  # fmt: skip
    return done, metas, recipe


def _warn_ignored(given: TrainConfig, recipe: TrainConfig) -> None:
    """Say which training options given with --members are not the members'
    (joining trains nothing: their recipe is the joined model's)."""
    default = TrainConfig()
    ignored = [
        f"--{f.name.replace('_', '-')}" for f in fields(TrainConfig)
        if f.name not in ("model", "seed", "threads", "device")
        and getattr(given, f.name) not in (getattr(default, f.name),
                                           getattr(recipe, f.name))
    ]  # fmt: skip
    if ignored:
        print(f"warning: {', '.join(ignored)} ignored: the joined model's "
              "recipe is its members' (--members trains nothing)",
              file=sys.stderr)  # fmt: skip


def _now() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.isoformat(timespec="seconds")


def _pen_accuracy(model, path, steps: dict) -> dict:
    if path is None or not Path(path).is_file():
        return {}
    from .diagnosis.accuracy import evaluate_strokes
    from .models.classifier import Classifier

    result = evaluate_strokes(
        Classifier.from_module(model, {"preprocessing": steps}, "trained"), path
    )
    return {"pen_dev_accuracy": result.accuracy}


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
