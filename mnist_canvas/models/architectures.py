"""The networks of the registry's architectures, built with torch.

    >>> import torch
    >>> model = build_model(ModelConfig("cnn"))
    >>> model(torch.zeros(2, 1, 28, 28)).shape
    torch.Size([2, 10])

Models know nothing of training or files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import torch
from torch import nn

from .registry import ACTIVATIONS, REGISTRY, ModelConfig


def _conv_block(c_in: int, c_out: int, act, kernel: int = 3) -> list[nn.Module]:
    conv = nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, bias=False)
    return [conv, nn.BatchNorm2d(c_out), act()]


def _mlp(act, dropout: bool) -> nn.Module:
    """One hidden layer: sees pixels, not shapes; shifts and strokes fool it."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(28 * 28, 256),
        act(),
        nn.Dropout(0.3 if dropout else 0.0),
        nn.Linear(256, 10),
    )


def _cnn(act, dropout: bool) -> nn.Module:
    """One convolution, one pooling, one dense layer."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3),
        act(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.5 if dropout else 0.0),
        nn.Linear(32 * 13 * 13, 128),
        act(),
        nn.Linear(128, 10),
    )


def _cnn_dropout(act, dropout: bool) -> nn.Module:
    """Two convolutions with dropout, like PyTorch's classic MNIST example."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3),
        act(),
        nn.Conv2d(32, 64, 3),
        act(),
        nn.MaxPool2d(2),
        nn.Dropout(0.25 if dropout else 0.0),
        nn.Flatten(),
        nn.Linear(64 * 12 * 12, 128),
        act(),
        nn.Dropout(0.5 if dropout else 0.0),
        nn.Linear(128, 10),
    )


def _cnn_bn(act, dropout: bool, width: int = 64) -> nn.Module:
    """Small and strong: five convolutions with BatchNorm over three resolutions
    (28, 14, 7), then dropout. Narrow early layers keep it fast on a CPU; the
    7×7 stage has `width` channels (64: 76 k parameters, 128: 211 k)."""
    return nn.Sequential(
        *_conv_block(1, 16, act, kernel=5),
        nn.MaxPool2d(2),  # 14×14
        *_conv_block(16, 32, act),
        *_conv_block(32, 32, act),
        nn.MaxPool2d(2),  # 7×7
        *_conv_block(32, width, act),
        *_conv_block(width, width, act),
        nn.MaxPool2d(2),  # 3×3
        nn.Flatten(),
        nn.Dropout(0.3 if dropout else 0.0),
        nn.Linear(width * 3 * 3, 10),
    )


class SideBySide(nn.Module):
    """Several feature extractors reading the same image; their features
    concatenated."""

    def __init__(self, branches: Sequence[nn.Module]):
        super().__init__()
        self.branches = nn.ModuleList(branches)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.branches], dim=1)


def average_of(members: Sequence[nn.Sequential]) -> nn.Sequential:
    """One network whose logits are the mean of the members' logits (each a
    sequence ending in a linear layer): their bodies side by side, and one
    linear layer holding their heads, each weighted 1/n. An ensemble that runs
    as a single network (one ONNX graph) and is still a sequence ending in a
    linear layer, so its features (all members') serve nearest neighbours."""
    heads = [member[-1] for member in members]
    head = nn.Linear(sum(h.in_features for h in heads), heads[0].out_features)
    with torch.no_grad():
        head.weight.copy_(torch.cat([h.weight for h in heads], dim=1) / len(heads))
        head.bias.copy_(torch.stack([h.bias for h in heads]).mean(0))
    return nn.Sequential(SideBySide([member[:-1] for member in members]), head)


def _averaged(member: str, count: int, act, dropout: bool) -> nn.Module:
    return average_of(
        [BUILDERS[member](act, dropout) for _ in range(count)]  # fresh members
    )


BUILDERS: dict[str, Callable[[Callable[[], nn.Module], bool], nn.Module]] = {
    "mlp": _mlp,
    "cnn": _cnn,
    "cnn-dropout": _cnn_dropout,
    "cnn-bn": _cnn_bn,
    "cnn-bn-wide": partial(_cnn_bn, width=128),
}
BUILDERS.update(
    {
        name: partial(_averaged, *arch.averages)
        for name, arch in REGISTRY.items()
        if arch.averages is not None
    }
)


def build_model(config: ModelConfig) -> nn.Module:
    activation = getattr(nn, ACTIVATIONS[config.activation])
    return BUILDERS[config.arch](activation, bool(config.dropout))


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
