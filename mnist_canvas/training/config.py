"""What crosses the boundary between the app and a training process: the
whole configuration (`TrainConfig`, JSON of the dataclass) one way, `Progress`
records the other, each rebuilt and checked on arrival."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING

from ..cli_types import MAX_THREADS
from ..files import parse_json
from ..models.registry import ModelConfig
from .augment import KINDS

if TYPE_CHECKING:
    from torch import nn


def knob(default, help: str, low=None, high=None, above=None, below=None,
         whole=False):  # fmt: skip
    """A training setting, declared once: its default, the help the command
    line and the training form show, and its range (`low`/`high` inclusive,
    `above`/`below` exclusive; `whole`: an integer). None is allowed where the
    field's type allows it."""
    meta = {"help": help, "low": low, "high": high, "above": above,
            "below": below, "whole": whole}  # fmt: skip
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    epochs: int = knob(15, "passes over the training images", low=1, whole=True)
    batch_size: int = knob(128, "images per step", low=1, whole=True)
    lr: float = knob(4e-3, "peak learning rate of the one-cycle schedule", above=0)
    weight_decay: float = knob(5e-4, "AdamW's weight decay (L2)", low=0)
    label_smoothing: float = knob(0.05, "label smoothing", low=0, high=1)
    augment: tuple[str, ...] = KINDS
    train_size: int | None = knob(
        None, "use only this many training images (default: all)", low=1, whole=True
    )
    val_size: int = knob(
        5000, "training images held out to validate on", low=0, whole=True
    )
    imbalance: tuple[int, float] | None = None  # (digit, fraction of it kept)
    pen_train: str | None = None  # also train on these pen digits (stroke file)
    pen_variants: int = knob(3, "random drawings of each pen digit", low=1, whole=True)
    pen_fold: int | None = knob(
        0, "the fold of writers held out of --pen-train (none: train on every "
        "writer)", low=0, whole=True,
    )  # fmt: skip
    pen_folds: int = knob(5, "writer folds", low=2, whole=True)
    pen_warp: float = knob(
        0.0, "warp each pen drawing in stroke space (slant, rotation, aspect, "
        "stroke shifts, wobble) with this strength; 0 off", low=0, high=3,
    )  # fmt: skip
    pen_styles: float = knob(
        0.0, "this share of the pen 0s drawn crossed by a bar and of the 1s with "
        "a flag, as many people in Europe write them", low=0, high=1,
    )  # fmt: skip
    # Off by default: under the one-cycle schedule validation is noisy at high
    # learning rates, and patience 4 stopped the default at epoch 16 of 30
    # (99.42 % on MNIST test).
    patience: int | None = knob(
        None, "early stopping: epochs without validation gain (0 or none: off)",
        low=1, whole=True,
    )  # fmt: skip
    # Off by default: measured after the default 15 epochs, 99.57 % on MNIST
    # test with decay 0.999 against 99.63 % without; it helps short runs (the
    # Quick preset: 98.91 % against 98.80 %) and makes early validation
    # meaningful.
    ema: float | None = knob(
        None, "keep a moving average of the weights (parameters and BatchNorm "
        "statistics) with this decay per step, e.g. 0.999; it is validated and "
        "kept", above=0, below=1,
    )  # fmt: skip
    # Feed the model raw 0–255 grey levels (neither scaled nor normalised), as
    # the seed material's unscaled training does; the checkpoint records it.
    unscaled: bool = False
    # Checkpoints whose mean probabilities (softened by the temperature) the
    # model also learns (training/distill.py); none: labels only.
    teachers: tuple[str, ...] = ()
    distill: float = knob(
        0.5, "with teachers: their share of the loss, the labels' the rest",
        low=0, high=1,
    )  # fmt: skip
    distill_temperature: float = knob(
        4.0, "with teachers: soften both the teachers' and the model's "
        "probabilities by this temperature", above=0,
    )  # fmt: skip
    # Teachers read each augmented batch (True) rather than each image once.
    distill_augmented: bool = False
    seed: int = knob(0, "seed of every random draw", whole=True)
    # measured: 2 threads train 1.7× faster than 1 here
    threads: int = knob(2, "torch threads", low=1, high=MAX_THREADS, whole=True)
    device: str = "cpu"
    report_every: int = knob(20, "steps between progress reports", low=1, whole=True)

    def __post_init__(self) -> None:
        if self.pen_train:  # as checkpoints record it: $MNIST_CANVAS_DATA/...
            object.__setattr__(self, "pen_train", os.path.expandvars(self.pen_train))
        for f in fields(self):
            if "help" in f.metadata:
                check_knob(f, getattr(self, f.name))
        if self.pen_fold is not None and self.pen_fold >= self.pen_folds:
            raise ValueError(
                f"pen_fold must be below pen_folds ({self.pen_folds}), "
                f"not {self.pen_fold}"
            )

    def to_dict(self) -> dict:
        data = asdict(self)
        data["model"] = self.model.to_dict()
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """The inverse of `to_dict`; unknown keys or wrong types: ValueError."""
        if not isinstance(data, dict):
            raise ValueError("A training configuration must be a JSON object")
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"Unknown training settings: {', '.join(sorted(unknown))}")
        values = dict(data)
        try:
            if "model" in values:
                values["model"] = ModelConfig.from_dict(values["model"])
            for name in ("augment", "teachers"):
                if name in values:
                    values[name] = tuple(str(item) for item in values[name])
            if values.get("imbalance") is not None:
                digit, kept = values["imbalance"]
                values["imbalance"] = (int(digit), float(kept))
            return cls(**values)
        except (TypeError, AttributeError) as error:
            raise ValueError(f"Bad training configuration: {error}") from None

    @classmethod
    def from_json(cls, text: str) -> TrainConfig:
        return cls.from_dict(parse_json(text, "The training configuration is not JSON"))


KNOBS = {f.name: f for f in fields(TrainConfig) if "help" in f.metadata}


def check_knob(f, value) -> None:
    """A setting's value against its declared range: ValueError naming it."""
    m, name = f.metadata, f.name
    if value is None and "None" in str(f.type):  # declared optional
        return
    if m["whole"]:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be a whole number, not {value!r}")
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, not {value!r}")
    elif not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    if m["low"] is not None and value < m["low"]:
        raise ValueError(f"{name} must be at least {m['low']}, not {value!r}")
    if m["high"] is not None and value > m["high"]:
        raise ValueError(f"{name} must be at most {m['high']}, not {value!r}")
    if m["above"] is not None and not value > m["above"]:
        raise ValueError(f"{name} must be above {m['above']}, not {value!r}")
    if m["below"] is not None and not value < m["below"]:
        raise ValueError(f"{name} must be below {m['below']}, not {value!r}")


@dataclass(frozen=True)
class Progress:
    phase: str  # "step", "epoch" (validation done) or "done" (the kept model's)
    epoch: int
    epochs: int
    step: int
    steps: int  # steps per epoch
    train_loss: float
    train_accuracy: float
    val_loss: float | None
    val_accuracy: float | None
    lr: float
    elapsed: float
    model: nn.Module | None = None  # the best model, on "done" only

    def to_json(self) -> dict:
        """The JSON-ready fields (the model stays behind)."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if f.name != "model"
        }

    @classmethod
    def from_json(cls, data: dict) -> Progress:
        """Rebuild a record from `to_json`'s output; anything else: ValueError."""
        names = [f.name for f in fields(cls) if f.name != "model"]
        if not isinstance(data, dict) or set(data) != set(names):
            raise ValueError(f"Not a progress record: {data!r:.200}")
        try:
            return cls(**{k: _PROGRESS_TYPES[k](data[k]) for k in names})
        except (TypeError, ValueError):
            raise ValueError(f"Not a progress record: {data!r:.200}") from None


def _optional_float(value) -> float | None:
    return None if value is None else float(value)


_PROGRESS_TYPES = {
    "phase": str, "epoch": int, "epochs": int, "step": int, "steps": int,
    "train_loss": float, "train_accuracy": float, "val_loss": _optional_float,
    "val_accuracy": _optional_float, "lr": float, "elapsed": float,
}  # fmt: skip
