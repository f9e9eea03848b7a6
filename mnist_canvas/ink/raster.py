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
    draw: ImageDraw.ImageDraw,
    stroke: Stroke,
    scale: float,
    origin: tuple[float, float],
    limit: float,
) -> None:
    # Coordinates and widths far beyond the canvas only cost time (or overflow
    # PIL's integer maths): clamp them to a margin around the drawn area.
    if not stroke.points:
        return
    points = np.array([(p.x, p.y, p.pressure) for p in stroke.points])
    xy = np.clip(points[:, :2] * scale - origin, -limit, 2 * limit).tolist()
    # PIL fills edge pixels inclusively: half a (supersampled) pixel too wide.
    radii = np.clip(stroke.brush * points[:, 2] * scale / 2.0 - 0.5, 0.5, 2 * limit)
    radii = radii.tolist()
    # PIL's C drawing call for a filled disc, without ImageDraw.ellipse's
    # per-call argument handling (a stroke has dozens of points).
    disc, ink = draw.draw.draw_ellipse, draw.draw.draw_ink(255)
    if len(set(radii)) == 1:
        # One width (every mouse stroke): one C call draws the polyline; a
        # disc at every point makes joins and caps round.
        r = radii[0]
        if len(xy) > 1:
            draw.line(xy, fill=255, width=max(1, round(2 * r)))
        for x, y in xy:
            disc((x - r, y - r, x + r, y + r), ink, 1)
        return
    previous = None
    for (x, y), r in zip(xy, radii, strict=True):
        disc((x - r, y - r, x + r, y + r), ink, 1)
        if previous is not None:
            quad = _segment_quad(*previous, x, y, r)
            if quad is not None:
                draw.polygon(quad, fill=255)
        previous = (x, y, r)


def ink_extent(drawing: Drawing) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom) in canvas units of everything the strokes
    cover (their brushes' reach included), clipped to the canvas; None if none."""
    boxes = []
    for stroke in drawing.strokes:
        if not stroke.points:
            continue
        xs = [p.x for p in stroke.points]
        ys = [p.y for p in stroke.points]
        reach = stroke.brush * max(p.pressure for p in stroke.points) / 2
        boxes.append(
            (min(xs) - reach, min(ys) - reach, max(xs) + reach, max(ys) + reach)
        )
    if not boxes:
        return None
    left = max(0.0, min(b[0] for b in boxes))
    top = max(0.0, min(b[1] for b in boxes))
    right = min(drawing.width, max(b[2] for b in boxes))
    bottom = min(drawing.height, max(b[3] for b in boxes))
    return (left, top, right, bottom) if left <= right and top <= bottom else None


def _ink_box(drawing: Drawing, scale: float, width: int, height: int, extent):
    """Pixel box (x0, y0, x1, y1) that holds all ink, clipped; None if empty."""
    if extent is None:
        return None
    left, top, right, bottom = (v * scale for v in extent)
    x0, y0 = max(0, math.floor(left - 1)), max(0, math.floor(top - 1))
    x1, y1 = min(width, math.ceil(right + 1)), min(height, math.ceil(bottom + 1))
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def ink_coverage(
    drawing: Drawing, size: tuple[int, int] | None = None, inked: bool = False,
    extent: tuple[float, float, float, float] | None = None,
) -> np.ndarray:  # fmt: skip
    """Fraction of each pixel covered by ink, float32 in [0, 1], shape (h, w).

    `size` is (width, height) in pixels; the drawing is scaled uniformly to
    fit it (default: the canvas size, one pixel per canvas unit). Only the
    box that holds ink is drawn, at `SUPERSAMPLE`× resolution; `inked`
    returns just that box (a pixel or more of margin around all the ink; 1×1
    of nothing for an empty drawing), for steps that crop to the ink anyway.
    `extent`: the drawing's `ink_extent`, when the caller has it already.
    """
    width, height = size or (round(drawing.width), round(drawing.height))
    if width < 1 or height < 1:
        raise ValueError(f"A raster needs at least 1×1 pixels, not {width}×{height}")
    scale = min(width / drawing.width, height / drawing.height)
    extent = ink_extent(drawing) if extent is None else extent
    box = _ink_box(drawing, scale, width, height, extent)
    if box is None:
        return np.zeros((1, 1) if inked else (height, width), dtype=np.float32)
    x0, y0, x1, y1 = box
    big = Image.new("L", ((x1 - x0) * SUPERSAMPLE, (y1 - y0) * SUPERSAMPLE), 0)
    draw = ImageDraw.Draw(big)
    origin = (x0 * SUPERSAMPLE, y0 * SUPERSAMPLE)
    limit = float(max(width, height) * SUPERSAMPLE)
    for stroke in drawing.strokes:
        _draw_stroke(draw, stroke, scale * SUPERSAMPLE, origin, limit)
    small = np.asarray(big.reduce(SUPERSAMPLE), dtype=np.float32) / 255.0
    if inked:
        return small
    coverage = np.zeros((height, width), dtype=np.float32)
    coverage[y0:y1, x0:x1] = small
    return coverage


def render(
    drawing: Drawing, size: tuple[int, int] | None = None, inked: bool = False,
    extent: tuple[float, float, float, float] | None = None,
) -> np.ndarray:  # fmt: skip
    """The drawing as a person sees it: float32 0–255, white paper, black ink
    (`inked`, `extent`: see `ink_coverage`)."""
    return PAPER + (INK - PAPER) * ink_coverage(drawing, size, inked, extent)
