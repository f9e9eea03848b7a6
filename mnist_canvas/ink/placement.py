"""Placing stroke records on the app's canvas, as a person would draw them.

A record with "canvas" is drawn on a canvas of that size in its own pixel
coordinates. A record without is placed on the app's default 280×280 canvas:
bounding box centred, about 60 % of the canvas tall, or (`how="random"`)
25–90 % tall at a random position, reproducible through the `rng` given.
Training and evaluation both place digits here.
"""

from __future__ import annotations

import random

from .drawing import DEFAULT_BRUSH, DEFAULT_CANVAS, Drawing, Stroke

PLACES = ("default", "random")
DEFAULT_HEIGHT = 0.6
RANDOM_HEIGHT = (0.25, 0.90)
MARGIN = 0.05  # the digit keeps this fraction of the canvas from each edge


def place(
    record, how: str = "default", rng: random.Random | None = None,
    brush: float | None = None,
) -> Drawing:  # fmt: skip
    """A stroke record as drawn on the app's default canvas (see module doc)."""
    brush = brush or record.brush or DEFAULT_BRUSH
    if record.drawing is not None and how == "default":
        return record.drawing
    points = [p for s in record.strokes for p in s]
    if not points:
        return Drawing()
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    left, top, right, bottom = min(xs), min(ys), max(xs), max(ys)
    side = DEFAULT_CANVAS
    fraction = DEFAULT_HEIGHT if how == "default" else rng.uniform(*RANDOM_HEIGHT)
    usable = side * (1 - 2 * MARGIN)
    height = max(bottom - top, 1e-9)
    scale = min(fraction * side / height, usable / max(right - left, 1e-9))
    width_px, height_px = (right - left) * scale, (bottom - top) * scale
    if how == "default":
        x0, y0 = (side - width_px) / 2, (side - height_px) / 2
    else:
        lo = side * MARGIN
        x0 = rng.uniform(lo, max(lo, side - lo - width_px))
        y0 = rng.uniform(lo, max(lo, side - lo - height_px))
    strokes = tuple(
        Stroke.from_floats(
            [((x - left) * scale + x0, (y - top) * scale + y0) for x, y in s], brush
        )
        for s in record.strokes
    )
    return Drawing(side, side, strokes)
