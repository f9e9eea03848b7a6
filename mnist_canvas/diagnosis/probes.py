"""What if the drawing were turned, thicker, smaller, moved or shaky?

    probed = apply(drawing, Probes(rotation=15, thickness=2))   # a new Drawing
    prediction = classifier.predict(probed, steps)              # the one path
    values, probabilities = sweep(drawing, classifier, "rotation")  # (21,), (21, 10)

A probe changes a copy of the drawing, never the drawing itself. On a drawing
it moves the strokes (about the centre of the ink's box) and changes their
brush; on a picture (canvas convention, 0-255) it moves the pixels with PIL's
affine transform and thickens or thins the ink with a grey-level min or max
filter (about one pixel per step of ×1.5). Either way the result goes through
the same preprocessing and model as anything drawn.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image, ImageFilter

from ..ink.drawing import Drawing, Point, Stroke
from ..models.classifier import Classifier, predict_many


@dataclass(frozen=True)
class Range:
    name: str
    label: str
    low: float
    high: float
    neutral: float | None  # None: the source's own value (size)
    unit: str
    step: float  # a slider's resolution (the neutral value is on a step)

    @property
    def steps(self) -> int:
        return round((self.high - self.low) / self.step)


RANGES = {
    r.name: r
    for r in (
        Range("rotation", "Rotation", -45.0, 45.0, 0.0, "°", 1.0),
        Range("thickness", "Thickness", 0.3, 3.0, 1.0, "×", 0.1),
        Range("size", "Size", 10.0, 100.0, None, "% of the canvas", 1.0),
        Range("shift_x", "Shift right", -40.0, 40.0, 0.0, "% of the canvas", 1.0),
        Range("shift_y", "Shift down", -40.0, 40.0, 0.0, "% of the canvas", 1.0),
        Range("noise", "Noise", 0.0, 1.0, 0.0, "", 0.05),
    )
}
NOISE_SHARE = 0.08  # noise 1: points jitter by 8 % of the digit's size (sigma)
NOISE_GREY = 64.0  # noise 1 on a picture: grey-level sigma


@dataclass(frozen=True)
class Probes:
    """One value per probe; the neutral values change nothing."""

    rotation: float = 0.0
    thickness: float = 1.0
    size: float | None = None  # longer side of the ink, % of the canvas
    shift_x: float = 0.0
    shift_y: float = 0.0
    noise: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name, bounds in RANGES.items():
            value = getattr(self, name)
            if value is None and bounds.neutral is None:
                continue
            if value is None or not math.isfinite(value):
                raise ValueError(f"{bounds.label} must be a number, not {value!r}")
            if not bounds.low <= value <= bounds.high:
                raise ValueError(
                    f"{bounds.label} must be within {bounds.low:g} to "
                    f"{bounds.high:g}{bounds.unit}, not {value:g}"
                )

    @property
    def neutral(self) -> bool:
        return self == Probes(seed=self.seed)


def current_size(source: Drawing | np.ndarray) -> float | None:
    """The ink's longer side as % of the canvas's shorter side (None: no ink)."""
    if isinstance(source, Drawing):
        box = source.bounds()
        side = min(source.width, source.height)
    else:
        ink = _picture_ink(source) > 16
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        box = None if not len(rows) else (cols[0], rows[0], cols[-1] + 1, rows[-1] + 1)
        side = min(source.shape)
    if box is None:
        return None
    return 100.0 * max(box[2] - box[0], box[3] - box[1]) / side


def apply(source: Drawing | np.ndarray, probes: Probes) -> Drawing | np.ndarray:
    """A probed copy of a drawing or a picture (the source is unchanged)."""
    if probes.neutral:
        return source
    if isinstance(source, Drawing):
        return _probe_drawing(source, probes)
    return _probe_picture(np.asarray(source, dtype=np.float32), probes)


def _scale(source, probes: Probes) -> float:
    size = current_size(source)
    return 1.0 if probes.size is None or not size else probes.size / size


def _probe_drawing(drawing: Drawing, probes: Probes) -> Drawing:
    box = drawing.bounds()
    if box is None:
        return drawing
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    scale, turn = _scale(drawing, probes), math.radians(probes.rotation)
    cos, sin = scale * math.cos(turn), scale * math.sin(turn)
    side = min(drawing.width, drawing.height)
    dx = cx + probes.shift_x / 100 * side
    dy = cy + probes.shift_y / 100 * side
    rng = np.random.default_rng(probes.seed)
    sigma = probes.noise * NOISE_SHARE * max(box[2] - box[0], box[3] - box[1]) * scale
    strokes = []
    for stroke in drawing.strokes:
        xy = np.array([(p.x - cx, p.y - cy) for p in stroke.points])
        moved = np.column_stack([cos * xy[:, 0] - sin * xy[:, 1] + dx,
                                 sin * xy[:, 0] + cos * xy[:, 1] + dy])  # fmt: skip
        if sigma > 0:
            moved += rng.normal(0.0, sigma, moved.shape)
        points = tuple(
            Point(float(x), float(y), p.pressure)
            for (x, y), p in zip(moved, stroke.points, strict=True)
        )
        strokes.append(Stroke(points, stroke.brush * probes.thickness))
    return Drawing(drawing.width, drawing.height, tuple(strokes))


def _picture_ink(pixels: np.ndarray) -> np.ndarray:
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    return np.abs(np.asarray(pixels, np.float32) - np.median(border))


def _probe_picture(pixels: np.ndarray, probes: Probes) -> np.ndarray:
    paper = float(np.median(np.concatenate([pixels[0], pixels[-1]])))
    ink = _picture_ink(pixels) > 16
    if not ink.any():
        return pixels
    ys, xs = np.nonzero(ink)
    cx, cy = (xs.min() + xs.max() + 1) / 2, (ys.min() + ys.max() + 1) / 2
    scale, turn = _scale(pixels, probes), math.radians(probes.rotation)
    side = min(pixels.shape)
    tx = cx + probes.shift_x / 100 * side
    ty = cy + probes.shift_y / 100 * side
    # PIL maps each output pixel back to its source: the inverse transform.
    cos, sin = math.cos(turn) / scale, math.sin(turn) / scale
    inverse = (cos, sin, cx - cos * tx - sin * ty, -sin, cos, cy + sin * tx - cos * ty)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    image = image.transform(
        image.size, Image.Transform.AFFINE, inverse, Image.Resampling.BILINEAR,
        fillcolor=int(paper),
    )  # fmt: skip
    steps = round(math.log(probes.thickness) / math.log(1.5))
    dark_ink = paper >= 128
    for _ in range(abs(steps)):
        thicker = (steps > 0) == dark_ink
        image = image.filter(ImageFilter.MinFilter(3) if thicker
                             else ImageFilter.MaxFilter(3))  # fmt: skip
    out = np.asarray(image, dtype=np.float32)
    if probes.noise > 0:
        rng = np.random.default_rng(probes.seed)
        noise = rng.normal(0.0, probes.noise * NOISE_GREY, out.shape)
        out = np.clip(out + noise, 0, 255).astype(np.float32)
    return out


def sweep_values(name: str, points: int = 21) -> np.ndarray:
    """`points` values spread over a probe's whole range."""
    bounds = RANGES[name]
    return np.linspace(bounds.low, bounds.high, points)


def sweep(
    source: Drawing | np.ndarray,
    classifier: Classifier,
    name: str,
    probes: Probes = Probes(),
    steps: Mapping[str, bool] | None = None,
    points: int = 21,
) -> tuple[np.ndarray, np.ndarray]:
    """The ten probabilities (points, 10) as probe `name` crosses its range,
    the other probes held at `probes`; rows of empty results are NaN."""
    if name not in RANGES:
        raise ValueError(f"No probe called {name!r}: the probes are {list(RANGES)}")
    values = sweep_values(name, points)
    probed = [apply(source, replace(probes, **{name: float(v)})) for v in values]
    return values, predict_many(probed, classifier, steps)
