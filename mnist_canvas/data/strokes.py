"""Stroke records: labelled pen-drawn digits, one JSON object a line.

    for record in read_strokes("pen-digits/unipen1a-dev.jsonl.gz"):
        record.label, record.strokes, record.writer

A record is `{"label": 3, "strokes": [[[x, y], ...], ...]}`, optionally with
`"canvas": [w, h]` (strokes in that canvas's pixels), `"brush": px` and
`"writer"`. Bad records raise DataError naming the file and line.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..ink.drawing import Drawing, Stroke
from . import DataError


@dataclass(frozen=True)
class LabelledDrawing:
    label: int
    drawing: Drawing | None  # None: place it the default way (see evaluate)
    strokes: tuple[tuple[tuple[float, float], ...], ...]
    brush: float | None
    writer: str | None
    line: int


def _record(data: object, where: str, line: int) -> LabelledDrawing:
    if not isinstance(data, dict):
        raise DataError(f"{where}:{line}: a record must be a JSON object")
    label = data.get("label")
    if not isinstance(label, int) or isinstance(label, bool) or not 0 <= label <= 9:
        raise DataError(f"{where}:{line}: 'label' must be a digit 0–9, not {label!r}")
    strokes = data.get("strokes")
    if not isinstance(strokes, list) or not all(isinstance(s, list) for s in strokes):
        raise DataError(f"{where}:{line}: 'strokes' must be a list of point lists")
    try:
        points = tuple(tuple((float(p[0]), float(p[1])) for p in s) for s in strokes)
        brush = data.get("brush")
        brush = None if brush is None else float(brush)
        drawing = None
        if "canvas" in data:
            width, height = data["canvas"]
            stroke_brush = {} if brush is None else {"brush": brush}
            drawing = Drawing(
                width,
                height,
                tuple(Stroke.from_points(s, **stroke_brush) for s in points),
            )
        elif brush is not None and brush <= 0:
            raise ValueError(f"The brush width must be greater than zero ({brush})")
    except (TypeError, IndexError, ValueError) as error:
        raise DataError(f"{where}:{line}: malformed record ({error})") from None
    writer = data.get("writer")
    return LabelledDrawing(label, drawing, points, brush, writer, line)


def read_strokes(path: str | os.PathLike) -> Iterator[LabelledDrawing]:
    """Records of a stroke file (.jsonl or .jsonl.gz), checked one by one."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, text in enumerate(lines, 1):
                if not text.strip():
                    continue
                try:
                    data = json.loads(text)
                except json.JSONDecodeError as error:
                    raise DataError(f"{path}:{number}: not JSON ({error})") from None
                yield _record(data, str(path), number)
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: cannot be read ({error})") from None
