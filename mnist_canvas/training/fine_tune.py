"""Personalising: fine-tune a trained model on one person's digits.

    mine = digit_images(records)                      # the app's own path
    model = personalise(parent, mine, mnist.train, Recipe())

The person's digits are drawn at random sizes, places and brushes and
preprocessed exactly as training does (`pen_data.render_records`), then every
step trains on a batch that is part theirs and part MNIST (replayed so the
model does not forget what it knew), both augmented per image (`augment`).
BatchNorm's running statistics stay frozen: a few hundred images of one
writer would otherwise pull them away from what every other input needs.
The python -m mnist_canvas.personalise command line runs this.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..data.mnist import Split
from ..data.strokes import LabelledDrawing
from .augment import KINDS, augment
from .fit import label_loss, train_step
from .pen_data import image_steps, render_records
from .values import batch_values, parent_unscaled

__all__ = ["Recipe", "digit_images", "parent_unscaled", "personalise"]


@dataclass(frozen=True)
class Recipe:
    steps: int = 150
    batch_size: int = 64
    # The share of each batch drawn from the person's digits, the rest MNIST.
    # Measured (bench_personal, K = 10, two of the hardest unseen writers):
    # 0.5 left MNIST test at 99.55 % and 99.45 %, 0.25 at 99.55 % and 99.49 %,
    # every error fixed either way; halving the learning rate did not help.
    mine: float = 0.25
    lr: float = 1e-3  # AdamW, cosine decay to 0 over the steps
    weight_decay: float = 5e-4
    label_smoothing: float = 0.05
    variants: int = 8  # random drawings of each digit
    augment: tuple[str, ...] = KINDS
    freeze_batchnorm: bool = True
    seed: int = 0
    # One thread: measured here with another program busy, 150 steps took 164 s
    # on 2 threads (they wait on each other) against 8 s on 1; the app keeps
    # the other core.
    threads: int = 1

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "variants", "threads"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number ≥ 1, not {value!r}")
        if not 0 < self.mine <= 1:
            raise ValueError(
                f"The share of own digits must be in (0, 1], not {self.mine}"
            )
        if not self.lr > 0:
            raise ValueError(f"The learning rate must be above 0, not {self.lr}")

    def to_dict(self) -> dict:
        return asdict(self)


def digit_images(
    records: Sequence[LabelledDrawing], variants: int = 8, seed: int = 0
) -> Split:
    """A person's digits as 28×28 uint8 training images (MNIST's format)."""
    images, labels = render_records(records, variants, seed, image_steps())
    return Split(images, labels)


def _freeze_batchnorm(model: nn.Module) -> None:
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.eval()  # normalise with the running statistics, never update


def _batch(split: Split, count: int, gen: torch.Generator):
    index = torch.randint(len(split), (count,), generator=gen)
    return split.images[index], split.labels[index]


def personalise(
    model: nn.Module,
    mine: Split,
    replay: Split | None,
    recipe: Recipe = Recipe(),
    report: Callable[[int, float], None] | None = None,
    unscaled: bool = False,
) -> nn.Module:
    """Fine-tune `model` in place on `mine` (+ `replay`) and return it, in eval
    mode. `report(step, loss)` is called after every step. A model trained
    `unscaled` (0–255 input, see `parent_unscaled`) is fed its own values."""
    if len(mine) == 0:
        raise ValueError("There are no digits to learn from")
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    gen = torch.Generator().manual_seed(recipe.seed)
    own = (
        recipe.batch_size if replay is None else round(recipe.batch_size * recipe.mine)
    )
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay
    )
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, recipe.steps)
    model.train()
    if recipe.freeze_batchnorm:
        _freeze_batchnorm(model)
    for step in range(1, recipe.steps + 1):
        images, labels = _batch(mine, own, gen)
        if own < recipe.batch_size:
            more, more_labels = _batch(replay, recipe.batch_size - own, gen)
            images, labels = torch.cat([images, more]), torch.cat([labels, more_labels])
        x = images.float().div_(255.0).unsqueeze(1)
        if recipe.augment:
            x = augment(x, recipe.augment, gen)
        x = batch_values(x, unscaled)
        loss_of = label_loss(labels, recipe.label_smoothing)
        loss, _ = train_step(model, optimizer, schedule, x, loss_of)
        if report is not None:
            report(step, loss.item())
    return model.eval()
