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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .drawing import Drawing, Stroke
from .raster import PAPER, render

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
SIDE = 28
BOX = 20
# Below this many grey levels of ink anywhere, the picture counts as empty.
EMPTY_INK = 4.0
# MNIST's strokes are about 2.5 px wide in its 20 px box: an eighth of the digit.
PEN_FRACTION = 0.12
# Canvases are rendered with their longer side in this range (pixels): enough
# detail for a 20 px digit, bounded work for huge canvases.
RENDER_RANGE = (140, 560)


@dataclass(frozen=True)
class Image:
    """An image in the pipeline and the value of its background."""

    pixels: np.ndarray  # float32, 2-D
    background: float

    def ink(self) -> np.ndarray:
        return np.abs(self.pixels - self.background)


def even_pen(drawing: Drawing) -> Drawing:
    """The same strokes, redrawn with a brush proportional to the digit's size
    (pressure still scales it), wherever and however large it was drawn."""
    box = drawing.bounds()
    if box is None:
        return drawing
    size = max(box[2] - box[0], box[3] - box[1])
    if size <= 0:
        return drawing
    brush = PEN_FRACTION * size
    strokes = tuple(Stroke(s.points, brush) for s in drawing.strokes)
    return Drawing(drawing.width, drawing.height, strokes)


def _even_pen(image: Image, on: bool, source) -> Image:
    if not on or not isinstance(source, Drawing):
        return image
    return canvas_image(even_pen(source))


def _invert(image: Image, on: bool) -> Image:
    if not on:
        return image
    return Image(255.0 - image.pixels, 255.0 - image.background)


def _ink_box(image: Image) -> tuple[int, int, int, int]:
    ink = image.ink()
    mask = ink > 0.05 * ink.max()
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    return rows[0], rows[-1] + 1, cols[0], cols[-1] + 1


def _crop(image: Image, on: bool) -> Image:
    if not on:
        return image
    top, bottom, left, right = _ink_box(image)
    return Image(image.pixels[top:bottom, left:right], image.background)


def _fit_shape(image: Image) -> tuple[int, int]:
    h, w = image.pixels.shape
    factor = BOX / max(h, w)
    return max(1, round(h * factor)), max(1, round(w * factor))


def _box_blur_1d(pixels: np.ndarray, width: int, background: float, axis: int):
    """Mean over a centred window of `width` pixels along `axis` (running sums)."""
    if width <= 1:
        return pixels
    half = width // 2
    pad = [(0, 0), (0, 0)]
    pad[axis] = (half + 1, half)
    sums = np.cumsum(np.pad(pixels, pad, constant_values=background), axis=axis)
    n = pixels.shape[axis]
    if axis == 0:
        means = (sums[width : width + n] - sums[:n]) / width
    else:
        means = (sums[:, width : width + n] - sums[:, :n]) / width
    # Running sums round: keep means inside the values they average.
    low, high = min(pixels.min(), background), max(pixels.max(), background)
    return np.clip(means, low, high).astype(np.float32)


def _antialias(image: Image, on: bool, fit_on: bool) -> Image:
    """Average each pixel over the area one output pixel of `fit` will cover."""
    if not on or not fit_on:
        return image
    h, w = image.pixels.shape
    nh, nw = _fit_shape(image)
    pixels = _box_blur_1d(image.pixels, 2 * int(h / nh / 2) + 1, image.background, 0)
    pixels = _box_blur_1d(pixels, 2 * int(w / nw / 2) + 1, image.background, 1)
    return Image(pixels, image.background)


def _sample(pixels: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Bilinear samples of `pixels` at row positions ys × column positions xs."""
    h, w = pixels.shape
    ys = np.clip(ys, 0, h - 1)
    xs = np.clip(xs, 0, w - 1)
    y0 = np.minimum(ys.astype(int), h - 2) if h > 1 else np.zeros(len(ys), int)
    x0 = np.minimum(xs.astype(int), w - 2) if w > 1 else np.zeros(len(xs), int)
    wy = (ys - y0)[:, None] if h > 1 else np.zeros((len(ys), 1))
    wx = (xs - x0)[None, :] if w > 1 else np.zeros((1, len(xs)))
    y1 = np.minimum(y0 + 1, h - 1)
    x1 = np.minimum(x0 + 1, w - 1)
    top = pixels[y0][:, x0] * (1 - wx) + pixels[y0][:, x1] * wx
    bottom = pixels[y1][:, x0] * (1 - wx) + pixels[y1][:, x1] * wx
    return (top * (1 - wy) + bottom * wy).astype(np.float32)


def _fit(image: Image, on: bool) -> Image:
    """Resample so the longer side is 20 px: one sample per output pixel centre."""
    if not on:
        return image
    h, w = image.pixels.shape
    nh, nw = _fit_shape(image)
    ys = (np.arange(nh) + 0.5) * (h / nh) - 0.5
    xs = (np.arange(nw) + 0.5) * (w / nw) - 0.5
    return Image(_sample(image.pixels, ys, xs), image.background)


def _place(image: Image, top: int, left: int) -> np.ndarray:
    """Paste into a 28×28 background with its top-left at (top, left), clipped."""
    out = np.full((SIDE, SIDE), image.background, dtype=np.float32)
    h, w = image.pixels.shape
    src_top, src_left = max(0, -top), max(0, -left)
    dst_top, dst_left = max(0, top), max(0, left)
    rows = min(h - src_top, SIDE - dst_top)
    cols = min(w - src_left, SIDE - dst_left)
    if rows > 0 and cols > 0:
        out[dst_top : dst_top + rows, dst_left : dst_left + cols] = image.pixels[
            src_top : src_top + rows, src_left : src_left + cols
        ]
    return out


def center_of_mass(pixels: np.ndarray, background: float) -> tuple[float, float]:
    """(row, column) of the ink's centre of mass (the middle, if no ink is left:
    point sampling with anti-aliasing off can miss a tiny dot entirely)."""
    ink = np.abs(pixels - background)
    total = ink.sum()
    if total <= 0:
        return (pixels.shape[0] - 1) / 2, (pixels.shape[1] - 1) / 2
    rows = np.arange(pixels.shape[0]) @ ink.sum(axis=1) / total
    cols = np.arange(pixels.shape[1]) @ ink.sum(axis=0) / total
    return float(rows), float(cols)


def _center(image: Image, on: bool) -> Image:
    h, w = image.pixels.shape
    middle = (SIDE - 1) / 2
    if on:
        cy, cx = center_of_mass(image.pixels, image.background)
    else:
        cy, cx = (h - 1) / 2, (w - 1) / 2
    top, left = round(middle - cy), round(middle - cx)
    return Image(_place(image, top, left), image.background)


def _scale(image: Image, on: bool) -> Image:
    if not on:
        return image
    return Image(image.pixels / 255.0, image.background / 255.0)


def _normalize(image: Image, on: bool) -> Image:
    if not on:
        return image
    return Image(
        (image.pixels - MNIST_MEAN) / MNIST_STD,
        (image.background - MNIST_MEAN) / MNIST_STD,
    )


@dataclass(frozen=True)
class Step:
    """A named preprocessing step, as the app and the command line show it."""

    name: str
    label: str
    help: str
    apply: Callable[[Image, bool, Mapping[str, bool], object], Image]
    default: bool = True  # steps beyond MNIST's recipe start switched off


STEPS: tuple[Step, ...] = (
    Step("pen", "Even pen", "Redraw the strokes with a pen as wide as "
         f"{PEN_FRACTION:.0%} of the digit's size, as MNIST's strokes are, so "
         "brush width and drawing size stop mattering (drawings only)",
         lambda im, on, sw, src: _even_pen(im, on, src)),
    Step("invert", "Invert", "White ink on black, as MNIST stores digits",
         lambda im, on, sw, src: _invert(im, on)),
    Step("crop", "Crop", "Crop to the ink's bounding box",
         lambda im, on, sw, src: _crop(im, on)),
    Step("antialias", "Anti-alias", "Average over each output pixel's area "
         "before shrinking, so edges turn grey instead of jagged",
         lambda im, on, sw, src: _antialias(im, on, sw["fit"])),
    Step("fit", "Fit 20×20", "Scale the longer side to 20 px, keeping the "
         "aspect ratio", lambda im, on, sw, src: _fit(im, on)),
    Step("center", "Centre of mass", "Place in 28×28 with the ink's centre of "
         "mass in the middle (off: by the bounding box)",
         lambda im, on, sw, src: _center(im, on)),
    Step("scale", "Scale to [0, 1]", "Divide by 255 (off: the model gets 0–255)",
         lambda im, on, sw, src: _scale(im, on)),
    Step("normalize", "Normalise", f"Subtract MNIST's mean {MNIST_MEAN} and "
         f"divide by its std {MNIST_STD}", lambda im, on, sw, src: _normalize(im, on)),
)  # fmt: skip
STEP_NAMES = tuple(step.name for step in STEPS)


def switches(off: Iterable[str] = ()) -> dict[str, bool]:
    """Every step's default on/off state, with the steps named in `off` off."""
    off = set(off)
    unknown = off - set(STEP_NAMES)
    if unknown:
        raise ValueError(
            f"Unknown preprocessing step(s): {', '.join(sorted(unknown))}. "
            f"The steps are: {', '.join(STEP_NAMES)}"
        )
    return {step.name: step.default and step.name not in off for step in STEPS}


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
