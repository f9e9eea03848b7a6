"""Preprocessing: a drawing (or a picture) → the 28×28 input an MNIST model expects.

MNIST's recipe, one named step each, every one switchable so a user can see the
misclassification it prevents:

    invert     white ink on black, as MNIST stores digits
    crop       crop to the ink's bounding box
    antialias  low-pass filter matched to the coming downscale (no jagged edges)
    fit        scale so the longer side is 20 px, keeping the aspect ratio
    center     place in 28×28 with the centre of mass in the middle
    scale      divide by 255, so pixels are in [0, 1]
    normalize  subtract MNIST's mean (0.1307) and divide by its std (0.3081)

and, first, one step beyond MNIST's recipe (measured to help on pen drawings):

    pen        redraw the strokes with a pen width proportional to the digit's
               size, so brush width and drawing size stop mattering

    >>> from mnist_canvas.drawing import Drawing, Stroke
    >>> d = Drawing(strokes=(Stroke.from_points([(140, 60), (140, 220)]),))
    >>> result = preprocess(d)
    >>> result.input.shape, [s.name for s in result.stages][:3]
    ((28, 28), ['canvas', 'pen', 'invert'])

Switched off, a step passes its input through unchanged, except `center`, which
then places the image by its bounding box, since a model needs 28×28 either way.
Every stage's image is kept (with its step's name) for the app's pipeline strip.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..ink.drawing import Drawing
from ..ink.raster import PAPER, render
from .steps import STEPS, Image, switches

# Below this many grey levels of ink anywhere, the picture counts as empty.
EMPTY_INK = 4.0
# Canvases are rendered with their longer side in this range (pixels): enough
# detail for a 20 px digit, bounded work for huge canvases.
RENDER_RANGE = (140, 560)


@dataclass(frozen=True)
class Stage:
    """One step's output, for display: its name, whether it ran, its pixels."""

    name: str
    label: str
    enabled: bool
    pixels: np.ndarray


@dataclass(frozen=True)
class Preprocessed:
    """The model's input (None for an empty picture) and every stage before it."""

    input: np.ndarray | None
    stages: tuple[Stage, ...]

    @property
    def is_empty(self) -> bool:
        return self.input is None


def canvas_image(source: Drawing | np.ndarray, preview: bool = False) -> Image:
    """The pipeline's first stage: dark ink on light paper, float32 0–255.

    A picture (2-D array) is taken as it is; its background is the median of
    its border, and a picture with a dark border is inverted first, so every
    source enters the pipeline in the canvas's convention. `preview` renders a
    drawing at the smallest size in RENDER_RANGE, for display only.
    """
    if isinstance(source, Drawing):
        longer = max(source.width, source.height)
        low, high = RENDER_RANGE
        scale = (low if preview else min(max(longer, low), high)) / longer
        width = max(1, round(source.width * scale))
        height = max(1, round(source.height * scale))
        return Image(render(source, (width, height)), PAPER)
    pixels = np.asarray(source, dtype=np.float32)
    if pixels.ndim != 2 or min(pixels.shape) < 1:
        raise ValueError(f"A picture must be a 2-D grey image, not {pixels.shape}")
    if not np.isfinite(pixels).all():
        raise ValueError("A picture's pixels must be finite numbers")
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    background = float(np.median(border))
    if background < 128:
        pixels, background = 255.0 - pixels, 255.0 - background
    return Image(pixels, background)


def preprocess(
    source: Drawing | np.ndarray, switched: Mapping[str, bool] | None = None
) -> Preprocessed:
    """Run every step on a drawing or a canvas-convention picture (0–255)."""
    state = dict(switches()) if switched is None else {**switches(), **switched}
    # With the even pen on, the drawing as drawn is only shown, never processed:
    # a preview-sized render is enough (the pen step renders at full size).
    redrawn = state["pen"] and isinstance(source, Drawing)
    canvas = canvas_image(source, preview=redrawn)
    stages = [Stage("canvas", "Canvas", True, canvas.pixels)]
    image = canvas
    for step in STEPS:
        image = step.apply(image, state[step.name], state, source)
        if step is STEPS[0] and image.ink().max(initial=0.0) < EMPTY_INK:
            return Preprocessed(None, tuple(stages))  # nothing drawn: no input
        stages.append(Stage(step.name, step.label, state[step.name], image.pixels))
    return Preprocessed(image.pixels.astype(np.float32), tuple(stages))
