"""What a training image becomes before a network reads it: the one place
training turns MNIST's grey levels into a model's input values (the
pipeline's `model_values`), scaled and normalised, or raw 0–255 for a model
trained `--unscaled`."""

from __future__ import annotations

from collections.abc import Mapping

import torch

from ..models.classifier import expected_steps
from ..pipeline.steps import model_values


def input_steps(unscaled: bool = False) -> dict[str, bool]:
    """The value steps a model's input takes: scale and normalise, or neither."""
    return {"scale": not unscaled, "normalize": not unscaled}


def normalize(images: torch.Tensor, unscaled: bool = False) -> torch.Tensor:
    """uint8 (N, 28, 28) → the model's input: float (N, 1, 28, 28), normalised
    (or left at 0–255 for a model trained `unscaled`)."""
    return model_values(images.float(), **input_steps(unscaled)).unsqueeze(1)


def batch_values(x: torch.Tensor, unscaled: bool = False) -> torch.Tensor:
    """A batch of grey levels 0–1 (as augmentation leaves them) → the model's
    input: normalised, or 0–255 for a model trained `unscaled`."""
    return x * 255.0 if unscaled else model_values(x, scale=False)


def parent_unscaled(metadata: Mapping) -> bool:
    """Whether a checkpoint was trained on 0–255 values (neither scaled nor
    normalised, `--unscaled`); a mix of the two steps cannot be fine-tuned."""
    steps = expected_steps(metadata)
    if steps["scale"] != steps["normalize"]:
        raise ValueError(
            "a model trained with only one of the scale and normalise steps "
            "cannot be personalised"
        )
    return not steps["scale"]
