"""A drawing: the strokes a person made, in canvas coordinates.

This is the source of truth for everything downstream (undo, save, replay,
evaluation). It holds plain numbers only; rendering lives in `raster`.

    >>> d = Drawing(280, 280, (Stroke.from_points([(10, 10), (50, 60)], brush=14),))
    >>> Drawing.from_json(d.to_json()) == d
    True
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..files import write_text

DEFAULT_CANVAS = 280
DEFAULT_BRUSH = 18.0


def _finite(value: float, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, not {value!r}")
    return number


def _positive(value: float, what: str) -> float:
    number = _finite(value, what)
    if number <= 0:
        raise ValueError(f"{what} must be greater than zero, not {value!r}")
    return number


@dataclass(frozen=True)
class Point:
    """One sampled pointer position; pressure 1.0 is a full-width mark."""

    x: float
    y: float
    pressure: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "x", _finite(self.x, "A point's x coordinate"))
        object.__setattr__(self, "y", _finite(self.y, "A point's y coordinate"))
        pressure = _finite(self.pressure, "A point's pressure")
        if pressure < 0:
            raise ValueError(f"A point's pressure cannot be negative ({pressure})")
        object.__setattr__(self, "pressure", pressure)


@dataclass(frozen=True)
class Stroke:
    """One pen-down movement: points in drawing order, drawn with one brush."""

    points: tuple[Point, ...]
    brush: float = DEFAULT_BRUSH

    def __post_init__(self) -> None:
        object.__setattr__(self, "brush", _positive(self.brush, "The brush width"))
        object.__setattr__(self, "points", tuple(self.points))

    @classmethod
    def from_points(
        cls, points: Iterable[Sequence[float]], brush: float = DEFAULT_BRUSH
    ) -> Stroke:
        """Build from (x, y) or (x, y, pressure) sequences."""
        return cls(tuple(Point(*p) for p in points), brush)

    def to_json(self) -> dict:
        return {
            "brush": self.brush,
            "points": [[p.x, p.y, p.pressure] for p in self.points],
        }

    @classmethod
    def from_json(cls, data: dict) -> Stroke:
        if not isinstance(data, dict) or "points" not in data:
            raise ValueError("A stroke must be an object with a 'points' list")
        return cls.from_points(data["points"], data.get("brush", DEFAULT_BRUSH))


@dataclass(frozen=True)
class Drawing:
    """A canvas size and the strokes on it (x to the right, y downwards)."""

    width: float = DEFAULT_CANVAS
    height: float = DEFAULT_CANVAS
    strokes: tuple[Stroke, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "width", _positive(self.width, "The canvas width"))
        object.__setattr__(self, "height", _positive(self.height, "The canvas height"))
        object.__setattr__(self, "strokes", tuple(self.strokes))

    @property
    def is_empty(self) -> bool:
        return not any(stroke.points for stroke in self.strokes)

    def with_stroke(self, stroke: Stroke) -> Drawing:
        return Drawing(self.width, self.height, (*self.strokes, stroke))

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(left, top, right, bottom) of the stroke centre lines, or None."""
        xs = [p.x for s in self.strokes for p in s.points]
        ys = [p.y for s in self.strokes for p in s.points]
        if not xs:
            return None
        return min(xs), min(ys), max(xs), max(ys)

    def to_json(self) -> str:
        data = {
            "format": "mnist-canvas-drawing",
            "version": 1,
            "canvas": [self.width, self.height],
            "strokes": [s.to_json() for s in self.strokes],
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Drawing:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"This is not a drawing file: {error}") from None
        if not isinstance(data, dict) or "strokes" not in data:
            raise ValueError("This is not a drawing file: no 'strokes' found")
        width, height = data.get("canvas", (DEFAULT_CANVAS, DEFAULT_CANVAS))
        strokes = data["strokes"]
        if not isinstance(strokes, list):
            raise ValueError("A drawing's 'strokes' must be a list")
        return cls(width, height, tuple(Stroke.from_json(s) for s in strokes))


def save_drawing(path, drawing: Drawing) -> None:
    """Write a drawing as JSON, atomically: a crash never leaves half a file."""
    write_text(path, drawing.to_json())


def load_drawing(path) -> Drawing:
    """Read a drawing file; ValueError names the file and the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot be read ({error})") from None
    try:
        return Drawing.from_json(text)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
