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

    >>> from mnist_canvas.ink.drawing import Drawing, Stroke
    >>> d = Drawing(strokes=(Stroke.from_points([(140, 60), (140, 220)]),))
    >>> result = preprocess(d, stages=True)
    >>> result.input.shape, [s.name for s in result.stages][:3]
    ((28, 28), ['canvas', 'pen', 'invert'])

Switched off, a step passes its input through unchanged, except `center`, which
then places the image by its bounding box, since a model needs 28×28 either way.
With `stages=True` every stage's image is kept (with its step's name) for the
app's pipeline strip; the live path asks for none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..ink.drawing import Drawing
from ..ink.raster import PAPER, ink_extent, render
from .steps import BOX, IMAGE_STEPS, STROKE_STEPS, Image, switches

# Below this many grey levels of ink anywhere, the picture counts as empty.
EMPTY_INK = 4.0
# Canvases are rendered with their longer side in this range (pixels): enough
# detail for a 20 px digit, bounded work for huge canvases.
RENDER_RANGE = (140, 560)
# With fit and anti-aliasing on, the ink is rendered this many times as large
# as the 20 px box it is fitted into: enough for the box filter to average.
# Measured on pen digits (cnn-bn, default placement): 3 and 4 cost 0.09 and
# 0.10 points of accuracy against the full-canvas render, 5 costs 0.04.
DETAIL = 5


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


def picture_image(source: np.ndarray) -> Image:
    """A picture (2-D array, 0–255) in the canvas's convention: dark ink on
    light paper. Its background is the median of its border; a picture with a
    dark border is inverted first, so every source enters the same way."""
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


def render_scale(
    drawing: Drawing, state: Mapping[str, bool] | None = None, extent=None
) -> float:
    """Pixels per canvas unit for the one render of a drawing.

    With crop, anti-alias and fit on, `fit` only needs the ink at DETAIL × 20
    px: the ink's extent is rendered that large, whatever the canvas size.
    Otherwise (or with no `state`: for display) the canvas is rendered with
    its longer side in RENDER_RANGE, as the switched-off steps need to show
    what they prevent (point samples of a sharp image, the digit at its size).
    `extent`: the drawing's `ink_extent`, when the caller has it already.
    """
    longer = max(drawing.width, drawing.height)
    low, high = RENDER_RANGE
    if state is None:
        return low / longer
    canvas = min(max(longer, low), high) / longer
    if not (state["fit"] and state["antialias"]):
        return canvas
    if extent is None and state["crop"]:
        extent = ink_extent(drawing)
    region = extent if state["crop"] else (0.0, 0.0, drawing.width, drawing.height)
    if region is None:
        return canvas
    side = max(region[2] - region[0], region[3] - region[1], 1e-9)
    return min(DETAIL * BOX / side, high / longer)


def render_drawing(
    drawing: Drawing, scale: float, inked: bool = False, extent=None
) -> Image:
    """The drawing rendered with `scale` pixels per canvas unit (`inked`: only
    the box around its ink, for a `crop` that follows; `extent`: its
    `ink_extent`, when known)."""
    width = max(1, round(drawing.width * scale))
    height = max(1, round(drawing.height * scale))
    return Image(render(drawing, (width, height), inked, extent), PAPER)


def preprocess(
    source: Drawing | np.ndarray,
    switched: Mapping[str, bool] | None = None,
    stages: bool = False,
) -> Preprocessed:
    """Run every step on a drawing or a canvas-convention picture (0–255).

    Steps on strokes run first, then the drawing is rendered once, at the
    resolution the next steps need; the image steps follow. `stages` also
    keeps every stage's image, for display (it costs one more render, of the
    drawing as drawn, when a stroke step changed it).
    """
    state = dict(switches()) if switched is None else {**switches(), **switched}
    shown: list[Stage] = []
    if isinstance(source, Drawing):
        drawing = source
        for step in STROKE_STEPS:
            drawing = step.apply(drawing, state[step.name], state)
        # Crop keeps only the ink, so without stages to show only its box is
        # rendered: the same pixels, without the blank canvas around them.
        inked = state["crop"] and not stages
        extent = ink_extent(drawing)  # once, for the scale and the render
        scale = render_scale(drawing, state, extent)
        image = render_drawing(drawing, scale, inked, extent)
        if stages:
            as_drawn = image if drawing is source else None
            as_drawn = as_drawn or render_drawing(source, render_scale(source))
            shown.append(Stage("canvas", "Canvas", True, as_drawn.pixels))
    else:
        image = picture_image(source)
        if stages:
            shown.append(Stage("canvas", "Canvas", True, image.pixels))
    if image.ink().max(initial=0.0) < EMPTY_INK:
        return Preprocessed(None, tuple(shown))  # nothing drawn: no input
    if stages:
        shown += [Stage(s.name, s.label, state[s.name], image.pixels)
                  for s in STROKE_STEPS]  # fmt: skip
    for step in IMAGE_STEPS:
        image = step.apply(image, state[step.name], state)
        if stages:
            pixels = image.settled().pixels
            shown.append(Stage(step.name, step.label, state[step.name], pixels))
    return Preprocessed(image.pixels.astype(np.float32), tuple(shown))
