"""The preprocessing steps, each named and switchable (see `preprocess`).

A step takes the previous stage's image and returns the next; switched off it
passes its input through, except `center`, which then places the image by its
bounding box, since a model needs 28×28 either way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..ink.drawing import Drawing

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
SIDE = 28
BOX = 20
# MNIST's strokes are about 2.5 px wide in its 20 px box: an eighth of the digit.
PEN_FRACTION = 0.12


@dataclass(frozen=True)
class Image:
    """An image in the pipeline and the value of its background.

    `owed` is a box average (rows, columns) not yet applied: anti-aliasing
    leaves it to `fit`, which computes it only where its samples read it.
    `settled()` applies it everywhere, for display."""

    pixels: np.ndarray  # float32, 2-D
    background: float
    owed: tuple[int, int] = (1, 1)

    def ink(self) -> np.ndarray:
        return np.abs(self.pixels - self.background)

    def settled(self) -> Image:
        if self.owed == (1, 1):
            return self
        return Image(_box_average(self, self.owed), self.background)


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
    return drawing.with_strokes(tuple(s.with_brush(brush) for s in drawing.strokes))


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


def _box_blur_1d(pixels, width: int, background: float, axis: int, bounds):
    """Mean over a centred window of `width` pixels along `axis` (running
    sums), kept within `bounds`."""
    if width <= 1:
        return pixels
    half = width // 2
    moved = np.moveaxis(pixels, axis, 0)  # blur along the first axis
    n = moved.shape[0]
    padded = np.full((n + width, *moved.shape[1:]), background, dtype=np.float64)
    padded[half + 1 : half + 1 + n] = moved
    sums = np.cumsum(padded, axis=0)
    means = (sums[width : width + n] - sums[:n]) / width
    # Running sums round: keep means inside the values they average.
    return np.moveaxis(np.clip(means, *bounds).astype(np.float32), 0, axis)


def _box_average(image: Image, box: tuple[int, int]) -> np.ndarray:
    """`image`'s pixels averaged over a box of rows × columns."""
    pixels, background = image.pixels, image.background
    bounds = min(pixels.min(), background), max(pixels.max(), background)
    pixels = _box_blur_1d(pixels, box[0], background, 0, bounds)
    return _box_blur_1d(pixels, box[1], background, 1, bounds)


def _antialias(image: Image, on: bool, fit_on: bool) -> Image:
    """Average each pixel over the area one output pixel of `fit` will cover."""
    if not on or not fit_on:
        return image
    h, w = image.pixels.shape
    nh, nw = _fit_shape(image)
    box = (2 * int(h / nh / 2) + 1, 2 * int(w / nw / 2) + 1)
    return Image(image.pixels, image.background, box)


def _taps(positions: np.ndarray, n: int):
    """For linear interpolation at `positions` along `n` pixels: the two
    neighbouring indices of each and the weight of the second."""
    positions = np.clip(positions, 0, n - 1)
    if n == 1:
        first = np.zeros(len(positions), int)
        return first, first, np.zeros(len(positions))
    first = np.minimum(positions.astype(int), n - 2)
    return first, first + 1, positions - first


def _sample(pixels: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """Bilinear samples of `pixels` at row positions ys × column positions xs."""
    y0, y1, wy = _taps(ys, pixels.shape[0])
    x0, x1, wx = _taps(xs, pixels.shape[1])
    wy, wx = wy[:, None], wx[None, :]
    top = pixels[y0][:, x0] * (1 - wx) + pixels[y0][:, x1] * wx
    bottom = pixels[y1][:, x0] * (1 - wx) + pixels[y1][:, x1] * wx
    return (top * (1 - wy) + bottom * wy).astype(np.float32)


def _centres(n_out: int, n: int) -> np.ndarray:
    """Where the centres of `n_out` output pixels fall over `n` input pixels."""
    return (np.arange(n_out) + 0.5) * (n / n_out) - 0.5


@functools.lru_cache(maxsize=1024)
def _resampling(n_out: int, n: int, box: int) -> np.ndarray:
    """(n_out, n) weights, read-only: linear interpolation at the centres of
    `n_out` output pixels spread over `n` of the mean over a centred box of
    `box` pixels (the weight the box puts outside the image falls on the
    background). Kept per size: the live path renders the ink's longer side
    at one size, so a few dozen shapes recur."""
    first, second, weight = _taps(_centres(n_out, n), n)
    rows = np.arange(n_out)
    steps = np.zeros((n_out, n + box + 1))
    for taps, share in ((first, (1 - weight) / box), (second, weight / box)):
        # One entry per row in each assignment, so += adds like np.add.at.
        steps[rows, taps] += share
        steps[rows, taps + box] -= share
    half = box // 2
    weights = np.cumsum(steps, axis=1)[:, half : half + n]
    weights.flags.writeable = False
    return weights


def _fit(image: Image, on: bool) -> Image:
    """Resample so the longer side is 20 px: one sample per output pixel centre.
    An owed box average is folded into the sampling weights, so it is computed
    only where the samples read it."""
    if not on:
        return image.settled()
    h, w = image.pixels.shape
    nh, nw = _fit_shape(image)
    if image.owed == (1, 1):
        pixels = _sample(image.pixels, _centres(nh, h), _centres(nw, w))
        return Image(pixels, image.background)
    rows = _resampling(nh, h, image.owed[0])
    cols = _resampling(nw, w, image.owed[1])
    pixels, background = image.pixels, image.background
    values = rows @ (pixels - background) @ cols.T + background
    # Rounding: keep the means inside the values they average.
    low, high = min(pixels.min(), background), max(pixels.max(), background)
    return Image(np.clip(values, low, high).astype(np.float32), background)


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


def model_values(pixels, scale: bool = True, normalize: bool = True):
    """Grey levels → the values a model is fed: /255 (`scale`), then MNIST's
    mean and std (`normalize`). Numpy arrays, tensors and floats alike: the one
    place preprocessing, training and evaluation scale pixels."""
    if scale:
        pixels = pixels / 255.0
    if normalize:
        pixels = (pixels - MNIST_MEAN) / MNIST_STD
    return pixels


def _values(image: Image, scale: bool, normalize: bool) -> Image:
    return Image(
        model_values(image.pixels, scale, normalize),
        model_values(image.background, scale, normalize),
    )


@dataclass(frozen=True)
class Step:
    """A named preprocessing step, as the app and the command line show it.

    `apply(x, on, switches)` maps a Drawing to a Drawing (steps on strokes,
    which run before the one render) or an Image to an Image (the rest)."""

    name: str
    label: str
    help: str
    apply: Callable[[Any, bool, Mapping[str, bool]], Any]
    on_strokes: bool = False
    default: bool = True  # steps beyond MNIST's recipe start switched off


STEPS: tuple[Step, ...] = (
    Step("pen", "Even pen", "Redraw the strokes with a pen as wide as "
         f"{PEN_FRACTION:.0%} of the digit's size, as MNIST's strokes are, so "
         "brush width and drawing size stop mattering (drawings only)",
         lambda d, on, sw: even_pen(d) if on else d, on_strokes=True),
    Step("invert", "Invert", "White ink on black, as MNIST stores digits",
         lambda im, on, sw: _invert(im, on)),
    Step("crop", "Crop", "Crop to the ink's bounding box",
         lambda im, on, sw: _crop(im, on)),
    Step("antialias", "Anti-alias", "Average over each output pixel's area "
         "before shrinking, so edges turn grey instead of jagged",
         lambda im, on, sw: _antialias(im, on, sw["fit"])),
    Step("fit", "Fit 20×20", "Scale the longer side to 20 px, keeping the "
         "aspect ratio", lambda im, on, sw: _fit(im, on)),
    Step("center", "Centre of mass", "Place in 28×28 with the ink's centre of "
         "mass in the middle (off: by the bounding box)",
         lambda im, on, sw: _center(im, on)),
    Step("scale", "Scale to [0, 1]", "Divide by 255 (off: the model gets 0–255)",
         lambda im, on, sw: _values(im, on, False)),
    Step("normalize", "Normalise", f"Subtract MNIST's mean {MNIST_MEAN} and "
         f"divide by its std {MNIST_STD}",
         lambda im, on, sw: _values(im, False, on)),
)  # fmt: skip
STROKE_STEPS = tuple(step for step in STEPS if step.on_strokes)
IMAGE_STEPS = tuple(step for step in STEPS if not step.on_strokes)
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
