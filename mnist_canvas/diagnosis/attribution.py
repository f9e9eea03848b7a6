"""Which pixels decided it: occlusion, batched through the engine.

    found = occlusion(classifier, model_input)                # for its answer
    found = occlusion(classifier, model_input, contrast=True)  # against runner-up
    found.map                                                  # (28, 28)

Every PATCH×PATCH square of the 28×28 input (moved STRIDE pixels at a time) is
painted over with the input's background; all of them go through the model in
one batch, so any model the app runs (ours or an imported ONNX one) is
explained the same way. A pixel's value is the average fall of the score over
the squares that cover it. The score is the log-probability of the digit read
(with `contrast`: log p(digit) - log p(runner-up)), so a positive value is
evidence for the digit (against the runner-up) and a negative one against it.
Log-probabilities keep a confident answer's evidence visible: at 99.9 % a
probability barely moves, its logarithm does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..models.classifier import Classifier

SIDE = 28
PATCH, STRIDE = 4, 2  # 13 × 13 = 169 squares: one batch of 170 inputs
TINY = 1e-12


@dataclass(frozen=True)
class Attribution:
    """Evidence per pixel for `digit` (against `against` when set)."""

    map: np.ndarray  # (28, 28) float32
    digit: int
    against: int | None
    probabilities: np.ndarray  # (10,) of the input itself


@lru_cache(maxsize=4)
def squares(patch: int = PATCH, stride: int = STRIDE) -> np.ndarray:
    """(P, 28, 28) masks, one per square, together covering every pixel."""
    starts = list(range(0, SIDE - patch + 1, stride))
    if starts[-1] != SIDE - patch:
        starts.append(SIDE - patch)
    masks = np.zeros((len(starts) ** 2, SIDE, SIDE), dtype=bool)
    for i, (top, left) in enumerate((t, s) for t in starts for s in starts):
        masks[i, top : top + patch, left : left + patch] = True
    masks.flags.writeable = False
    return masks


def background(model_input: np.ndarray) -> float:
    """The value of the paper: the median of the input's border."""
    pixels = np.asarray(model_input)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    return float(np.median(border))


def score(probabilities: np.ndarray, digit: int, against: int | None) -> np.ndarray:
    """log p(digit), less log p(against) when given; rows of (N, 10)."""
    logs = np.log(np.maximum(probabilities, TINY))
    return logs[:, digit] - (0.0 if against is None else logs[:, against])


def occlusion(
    classifier: Classifier,
    model_input: np.ndarray,
    contrast: bool = False,
    patch: int = PATCH,
    stride: int = STRIDE,
) -> Attribution:
    """Attribution for the digit `classifier` reads in `model_input` (28×28,
    the model's input). Raises whatever the model raises (ModelError)."""
    model_input = np.asarray(model_input, dtype=np.float32)
    if model_input.shape != (SIDE, SIDE):
        raise ValueError(f"A model input is 28×28, not {model_input.shape}")
    masks = squares(patch, stride)
    batch = np.repeat(model_input[None], len(masks) + 1, axis=0)
    batch[1:][masks] = background(model_input)
    probabilities = classifier.probabilities(batch)
    first = probabilities[0]
    order = np.argsort(first)[::-1]
    digit = int(order[0])
    against = int(order[1]) if contrast else None
    scores = score(probabilities, digit, against)
    falls = (scores[0] - scores[1:]).astype(np.float32)
    covered = masks.sum(axis=0)
    summed = np.tensordot(falls, masks.astype(np.float32), axes=1)
    return Attribution(summed / covered, digit, against, first)


def most_attributed(attribution: np.ndarray, fraction: float) -> np.ndarray:
    """Flat indices of the `fraction` of pixels with the highest attribution."""
    flat = np.asarray(attribution).ravel()
    count = max(1, round(fraction * flat.size))
    return np.argsort(flat)[::-1][:count]
