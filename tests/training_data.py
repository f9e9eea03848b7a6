"""Data and settings that make a training run take a second: a synthetic
MNIST of ten learnable classes, and small configs (the `offline`
fixture in conftest keeps train.py's command on that data)."""

import torch

from mnist_canvas.data.mnist import Mnist, Split
from mnist_canvas.models.registry import ModelConfig
from mnist_canvas.training.fit import TrainConfig


def synthetic(n=600, seed=0) -> Mnist:
    """Ten learnable classes: a bright square whose position is the label."""
    gen = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % 10
    images = (torch.rand(n, 28, 28, generator=gen) * 60).to(torch.uint8)
    for i, label in enumerate(labels.tolist()):
        r, c = 4 + (label // 5) * 12, 2 + (label % 5) * 5
        images[i, r : r + 8, c : c + 4] = 255
    split = Split(images, labels)
    return Mnist(split, split, "synthetic")


def small_config(**kw):
    base = {"model": ModelConfig("cnn"), "epochs": 1, "batch_size": 32, "val_size": 100,
                "augment": (), "report_every": 2, "threads": 1}  # fmt: skip
    return TrainConfig(**{**base, **kw})


TINY = TrainConfig(model=ModelConfig("mlp"), epochs=1, batch_size=32, val_size=100,
                   augment=(), train_size=200, threads=1)  # fmt: skip
