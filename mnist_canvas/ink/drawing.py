"""A drawing: the strokes a person made, in canvas coordinates.

This is the source of truth for everything downstream (undo, save, replay,
evaluation). It holds plain numbers only; rendering lives in `raster`.
Building one checks every value against the limits below (MAX_*), whoever
builds it; reading a file (`from_json`, `load_drawing`) also checks each
value's type and that the points lie near the canvas, and any problem is a
ValueError naming the stroke and point.

    >>> d = Drawing(280, 280, (Stroke.from_points([(10, 10), (50, 60)], brush=14),))
    >>> Drawing.from_json(d.to_json()) == d
    True
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path

from ..files import parse_json, write_text

DEFAULT_CANVAS = 280
DEFAULT_BRUSH = 18.0
FORMAT = "mnist-canvas-drawing"
VERSION = 1

# Limits on what a drawing may hold, wherever it comes from (a file, a stroke
# record, the canvas): far beyond any digit, far below what costs real memory.
MAX_CANVAS_SIDE = 4096.0  # canvas units, each side
MAX_POINTS = 200_000  # in one drawing, all strokes together
COORDINATE_REACH = 10  # a file's points lie within 10 canvas sides of it
MAX_COORDINATE = COORDINATE_REACH * MAX_CANVAS_SIDE  # |x|, |y| for any point
# Files: a brush at most the canvas's side. Code may go wider: the even pen
# sizes the brush to the digit, which may span the whole reach of the points.
MAX_BRUSH = MAX_COORDINATE
MAX_PRESSURE = 1.0  # a full-width mark, as tablets report it
MAX_FILE_BYTES = 64_000_000


def _finite(value: object, what: str) -> float:
    """A real number (bool, str and None refused) that is finite as a float."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{what} must be a number, not {_show(value)}")
    try:
        number = float(value)
    except (OverflowError, ValueError):
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, not {_show(value)}")
    return number


def _within(value: object, what: str, low: float, high: float) -> float:
    """A finite number with low < value <= high."""
    number = _finite(value, what)
    if number <= low:
        raise ValueError(f"{what} must be greater than {low:g}, not {_show(value)}")
    if number > high:
        raise ValueError(f"{what} must be at most {high:g}, not {_show(value)}")
    return number


def _each(items: list, build, what: str) -> tuple:
    """build(item) for each item; a ValueError says which item (by index)."""
    built = []
    for index, item in enumerate(items):
        try:
            built.append(build(item))
        except ValueError as error:
            raise ValueError(f"{what} {index}: {error}") from None
    return tuple(built)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass(frozen=True)
class Point:
    """One sampled pointer position; pressure 1.0 is a full-width mark."""

    x: float
    y: float
    pressure: float = 1.0

    def __post_init__(self) -> None:
        for name in ("x", "y"):
            value = _finite(getattr(self, name), f"A point's {name} coordinate")
            if abs(value) > MAX_COORDINATE:
                raise ValueError(
                    f"A point's {name} coordinate must lie within "
                    f"±{MAX_COORDINATE:g}, not {value:g}"
                )
            object.__setattr__(self, name, value)
        pressure = _finite(self.pressure, "A point's pressure")
        if not 0 <= pressure <= MAX_PRESSURE:
            raise ValueError(
                f"A point's pressure must be between 0 and {MAX_PRESSURE:g}, "
                f"not {pressure:g}"
            )
        object.__setattr__(self, "pressure", pressure)

    @classmethod
    def from_sequence(cls, value: object) -> Point:
        """[x, y] or [x, y, pressure] (a list or tuple), or ValueError."""
        if not isinstance(value, list | tuple) or len(value) not in (2, 3):
            raise ValueError(
                f"A point must be [x, y] or [x, y, pressure], not {_show(value)}"
            )
        return cls(*value)


@dataclass(frozen=True)
class Stroke:
    """One pen-down movement: points in drawing order, drawn with one brush."""

    points: tuple[Point, ...]
    brush: float = DEFAULT_BRUSH

    def __post_init__(self) -> None:
        brush = _within(self.brush, "The brush width", 0, MAX_BRUSH)
        object.__setattr__(self, "brush", brush)
        points = tuple(self.points)
        if len(points) > MAX_POINTS:
            raise ValueError(f"A stroke may have at most {MAX_POINTS:,} points")
        if not all(isinstance(p, Point) for p in points):
            raise ValueError("A stroke's points must be Point objects")
        object.__setattr__(self, "points", points)

    @classmethod
    def from_points(
        cls, points: Iterable[Sequence[float]], brush: float = DEFAULT_BRUSH
    ) -> Stroke:
        """Build from (x, y) or (x, y, pressure) sequences."""
        return cls(tuple(Point.from_sequence(p) for p in points), brush)

    @classmethod
    def from_floats(
        cls, points: Iterable[tuple[float, float]], brush: float = DEFAULT_BRUSH
    ) -> Stroke:
        """Build from (x, y) pairs of finite floats, full pressure, whose range
        the caller vouches for: a file's points (its reader checked each number
        and `Drawing.check_reach` their reach) or points placed on a canvas.
        Skipping each Point's own checks opens 8,000 kept digits in 2.4 s
        instead of 3.4."""
        new, point = object.__new__, Point
        built = []
        for x, y in points:
            made = new(point)
            made.__dict__.update(x=x, y=y, pressure=1.0)
            built.append(made)
        return cls(tuple(built), brush)

    def with_brush(self, brush: float) -> Stroke:
        """The same points drawn with another brush; the points, checked when
        this stroke was made, are not checked again."""
        stroke = copy.copy(self)
        object.__setattr__(
            stroke, "brush", _within(brush, "The brush width", 0, MAX_BRUSH)
        )
        return stroke

    def to_json(self) -> dict:
        return {
            "brush": self.brush,
            "points": [[p.x, p.y, p.pressure] for p in self.points],
        }

    @classmethod
    def from_json(cls, data: object) -> Stroke:
        if not isinstance(data, dict) or not isinstance(data.get("points"), list):
            raise ValueError("A stroke must be an object with a 'points' list")
        points = data["points"]
        if len(points) > MAX_POINTS:
            raise ValueError(f"A stroke may have at most {MAX_POINTS:,} points")
        built = _each(points, Point.from_sequence, "point")
        return cls(built, data.get("brush", DEFAULT_BRUSH))


@dataclass(frozen=True)
class Drawing:
    """A canvas size and the strokes on it (x to the right, y downwards)."""

    width: float = DEFAULT_CANVAS
    height: float = DEFAULT_CANVAS
    strokes: tuple[Stroke, ...] = field(default_factory=tuple)
    point_count: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("width", "height"):
            what = f"The canvas {name}"
            value = _within(getattr(self, name), what, 0, MAX_CANVAS_SIDE)
            object.__setattr__(self, name, value)
        strokes = tuple(self.strokes)
        if not all(isinstance(s, Stroke) for s in strokes):
            raise ValueError("A drawing's strokes must be Stroke objects")
        self._set_strokes(strokes, sum(len(s.points) for s in strokes))

    def _set_strokes(self, strokes: tuple[Stroke, ...], point_count: int) -> None:
        if point_count > MAX_POINTS:
            raise ValueError(f"A drawing may have at most {MAX_POINTS:,} points")
        object.__setattr__(self, "strokes", strokes)
        object.__setattr__(self, "point_count", point_count)

    @property
    def is_empty(self) -> bool:
        return not any(stroke.points for stroke in self.strokes)

    def with_stroke(self, stroke: Stroke) -> Drawing:
        """This drawing plus one stroke; only the new stroke is checked, so the
        cost does not grow with the strokes already there (each pointer move)."""
        if not isinstance(stroke, Stroke):
            raise ValueError("A drawing's strokes must be Stroke objects")
        drawing = copy.copy(self)
        strokes = (*self.strokes, stroke)
        drawing._set_strokes(strokes, self.point_count + len(stroke.points))
        return drawing

    def with_strokes(self, strokes: tuple[Stroke, ...]) -> Drawing:
        """The same canvas with these strokes in place of its own, which they
        must match point for point (e.g. `Stroke.with_brush` of each): their
        points are already counted and checked."""
        if len(strokes) != len(self.strokes) or not all(
            isinstance(s, Stroke) and s.points is t.points
            for s, t in zip(strokes, self.strokes, strict=True)
        ):
            raise ValueError("with_strokes takes the same strokes' points")
        drawing = copy.copy(self)
        object.__setattr__(drawing, "strokes", strokes)
        return drawing

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(left, top, right, bottom) of the stroke centre lines, or None."""
        xs = [p.x for s in self.strokes for p in s.points]
        ys = [p.y for s in self.strokes for p in s.points]
        if not xs:
            return None
        return min(xs), min(ys), max(xs), max(ys)

    def check_reach(self) -> Drawing:
        """Itself, if every point lies within COORDINATE_REACH canvas sides of
        the canvas and no brush is wider than the canvas; else ValueError.
        Files are held to this; the live canvas may stray further off it."""
        side = max(self.width, self.height)
        reach = COORDINATE_REACH * side
        for index, stroke in enumerate(self.strokes):
            if stroke.brush > side:
                raise ValueError(
                    f"stroke {index}: the brush width {stroke.brush:g} is wider "
                    f"than the canvas ({side:g})"
                )
            farthest = max((max(abs(p.x), abs(p.y)) for p in stroke.points), default=0)
            if farthest > reach:
                raise ValueError(
                    f"stroke {index}: coordinates must lie within ±{reach:g} "
                    f"({COORDINATE_REACH} × the canvas's larger side)"
                )
        return self

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "canvas": [self.width, self.height],
            "strokes": [s.to_json() for s in self.strokes],
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Drawing:
        """Parse and check a drawing file's text; ValueError says what is wrong."""
        data = parse_json(text, "This is not a drawing file")
        if not isinstance(data, dict) or "strokes" not in data:
            raise ValueError("This is not a drawing file: no 'strokes' found")
        if data.get("format", FORMAT) != FORMAT:
            raise ValueError(
                f"This is not a drawing file: format {_show(data['format'])}"
            )
        if data.get("version", VERSION) != VERSION:
            raise ValueError(
                f"Drawing format version {_show(data['version'])} is not one this "
                f"program reads (it reads version {VERSION})"
            )
        width, height = canvas_size(data.get("canvas", [DEFAULT_CANVAS] * 2))
        strokes = data["strokes"]
        if not isinstance(strokes, list):
            raise ValueError("A drawing's 'strokes' must be a list")
        built = _each(strokes, Stroke.from_json, "stroke")
        return cls(width, height, built).check_reach()


def canvas_size(value: object) -> tuple[float, float]:
    """A file's "canvas": [width, height], each within the limits."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"'canvas' must be [width, height], not {_show(value)}")
    sides = tuple(
        _within(side, f"The canvas {name}", 0, MAX_CANVAS_SIDE)
        for side, name in zip(value, ("width", "height"), strict=True)
    )
    if min(sides) < 1:  # a picture opened on it would be fitted to 0×0 pixels
        raise ValueError(f"The canvas must be at least 1×1, not {_show(value)}")
    return sides


def save_drawing(path, drawing: Drawing) -> None:
    """Write a drawing as JSON, atomically: a crash never leaves half a file."""
    write_text(path, drawing.to_json(), keep_read_only=True)


def load_drawing(path) -> Drawing:
    """Read a drawing file; ValueError names the file and the problem."""
    path = Path(path)
    try:
        with open(path, "rb") as f:  # at most this much: a device has no size
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ValueError(
                f"{path}: larger than {MAX_FILE_BYTES:,} bytes, too large for a drawing"
            )
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: cannot be read ({error})") from None
    try:
        return Drawing.from_json(text)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
