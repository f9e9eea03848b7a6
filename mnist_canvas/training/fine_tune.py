"""Personalising: fine-tune a trained model on one person's digits.

    model = teach(parent, records, mnist.train, Recipe())   # the whole recipe

The person's digits are drawn at random sizes, places and brushes and
preprocessed exactly as training does (`pen_data.render_records`), then every
step trains on a batch that is part theirs and part MNIST (replayed so the
model does not forget what it knew), both augmented per image (`augment`).
BatchNorm's running statistics stay frozen: a few hundred images of one
writer would otherwise pull them away from what every other input needs.
The python -m mnist_canvas.personalise command line runs this.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial

import torch
from torch import nn

from ..data.mnist import Split, validation_split
from ..data.strokes import LabelledDrawing
from .augment import KINDS, augment
from .distill import distillation_loss
from .fit import label_loss, train_step
from .pen_data import image_steps, render_records
from .values import batch_values, normalize, parent_unscaled

__all__ = [
    "LEARN", "STEPS_MAX", "STEPS_MIN", "STEPS_PER_DIGIT", "Recipe", "digit_images",
    "parent_unscaled", "personalise", "teach",
]  # fmt: skip

LEARN = ("all", "late", "head")  # which layers a personalising changes
GUARD_IMAGES = 2000  # the first of the validation images training held out
BLENDS = (0.75, 0.5, 0.25, 0.0)  # tried in turn while over the guard's budget
# Steps scaled to the number of digits (`Recipe.steps_for`).
STEPS_PER_DIGIT = 5
STEPS_MIN = 100
STEPS_MAX = 200


@dataclass(frozen=True)
class Recipe:
    # None: scaled to the person's digits (`Recipe.steps_for`).
    steps: int | None = None
    batch_size: int = 64
    # The share of each batch drawn from the person's digits, the rest MNIST.
    mine: float = 0.25
    lr: float = 1e-3  # AdamW, cosine decay to 0 over the steps
    weight_decay: float = 5e-4
    label_smoothing: float = 0.05
    variants: int = 8  # random drawings of each digit
    # Each drawing first warped in stroke space by this strength
    # (`pen_data.warp`: slant, rotation, stretch, stroke shifts, wobble).
    warp: float = 0.0
    augment: tuple[str, ...] = KINDS
    # Which layers learn: every one, the last two convolutions of each
    # member and the head ("late"), or the head alone.
    learn: str = "all"
    # On the MNIST replay, this weight of the loss is the parent's own
    # probabilities at `temperature` (distillation), the rest the labels.
    distill: float = 0.0
    temperature: float = 2.0
    # The weights kept: the parent's moved this share of the way to the
    # fine-tuned ones (1: all the way), which keeps more of what it knew.
    blend: float = 1.0
    # The most MNIST accuracy personalising may cost (0.001: 0.1 points),
    # measured on GUARD_IMAGES of MNIST's validation images (never replayed);
    # past it the weights are moved back towards the parent's (`BLENDS`)
    # until within it. 0: no guard.
    guard: float = 0.001
    freeze_batchnorm: bool = True
    seed: int = 0
    # One thread: measured here with another program busy, 150 steps took 164 s
    # on 2 threads (they wait on each other) against 8 s on 1; the app keeps
    # the other core.
    threads: int = 1

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "variants", "threads"):
            value = getattr(self, name)
            if name == "steps" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a whole number ≥ 1, not {value!r}")
        if not 0 < self.mine <= 1:
            raise ValueError(
                f"The share of own digits must be in (0, 1], not {self.mine}"
            )
        if not self.lr > 0:
            raise ValueError(f"The learning rate must be above 0, not {self.lr}")
        if self.learn not in LEARN:
            raise ValueError(f"learn must be one of {', '.join(LEARN)}")
        if not 0 <= self.distill <= 1 or not self.temperature > 0:
            raise ValueError("distill must be in [0, 1] and the temperature above 0")
        if not 0 <= self.guard < 1:
            raise ValueError(f"guard must be in [0, 1), not {self.guard}")
        if not 0 < self.blend <= 1:
            raise ValueError(f"blend must be in (0, 1], not {self.blend}")
        if not self.warp >= 0:
            raise ValueError(f"The warp must be 0 or more, not {self.warp}")

    def steps_for(self, digits: int) -> int:
        """The steps for this many digits: `steps` when set, else scaled."""
        if self.steps is not None:
            return self.steps
        return min(STEPS_MAX, max(STEPS_MIN, STEPS_PER_DIGIT * digits))

    def to_dict(self) -> dict:
        return asdict(self)


def digit_images(
    records: Sequence[LabelledDrawing], variants: int = 8, seed: int = 0,
    warp: float = 0.0,
) -> Split:  # fmt: skip
    """A person's digits as 28×28 uint8 training images (MNIST's format),
    each drawn `variants` times, warped in stroke space by `warp` first."""
    images, labels = render_records(records, variants, seed, image_steps(), warp)
    return Split(images, labels)


def _freeze_batchnorm(model: nn.Module) -> None:
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.eval()  # normalise with the running statistics, never update


def learning(model: nn.Module, learn: str) -> list[nn.Parameter]:
    """The parameters that learn (`Recipe.learn`); the others are frozen.
    "late": in each sequence of convolutions (each member of a pair), from
    the second-last convolution on, and every linear layer."""
    if learn == "all":
        chosen = list(model.parameters())
    else:
        modules: list[nn.Module] = [
            m for m in model.modules() if isinstance(m, nn.Linear)
        ]
        if learn == "late":
            for seq in model.modules():
                sequence = isinstance(seq, nn.Sequential)
                children = list(seq.children()) if sequence else []
                convs = [i for i, m in enumerate(children) if isinstance(m, nn.Conv2d)]
                if convs:
                    modules += children[convs[-2] if len(convs) > 1 else convs[-1] :]
        chosen = list(dict.fromkeys(p for m in modules for p in m.parameters()))
    ids = {id(p) for p in chosen}
    for parameter in model.parameters():
        parameter.requires_grad_(id(parameter) in ids)
    return chosen


def _batch(split: Split, count: int, gen: torch.Generator):
    index = torch.randint(len(split), (count,), generator=gen)
    return split.images[index], split.labels[index]


def _loss(logits, labels, own: int, parent_logits, recipe: Recipe):
    """The labels' loss on the person's rows; on the replay rows, the labels'
    mixed with the parent's probabilities (`recipe.distill`)."""
    if parent_logits is None:
        return label_loss(labels, recipe.label_smoothing)(logits)
    mine = label_loss(labels[:own], recipe.label_smoothing)(logits[:own])
    taught = (parent_logits / recipe.temperature).softmax(1)
    replay = distillation_loss(
        logits[own:], labels[own:], taught, recipe.distill, recipe.temperature,
        recipe.label_smoothing,
    )  # fmt: skip
    return (mine * own + replay * (len(labels) - own)) / len(labels)


def personalise(
    model: nn.Module,
    mine: Split,
    replay: Split | None,
    recipe: Recipe = Recipe(),
    report: Callable[[int, float], None] | None = None,
    unscaled: bool = False,
    digits: int | None = None,
) -> nn.Module:
    """Fine-tune `model` in place on `mine` (+ `replay`) and return it, in eval
    mode. `report(step, loss)` is called after every step. A model trained
    `unscaled` (0–255 input, see `parent_unscaled`) is fed its own values.
    `digits`: how many drawings `mine` was rendered from (for the steps;
    default: its images over `recipe.variants`)."""
    if len(mine) == 0:
        raise ValueError("There are no digits to learn from")
    torch.manual_seed(recipe.seed)
    torch.set_num_threads(recipe.threads)
    gen = torch.Generator().manual_seed(recipe.seed)
    steps = recipe.steps_for(digits or -(-len(mine) // recipe.variants))
    own = (
        recipe.batch_size if replay is None else round(recipe.batch_size * recipe.mine)
    )
    parent = None
    if recipe.distill and own < recipe.batch_size:
        parent = copy.deepcopy(model).eval()
    guard = None
    if replay is not None and recipe.guard:
        replay, guard = validation_split(replay, GUARD_IMAGES, seed=0)
        guard = (normalize(guard.images, unscaled), guard.labels)
        allowed = _errors(model, *guard) + math.floor(recipe.guard * len(guard[1]))
    start = None
    if recipe.blend < 1 or guard is not None:
        start = copy.deepcopy(model.state_dict())
    optimizer = torch.optim.AdamW(
        learning(model, recipe.learn), lr=recipe.lr, weight_decay=recipe.weight_decay
    )
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    model.train()
    if recipe.freeze_batchnorm:
        _freeze_batchnorm(model)
    try:
        for step in range(1, steps + 1):
            images, labels = _batch(mine, own, gen)
            if own < recipe.batch_size:
                more, more_labels = _batch(replay, recipe.batch_size - own, gen)
                images = torch.cat([images, more])
                labels = torch.cat([labels, more_labels])
            x = images.float().div_(255.0).unsqueeze(1)
            if recipe.augment:
                x = augment(x, recipe.augment, gen)
            x = batch_values(x, unscaled)
            parent_logits = None
            if parent is not None:
                with torch.no_grad():
                    parent_logits = parent(x[own:])
            loss_of = partial(
                _loss, labels=labels, own=own, parent_logits=parent_logits,
                recipe=recipe,
            )  # fmt: skip
            loss, _ = train_step(model, optimizer, schedule, x, loss_of)
            if report is not None:
                report(step, loss.item())
    finally:
        for parameter in model.parameters():
            parameter.requires_grad_(True)
    if recipe.blend < 1:
        _blend(model, start, recipe.blend)
    if guard is not None and _errors(model, *guard) > allowed:
        tuned = copy.deepcopy(model.state_dict())
        for share in BLENDS:  # back towards the parent until within budget
            model.load_state_dict(tuned)
            _blend(model, start, share)
            if _errors(model, *guard) <= allowed:
                break
    return model.eval()


@torch.no_grad()
def _errors(model: nn.Module, x: torch.Tensor, labels: torch.Tensor) -> int:
    model.eval()
    wrong = [(model(x[i : i + 500]).argmax(1) != labels[i : i + 500]).sum().item()
             for i in range(0, len(x), 500)]  # fmt: skip
    return int(sum(wrong))


@torch.no_grad()
def _blend(model: nn.Module, start: dict, share: float) -> None:
    """Move `model`'s weights back towards `start`: start + share · (now - start)."""
    for key, value in model.state_dict().items():
        if value.is_floating_point():
            value.copy_(start[key].lerp(value, share))


def teach(
    model: nn.Module,
    records: Sequence[LabelledDrawing],
    replay: Split | None,
    recipe: Recipe = Recipe(),
    unscaled: bool = False,
) -> nn.Module:
    """A person's digits (stroke records) → `model` fine-tuned on them in
    place, the whole recipe: drawn as `digit_images` does, then `personalise`.
    The command line (and so the app) and the benchmark all run this. No ink
    to learn from: ValueError."""
    mine = digit_images(records, recipe.variants, recipe.seed, recipe.warp)
    if len(mine) == 0:
        raise ValueError("holds no digits with ink to learn from")
    return personalise(
        model, mine, replay, recipe, unscaled=unscaled, digits=len(records)
    )
