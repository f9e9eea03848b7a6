"""Training: `fit(config, data)` yields progress and can stop between any two yields.

    for progress in fit(TrainConfig(epochs=1, train_size=500), load_mnist(folder)):
        print(progress.epoch, progress.train_loss)
        if bored:
            break          # stopping is simply not asking for more
    model = progress.model  # set on the last progress ("done")

AdamW with a one-cycle schedule, label smoothing, weight decay, batch-level
augmentation, optionally an exponential moving average of the weights (then
what is validated and kept), early stopping on a validation split carved from
MNIST's training set (the test set is never used to choose anything), a seed
for every random draw. train.py and the app both run this.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import AveragedModel

from ..data.mnist import Mnist, Split, validation_split
from ..models.architectures import average_of, build_model
from ..models.registry import REGISTRY
from .augment import augment
from .config import Progress, TrainConfig
from .distill import Teachers, distillation_loss, teacher_probabilities
from .values import batch_values, input_steps, normalize

__all__ = [
    "Progress", "TrainConfig", "evaluate", "fit", "input_steps", "joined",
    "label_loss", "normalize", "train_step",
]  # fmt: skip


@torch.inference_mode()
def evaluate(
    model: nn.Module, split: Split, batch: int = 1000, unscaled: bool = False
) -> tuple[float, float]:
    """(mean loss, accuracy) of `model` on a split."""
    model.eval()
    device = next(model.parameters()).device
    loss, correct = 0.0, 0
    for i in range(0, len(split), batch):
        x = normalize(split.images[i : i + batch], unscaled).to(device)
        y = split.labels[i : i + batch].to(device)
        logits = model(x)
        loss += F.cross_entropy(logits, y, reduction="sum").item()
        correct += (logits.argmax(1) == y).sum().item()
    return loss / len(split), correct / len(split)


def label_loss(y: torch.Tensor, label_smoothing: float):
    """The loss of logits against labels `y` (cross-entropy, smoothed)."""
    return lambda logits: F.cross_entropy(logits, y, label_smoothing=label_smoothing)


def train_step(model, optimizer, schedule, x, loss_of):
    """One optimisation step on a batch with the loss `loss_of(logits)`
    (`label_loss`, or `distill.distillation_loss` given the batch's
    teachers); returns (loss, logits)."""
    logits = model(x)
    loss = loss_of(logits)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    schedule.step()
    return loss, logits


def mnist_split(config: TrainConfig, data: Mnist) -> tuple[Split, Split]:
    """MNIST's training images → (train, validation), the same for every
    config with the same `val_size`."""
    return validation_split(data.train, config.val_size, seed=0)


def training_split(config: TrainConfig, data: Mnist) -> tuple[Split, Split]:
    """The (train, validation) images a config trains on."""
    train, val = mnist_split(config, data)
    if config.imbalance is not None:
        digit, kept = config.imbalance
        is_digit = train.labels == digit
        count = int(is_digit.sum())
        drop = torch.nonzero(is_digit).flatten()[round(count * kept) :]
        keep = torch.ones(len(train), dtype=torch.bool)
        keep[drop] = False
        train = train.subset(keep)
    if config.train_size is not None:
        train = train.subset(torch.arange(min(config.train_size, len(train))))
    if config.pen_train is not None:
        from .pen_data import pen_held_out

        pen, _ = pen_held_out(config)
        train = Split(
            torch.cat([train.images, pen.images]), torch.cat([train.labels, pen.labels])
        )
    return train, val


def moving_average(model: nn.Module, decay: float) -> AveragedModel:
    """An exponential moving average of `model`'s weights and buffers.

    The decay ramps up as (1 + n) / (10 + n) over the first updates, so early
    validation does not judge a mix dominated by the random initial weights.
    """

    def average(mean: torch.Tensor, new: torch.Tensor, n: torch.Tensor):
        d = min(decay, (1 + int(n)) / (10 + int(n)))
        if not mean.is_floating_point():  # BatchNorm's batch counter
            return new
        return mean.lerp(new, 1 - d)

    return AveragedModel(model, avg_fn=average, use_buffers=True)


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("No CUDA device is available here; use --device cpu")
    return torch.device(name)


def fit(config: TrainConfig, data: Mnist) -> Iterator[Progress]:
    """Train a model as `config` says; see the module docstring.

    A model that averages members (`cnn-bn-wide-x2`) trains each member in
    turn, member i with seed `config.seed + i` (progress counts the epochs of
    all of them), then joins them (`average_of`) and validates the result."""
    averages = REGISTRY[config.model.arch].averages
    if averages is None:
        yield from _fit_single(config, data)
        return
    member, count = averages
    members, offset, last = [], 0.0, None
    for i in range(count):
        member_config = replace(
            config, model=replace(config.model, arch=member), seed=config.seed + i
        )
        for last in _fit_single(member_config, data):
            last = replace(last, epoch=i * config.epochs + last.epoch,
                           epochs=count * config.epochs,
                           elapsed=offset + last.elapsed)  # fmt: skip
            if last.phase != "done":
                yield last
        members.append(last.model)
        offset = last.elapsed
    model, val_loss, val_acc = joined(config, members, data)
    yield replace(last, val_loss=val_loss, val_accuracy=val_acc, model=model)


def joined(
    config: TrainConfig, members: Sequence[nn.Module], data: Mnist
) -> tuple[nn.Module, float, float]:
    """Trained members → (the averaging model `config` names, its validation
    loss and accuracy); a member of another architecture: ValueError."""
    model = build_model(config.model)
    try:
        model.load_state_dict(average_of(members).state_dict())
    except (RuntimeError, IndexError, TypeError, AttributeError) as error:
        raise ValueError(
            f"These models cannot be joined into {config.model.arch}: {error}"
        ) from None
    val_loss, val_acc = evaluate(
        model, mnist_split(config, data)[1], unscaled=config.unscaled
    )
    return model.eval(), val_loss, val_acc


class Teaching:
    """The teachers, as the training loop sees them: for each batch, the loss
    of the model's logits. Without teachers, the labels alone; with them, the
    labels and the teachers' mean probabilities, read either once per image
    before training or, `distill_augmented`, from each augmented batch."""

    def __init__(self, config: TrainConfig, train_images: torch.Tensor, device):
        self.config, self.live, self.fixed = config, None, None
        if config.teachers and config.distill_augmented:
            self.live = Teachers(config.teachers, config.distill_temperature, device)
        elif config.teachers:
            self.fixed = teacher_probabilities(
                config.teachers, train_images, config.distill_temperature
            )

    def loss(self, index: torch.Tensor, x: torch.Tensor, y: torch.Tensor):
        """`loss_of(logits)` for the batch of training images `index`, whose
        augmented grey levels are `x` and labels `y` (both on the device)."""
        c = self.config
        if self.live is None and self.fixed is None:
            return label_loss(y, c.label_smoothing)
        taught = (
            self.live.read(x)
            if self.live is not None
            else self.fixed[index].to(y.device)
        )
        return partial(
            distillation_loss, labels=y, taught=taught, weight=c.distill,
            temperature=c.distill_temperature, label_smoothing=c.label_smoothing,
        )  # fmt: skip


@dataclass
class Run:
    """One model's training, set up: its data, optimiser, schedule, teachers."""

    config: TrainConfig
    device: torch.device
    gen: torch.Generator
    train: Split
    val: Split
    images: torch.Tensor  # the training images as float (N, 1, 28, 28) 0–1
    model: nn.Module
    optimizer: torch.optim.Optimizer
    schedule: torch.optim.lr_scheduler.LRScheduler
    steps: int  # per epoch
    ema: AveragedModel | None
    teaching: Teaching
    start: float

    @property
    def kept(self) -> nn.Module:
        """What is validated and kept: the weights' average, or the weights."""
        return self.ema.module if self.ema is not None else self.model

    def progress(self, phase, epoch, step, train, val) -> Progress:
        return Progress(
            phase, epoch, self.config.epochs, step, self.steps, *train, *val,
            self.schedule.get_last_lr()[0], time.perf_counter() - self.start,
        )  # fmt: skip


def prepare(config: TrainConfig, data: Mnist) -> Run:
    """Seeds, data, model, AdamW under a one-cycle schedule, teachers."""
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    device = resolve_device(config.device)
    train, val = training_split(config, data)
    if len(train) == 0:
        raise ValueError("No training images are left with these settings")
    model = build_model(config.model).to(device)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.lr, weight_decay=config.weight_decay
    )
    steps = max(1, -(-len(train) // config.batch_size))
    # OneCycleLR divides by zero below 8 steps; tiny runs just end early in it.
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, config.lr, total_steps=max(steps * config.epochs, 8),
        pct_start=0.25,
    )  # fmt: skip
    return Run(
        config, device, torch.Generator().manual_seed(config.seed), train, val,
        train.images.float().div_(255.0).unsqueeze(1), model, optimizer, schedule,
        steps, moving_average(model, config.ema) if config.ema else None,
        Teaching(config, train.images, device), time.perf_counter(),
    )  # fmt: skip


def train_epoch(run: Run, epoch: int, val: tuple) -> Iterator[Progress]:
    """One pass over the training images in a new order, augmented batch by
    batch; yields progress every `report_every` steps and returns the epoch's
    (mean loss, accuracy) on what it trained on."""
    config, model = run.config, run.model
    model.train()
    order = torch.randperm(len(run.train), generator=run.gen)
    seen, loss_sum, correct = 0, 0.0, 0
    for step in range(1, run.steps + 1):
        index = order[(step - 1) * config.batch_size : step * config.batch_size]
        x = run.images[index]
        if config.augment:
            x = augment(x, config.augment, run.gen)
        y = run.train.labels[index].to(run.device)
        loss_of = run.teaching.loss(index, x.to(run.device), y)
        x = batch_values(x, config.unscaled).to(run.device)
        loss, logits = train_step(model, run.optimizer, run.schedule, x, loss_of)
        if run.ema is not None:
            run.ema.update_parameters(model)
        seen += len(y)
        loss_sum += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        if step % config.report_every == 0 or step == run.steps:
            yield run.progress(
                "step", epoch, step, (loss_sum / seen, correct / seen), val
            )
    return loss_sum / seen, correct / seen


def _fit_single(config: TrainConfig, data: Mnist) -> Iterator[Progress]:
    """Epochs, each validated; the best validated weights are kept, and
    training stops early after `patience` epochs without a gain."""
    run = prepare(config, data)
    val, best, best_state, stale = (None, None), (None, -1.0), None, 0
    for epoch in range(1, config.epochs + 1):
        train = yield from train_epoch(run, epoch, val)
        val = evaluate(run.kept, run.val, unscaled=config.unscaled)
        if val[1] > best[1]:
            best, best_state, stale = val, copy.deepcopy(run.kept.state_dict()), 0
        else:
            stale += 1
        last = run.progress("epoch", epoch, run.steps, train, val)
        yield last
        if config.patience is not None and stale >= config.patience:
            break
    run.kept.load_state_dict(best_state)
    yield replace(  # the validation figures of the model kept, not the last epoch's
        last, phase="done", val_loss=best[0], val_accuracy=best[1],
        model=run.kept.eval().cpu(),
    )  # fmt: skip
