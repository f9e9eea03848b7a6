"""ONNX models for tests: our shipped weights behind a known input convention.

    path = wrapped_model(tmp_path, Convention("nhwc", "0-255", "black-on-white"))

The wrapper undoes the convention (back to N×1×28×28, MNIST-normalised, white on
black) and runs the shipped model, so the right convention reads MNIST as well
as the shipped model does and detection has an answer to recover.
"""

from __future__ import annotations

from pathlib import Path

import torch

from mnist_canvas.models.checkpoint_file import load_checkpoint
from mnist_canvas.models.classifier import resolve_model
from mnist_canvas.models.convention import MNIST_MEAN, MNIST_STD, Convention


class Wrapped(torch.nn.Module):
    def __init__(self, model, convention: Convention, output: str = "logits"):
        super().__init__()
        self.model, self.convention, self.output = model, convention, output

    def forward(self, x):
        c = self.convention
        x = x.reshape(-1, 1, 28, 28) if c.layout != "nhwc" else x.permute(0, 3, 1, 2)
        if c.range == "0-255":
            x = x / 255.0
        elif c.range == "mnist":
            x = x * MNIST_STD + MNIST_MEAN
        elif c.range == "-1-1":
            x = (x + 1.0) / 2.0
        if c.polarity == "black-on-white":
            x = 1.0 - x
        logits = self.model((x - MNIST_MEAN) / MNIST_STD)
        if self.output == "probabilities":
            return torch.softmax(logits, dim=1)
        if self.output == "log-probabilities":
            return torch.log_softmax(logits, dim=1)
        return logits


def export(module, example, path: Path, dynamic: bool = True, **kwargs) -> Path:
    axes = {"x": {0: "n"}, "y": {0: "n"}} if dynamic else None
    with torch.inference_mode():
        torch.onnx.export(
            module.eval(), example, str(path), input_names=["x"],
            output_names=["y"], dynamic_axes=axes, dynamo=False, **kwargs,
        )  # fmt: skip
    return path


def wrapped_model(
    folder: Path,
    convention: Convention,
    output: str = "logits",
    dynamic: bool = True,
    model: str = "mlp",
) -> Path:
    """An ONNX file of the shipped `model` expecting `convention`."""
    network, _ = load_checkpoint(resolve_model(model))
    from mnist_canvas.models.convention import LAYOUTS

    example = torch.zeros(1, *LAYOUTS[convention.layout][0])
    name = f"{model}-{convention.layout}-{convention.range}-{convention.polarity}"
    path = Path(folder) / f"{name}-{output}.onnx"
    return export(Wrapped(network, convention, output), example, path, dynamic)


def imported_model(folder: Path, convention: Convention, model: str = "mlp") -> Path:
    """`wrapped_model` with the sidecar an import writes (no MNIST needed)."""
    import json

    from mnist_canvas.models.imported import sidecar_path

    path = wrapped_model(folder, convention, model=model)
    sidecar_path(path).write_text(json.dumps({
        "model": {"arch": "imported ONNX"}, "convention": convention.to_dict(),
        "output": "logits", "preprocessing": dict(convention.steps),
    }))  # fmt: skip
    return path
