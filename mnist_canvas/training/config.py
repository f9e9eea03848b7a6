"""What crosses the boundary between the app and a training process: the
whole configuration (`TrainConfig`, JSON of the dataclass) one way, `Progress`
records the other, each rebuilt and checked on arrival."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING

from ..cli_types import MAX_THREADS
from ..files import parse_json
from ..models.registry import ModelConfig
from .augment import KINDS

if TYPE_CHECKING:
    from torch import nn


@dataclass(frozen=True)
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    epochs: int = 15
    batch_size: int = 128
    lr: float = 4e-3  # the one-cycle schedule's peak
    weight_decay: float = 5e-4
    label_smoothing: float = 0.05
    augment: tuple[str, ...] = KINDS
    train_size: int | None = None  # use only this many training images
    val_size: int = 5000
    imbalance: tuple[int, float] | None = None  # (digit, fraction of it kept)
    pen_train: str | None = None  # also train on these pen digits (stroke file)
    pen_variants: int = 3  # random drawings of each pen digit
    pen_fold: int | None = 0  # the fold of people held out (None: train on all)
    pen_folds: int = 5
    pen_warp: float = 0.0  # stroke-space warp strength (pen_data.warp); 0: off
    pen_styles: float = 0.0  # share of pen 0s crossed and 1s flagged (restyle)
    # Epochs without validation gain before stopping; off by default: under the
    # one-cycle schedule validation is noisy at high learning rates, and patience 4
    # stopped the default at epoch 16 of 30 (99.42 % on MNIST test).
    patience: int | None = None
    # Decay of the moving average of the weights (parameters and BatchNorm
    # statistics) that is validated and kept; None trains without it. Off by
    # default: measured after the default 15 epochs, 99.57 % on MNIST test with
    # decay 0.999 against 99.63 % without; it helps short runs (the Quick preset:
    # 98.91 % against 98.80 %) and makes early validation meaningful.
    ema: float | None = None
    # Feed the model raw 0–255 grey levels (neither scaled nor normalised), as
    # the seed material's unscaled training does; the checkpoint records it.
    unscaled: bool = False
    # Checkpoints whose mean probabilities (softened by the temperature) the
    # model also learns, `distill` of the loss (training/distill.py); none:
    # labels only.
    teachers: tuple[str, ...] = ()
    distill: float = 0.5
    distill_temperature: float = 4.0
    # Teachers read each augmented batch (True) rather than each image once.
    distill_augmented: bool = False
    seed: int = 0
    threads: int = 2  # measured: 2 threads train 1.7× faster than 1 here
    device: str = "cpu"
    report_every: int = 20  # steps between progress reports

    def __post_init__(self) -> None:
        if self.pen_train:  # as checkpoints record it: $MNIST_CANVAS_DATA/...
            object.__setattr__(self, "pen_train", os.path.expandvars(self.pen_train))
        if self.ema is not None and not 0 < self.ema < 1:
            raise ValueError(
                f"The weight average's decay must be in (0, 1), not {self.ema}"
            )
        for name in ("epochs", "batch_size", "threads", "report_every",
                     "pen_variants"):  # fmt: skip
            _check_int(name, getattr(self, name), 1)
        for name in ("train_size", "patience"):
            if getattr(self, name) is not None:
                _check_int(name, getattr(self, name), 1)
        if self.threads > MAX_THREADS:  # --config-json as --threads
            raise ValueError(
                f"threads must be at most {MAX_THREADS}, not {self.threads}"
            )
        _check_int("val_size", self.val_size, 0)
        _check_int("pen_folds", self.pen_folds, 2)
        if not 0 <= self.pen_warp <= 3:
            raise ValueError(f"pen_warp must be 0–3, not {self.pen_warp}")
        if not 0 <= self.pen_styles <= 1:
            raise ValueError(f"pen_styles must be 0–1, not {self.pen_styles}")
        if self.pen_fold is not None:
            _check_int("pen_fold", self.pen_fold, 0)
            if self.pen_fold >= self.pen_folds:
                raise ValueError(
                    f"pen_fold must be below pen_folds ({self.pen_folds}), "
                    f"not {self.pen_fold}"
                )
        if not 0 <= self.distill <= 1:
            raise ValueError(f"distill must be 0–1, not {self.distill}")
        if not self.distill_temperature > 0:
            raise ValueError(
                f"The temperature must be above 0, not {self.distill_temperature}"
            )
        if not self.lr > 0:
            raise ValueError(f"The learning rate must be above 0, not {self.lr}")

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


def _check_int(name: str, value, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be a whole number ≥ {low}, not {value!r}")


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
