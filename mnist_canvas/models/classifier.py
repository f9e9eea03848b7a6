"""A model bundled with the preprocessing it expects: drawing → probabilities.

    >>> clf = Classifier.load("cnn-bn")                     # doctest: +SKIP
    >>> prediction = clf.predict(drawing)                   # doctest: +SKIP
    >>> prediction.digit, prediction.probabilities.sum()    # doctest: +SKIP
    (7, 1.0)

The app, the evaluator and the benchmarks all call `predict`, so they share one
path: render → preprocess → model → softmax.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.fx.experimental.optimization import fuse

from ..ink.drawing import Drawing
from ..pipeline.preprocess import Preprocessed, preprocess
from ..pipeline.steps import switches
from .checkpoint import SUFFIX, CheckpointError, load_checkpoint
from .registry import DEFAULT_MODEL

WEIGHTS_ENV = "MNIST_CANVAS_WEIGHTS"


def shipped_weights_dir() -> Path:
    """Where the shipped models live: $MNIST_CANVAS_WEIGHTS, the checkout's
    weights/ folder, or the installed share/mnist-canvas/weights."""
    if os.environ.get(WEIGHTS_ENV):
        return Path(os.environ[WEIGHTS_ENV])
    checkout = Path(__file__).resolve().parents[2] / "weights"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "mnist-canvas" / "weights"


def resolve_model(name_or_path: str | os.PathLike | None) -> Path:
    """A shipped model's name (e.g. 'mlp') or a checkpoint path → its file."""
    if name_or_path is None:
        name_or_path = DEFAULT_MODEL
    text = str(name_or_path)
    if text.endswith(SUFFIX) or os.sep in text or "/" in text:
        return Path(text)
    return shipped_weights_dir() / f"{text}{SUFFIX}"


@dataclass(frozen=True)
class Prediction:
    """Ten probabilities (None for an empty drawing) and every pipeline stage."""

    probabilities: np.ndarray | None
    preprocessed: Preprocessed

    @property
    def is_empty(self) -> bool:
        return self.probabilities is None

    @property
    def digit(self) -> int | None:
        return None if self.is_empty else int(self.probabilities.argmax())

    @property
    def confidence(self) -> float | None:
        return None if self.is_empty else float(self.probabilities.max())


class Classifier:
    """One loaded model; cheap to call many times (inference mode, no grads).

    Each BatchNorm is folded into the convolution before it: the same function
    in fewer passes over memory (the default alone: 0.80 → 0.75 ms median on one
    thread, `benchmarks/bench_predict.py`).
    """

    def __init__(self, model: nn.Module, metadata: dict, name: str):
        self.model = fuse(model.eval())
        self.metadata = metadata
        self.name = name
        self.expected_steps = {**switches(), **metadata.get("preprocessing", {})}

    @classmethod
    def load(cls, name_or_path: str | os.PathLike | None = None) -> Classifier:
        """Load by shipped name or by path; raises CheckpointError with a reason."""
        path = resolve_model(name_or_path)
        if not path.is_file():
            raise CheckpointError(f"{path}: no such model file")
        model, metadata = load_checkpoint(path)
        return cls(model, metadata, path.stem)

    def steps(self, overrides: Mapping[str, bool] | None = None) -> dict[str, bool]:
        """The step switches to use: the model's own, with `overrides` applied."""
        return {**self.expected_steps, **(overrides or {})}

    @torch.inference_mode()
    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) model inputs → (N, 10) probabilities."""
        x = torch.from_numpy(np.ascontiguousarray(inputs, dtype=np.float32))
        return torch.softmax(self.model(x.unsqueeze(1)), dim=1).numpy()

    def predict(
        self,
        source: Drawing | np.ndarray,
        steps: Mapping[str, bool] | None = None,
    ) -> Prediction:
        """Classify a drawing or a picture (canvas convention, 0–255)."""
        return self.classify(preprocess(source, self.steps(steps)))

    def classify(self, preprocessed: Preprocessed) -> Prediction:
        """The prediction for an input already preprocessed (none if empty)."""
        if preprocessed.is_empty:
            return Prediction(None, preprocessed)
        return Prediction(self.probabilities(preprocessed.input[None])[0], preprocessed)
