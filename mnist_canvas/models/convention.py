"""How a model wants its input: layout, value range and polarity.

    >>> c = Convention("nhwc", "0-255", "black-on-white")
    >>> c.describe()
    'expects 0–255 pixel values, black ink on white, as N×28×28×1'
    >>> Convention("nchw3", "0-1").to_tensor(np.zeros((2, 28, 28))).shape
    (2, 3, 28, 28)
    >>> c.to_tensor(np.zeros((2, 28, 28), np.float32)).shape
    (2, 28, 28, 1)

The app's pipeline hands every model the same 28×28 picture: values 0–1,
white ink on black (MNIST's own way). A convention turns that picture into the
tensor one model was trained on. Our own models take N×1×28×28 with MNIST's
mean and std (`OURS`); a model made elsewhere may want 0–255 values, black ink
on white, or a flat 784-vector. `steps` are the pipeline's step switches it
was trained with (crop, fit, centre…); its values come from the convention,
so a model with one always gets the pipeline's 0–1 output.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import product

import numpy as np

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
# Identifier → (the shape after the batch dimension, how people write it).
LAYOUTS: dict[str, tuple[tuple[int, ...], str]] = {
    "nchw": ((1, 28, 28), "N×1×28×28"),
    "nhwc": ((28, 28, 1), "N×28×28×1"),
    "nhw": ((28, 28), "N×28×28"),
    "flat": ((784,), "N×784"),
    # ImageNet-style code copies the grey digit into three colour channels.
    "nchw3": ((3, 28, 28), "N×3×28×28"),
    "nhwc3": ((28, 28, 3), "N×28×28×3"),
}
RANGES: dict[str, str] = {
    "0-1": "0–1 pixel values",
    "0-255": "0–255 pixel values",
    "mnist": "MNIST-normalised values (mean 0.1307, std 0.3081)",
    "-1-1": "-1 to 1 pixel values",
}
POLARITIES: dict[str, str] = {
    "white-on-black": "white ink on black",
    "black-on-white": "black ink on white",
}
# The pipeline switches a model with a convention always runs with: 0–1 values.
VALUE_STEPS = {"scale": True, "normalize": False}
OUTPUTS = ("logits", "probabilities", "log-probabilities")


class ConventionError(ValueError):
    """A convention that names an unknown layout, range or polarity."""


@dataclass(frozen=True)
class Convention:
    layout: str = "nchw"
    range: str = "mnist"
    polarity: str = "white-on-black"
    steps: Mapping[str, bool] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        for value, known in (
            (self.layout, LAYOUTS),
            (self.range, RANGES),
            (self.polarity, POLARITIES),
        ):
            if value not in known:
                raise ConventionError(
                    f"unknown convention value {value!r}; known: {', '.join(known)}"
                )

    def to_tensor(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) values 0–1, white on black → this model's float32 tensor."""
        x = np.asarray(inputs, dtype=np.float32)
        if self.polarity == "black-on-white":
            x = 1.0 - x
        if self.range == "0-255":
            x = x * 255.0
        elif self.range == "mnist":
            x = (x - MNIST_MEAN) / MNIST_STD
        elif self.range == "-1-1":
            x = x * 2.0 - 1.0
        shape = LAYOUTS[self.layout][0]
        if 3 in shape:  # the grey digit in every colour channel
            axis = shape.index(3)
            grey = x.reshape(
                len(x), *(1 if i == axis else d for i, d in enumerate(shape))
            )
            x = np.repeat(grey, 3, axis=axis + 1)
        return np.ascontiguousarray(x.reshape(len(x), *shape), dtype=np.float32)

    def describe(self) -> str:
        """In words: 'expects 0–255 pixel values, black ink on white, as N×784'."""
        return (
            f"expects {RANGES[self.range]}, {POLARITIES[self.polarity]}, "
            f"as {LAYOUTS[self.layout][1]}"
        )

    def short(self) -> str:
        """For a table cell: 'N×784, 0-255, black-on-white'."""
        return f"{LAYOUTS[self.layout][1]}, {self.range}, {self.polarity}"

    def to_dict(self, steps: bool = True) -> dict:
        data = {"layout": self.layout, "range": self.range, "polarity": self.polarity}
        if steps and self.steps:
            data["steps"] = dict(self.steps)
        return data

    @classmethod
    def from_dict(cls, data: object) -> Convention:
        if not isinstance(data, Mapping):
            raise ConventionError(f"a convention must be an object, not {data!r}")
        steps = data.get("steps", {})
        if not isinstance(steps, Mapping) or not all(
            isinstance(v, bool) for v in steps.values()
        ):
            raise ConventionError(f"'steps' must map step names to true/false: {steps}")
        return cls(
            str(data.get("layout")),
            str(data.get("range")),
            str(data.get("polarity")),
            dict(steps),
        )


OURS = Convention("nchw", "mnist", "white-on-black")


def candidates(layouts: list[str]) -> list[Convention]:
    """Every range and polarity for each of `layouts`."""
    return [Convention(*c) for c in product(layouts, RANGES, POLARITIES)]


def output_kind(scores: np.ndarray) -> str:
    """Guess what a model's (N, 10) outputs are from their values."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0 or not np.isfinite(scores).all():
        return "logits"
    if (scores >= 0).all() and np.allclose(scores.sum(axis=1), 1, atol=1e-3):
        return "probabilities"
    if (scores <= 0).all() and np.allclose(np.exp(scores).sum(axis=1), 1, atol=1e-3):
        return "log-probabilities"
    return "logits"


def to_probabilities(scores: np.ndarray, kind: str = "logits") -> np.ndarray:
    """(N, 10) outputs of `kind` → probabilities summing to 1. The softmax of
    log-probabilities is the probabilities themselves."""
    scores = np.asarray(scores, dtype=np.float32).reshape(len(scores), -1)
    if kind == "probabilities":
        total = scores.sum(axis=1, keepdims=True)
        return scores / np.where(total > 0, total, 1)
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return exp / exp.sum(axis=1, keepdims=True)
