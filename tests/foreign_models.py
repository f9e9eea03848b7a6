"""Model files as people have them, made from our shipped MLP so they read
MNIST well: Keras (.keras, .h5), TorchScript, ONNX with external data, and the
files that are refused (a state_dict, a pickled model, TensorFlow's formats).

    path = keras_mlp(tmp_path / "mlp.keras")    # expects N×28×28×1, 0–1

Keras runs on the torch backend here, as in the conversion. Our models are
trained with label smoothing, which leaves them under-confident (their
log-likelihood on MNIST is best with logits doubled); a tutorial's model is
not, so these have their logits doubled (`SHARPEN`), as if trained without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import torch

from mnist_canvas.models.checkpoint_file import load_checkpoint
from mnist_canvas.models.classifier import resolve_model
from mnist_canvas.models.convention import MNIST_MEAN, MNIST_STD

SHARPEN = 2.0


def _mlp_weights() -> tuple[np.ndarray, ...]:
    """The shipped MLP's layers, the first one taking 0–1 values (MNIST's
    normalisation folded into its weights and bias)."""
    network, _ = load_checkpoint(resolve_model("mlp"))
    first, last = network[1], network[4]
    w1, b1 = first.weight.detach().numpy(), first.bias.detach().numpy()
    kernel = (w1 / MNIST_STD).T
    bias = b1 - (MNIST_MEAN / MNIST_STD) * w1.sum(axis=1)
    kernel2, bias2 = last.weight.detach().numpy().T, last.bias.detach().numpy()
    return kernel, bias, kernel2 * SHARPEN, bias2 * SHARPEN


def keras():
    """Keras on the torch backend, or the test skipped without the extra."""
    import pytest

    os.environ.setdefault("KERAS_BACKEND", "torch")  # before Keras is imported
    pytest.importorskip("h5py", reason="the keras extra is not installed")
    return pytest.importorskip("keras", reason="the keras extra is not installed")


def keras_mlp(path: Path, shape=(28, 28, 1), extra=()) -> Path:
    """A Keras MLP (softmax out) reading `shape` inputs of 0–1, white on black;
    `extra` layers go before it (a Lambda, a custom layer)."""
    k = keras()
    model = k.Sequential(
        [
            k.Input(shape),
            *extra,
            k.layers.Flatten(),
            k.layers.Dense(256, activation="relu"),
            k.layers.Dense(10, activation="softmax"),
        ]
    )
    kernel, bias, kernel2, bias2 = _mlp_weights()
    model.layers[-2].set_weights([kernel, bias])
    model.layers[-1].set_weights([kernel2, bias2])
    model.save(path)
    return path


class Grey(torch.nn.Module):
    """The shipped MLP behind 3-channel input (N×3×28×28 or N×28×28×3), 0–1:
    a colour convolution (3 channels in, as a colour network's first layer)
    averages them back to grey."""

    def __init__(self, channels_last: bool):
        super().__init__()
        self.model, _ = load_checkpoint(resolve_model("mlp"))
        self.colour = torch.nn.Conv2d(3, 1, 1, bias=False)
        torch.nn.init.constant_(self.colour.weight, 1 / 3)
        self.channels_last = channels_last

    def forward(self, x):
        x = x.permute(0, 3, 1, 2) if self.channels_last else x
        grey = self.colour(x)
        return self.model((grey - MNIST_MEAN) / MNIST_STD) * SHARPEN


def torchscript(path: Path, channels_last: bool = False) -> Path:
    shape = (1, 28, 28, 3) if channels_last else (1, 3, 28, 28)
    traced = torch.jit.trace(Grey(channels_last).eval(), torch.zeros(shape))
    torch.jit.save(traced, str(path))
    return path


class Five(torch.nn.Module):
    """Not a digit model: five numbers in, ten out."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(5, 10)

    def forward(self, x):
        return self.fc(x)


def not_a_digit_model(path: Path) -> Path:
    torch.jit.save(torch.jit.trace(Five(), torch.zeros(1, 5)), str(path))
    return path


class Net(torch.nn.Module):
    """A tutorial's network, for the refused pickles."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(784, 10)

    def forward(self, x):
        return self.fc(x.flatten(1))


def state_dict(path: Path) -> Path:
    torch.save(Net().state_dict(), path)
    return path


def pickled(path: Path) -> Path:
    torch.save(Net(), path)
    return path


def saved_model(path: Path) -> Path:
    (path / "variables").mkdir(parents=True)
    (path / "saved_model.pb").write_bytes(b"\x08\x01\x12\x00")
    return path


def tflite(path: Path) -> Path:
    path.write_bytes(b"\x1c\x00\x00\x00TFL3" + bytes(64))
    return path
