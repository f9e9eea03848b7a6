"""The one renderer: strokes → anti-aliased grayscale array, without Qt.

The app paints the screen with QPainter, but the model's input always comes
from here, so the app, the evaluator and the tests see identical pixels.

Each stroke is a chain of discs (one per point, radius brush × pressure / 2)
joined by the trapezoids tangent to neighbouring discs: round caps and round
joins, and a width that follows the pen's pressure. Drawing happens at
`SUPERSAMPLE`× resolution and is box-averaged down, which anti-aliases edges.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from .drawing import Drawing, Stroke

SUPERSAMPLE = 4
PAPER = 255.0  # the canvas convention: white paper ...
INK = 0.0  # ... and black ink, as a person sees it on screen


def _segment_quad(x0, y0, r0, x1, y1, r1):
    """Corners of the trapezoid that joins two discs along their segment."""
    dx, dy = x1 - x0, y1 - y0
    length = math.hypot(dx, dy)
    if length == 0.0:
        return None
    nx, ny = -dy / length, dx / length
    return [
        (x0 + nx * r0, y0 + ny * r0),
        (x1 + nx * r1, y1 + ny * r1),
        (x1 - nx * r1, y1 - ny * r1),
        (x0 - nx * r0, y0 - ny * r0),
    ]


def _draw_stroke(
    draw: ImageDraw.ImageDraw, stroke: Stroke, scale: float, limit: float
) -> None:
    # Coordinates and widths far beyond the canvas only cost time (or overflow
    # PIL's integer maths): clamp them to a margin of one canvas on each side.
    def clamp(value: float) -> float:
        return min(max(value, -limit), 2 * limit)

    previous = None
    for point in stroke.points:
        x, y = clamp(point.x * scale), clamp(point.y * scale)
        # PIL fills edge pixels inclusively: half a (supersampled) pixel too wide.
        r = min(max(stroke.brush * point.pressure * scale / 2.0 - 0.5, 0.5), 2 * limit)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
        if previous is not None:
            quad = _segment_quad(*previous, x, y, r)
            if quad is not None:
                draw.polygon(quad, fill=255)
        previous = (x, y, r)


def ink_coverage(drawing: Drawing, size: tuple[int, int] | None = None) -> np.ndarray:
    """Fraction of each pixel covered by ink, float32 in [0, 1], shape (h, w).

    `size` is (width, height) in pixels; the drawing is scaled uniformly to
    fit it (default: the canvas size, one pixel per canvas unit).
    """
    width, height = size or (round(drawing.width), round(drawing.height))
    if width < 1 or height < 1:
        raise ValueError(f"A raster needs at least 1×1 pixels, not {width}×{height}")
    scale = min(width / drawing.width, height / drawing.height)
    big = Image.new("L", (width * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(big)
    limit = float(max(big.size))
    for stroke in drawing.strokes:
        _draw_stroke(draw, stroke, scale * SUPERSAMPLE, limit)
    small = big.reduce(SUPERSAMPLE)
    return np.asarray(small, dtype=np.float32) / 255.0


def render(drawing: Drawing, size: tuple[int, int] | None = None) -> np.ndarray:
    """The drawing as a person sees it: float32 0–255, white paper, black ink."""
    return PAPER + (INK - PAPER) * ink_coverage(drawing, size)
