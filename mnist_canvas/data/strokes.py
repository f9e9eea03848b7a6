"""Stroke records: labelled pen-drawn digits, one JSON object a line.

    for record in read_strokes("pen-digits/unipen1a-dev.jsonl.gz"):
        record.label, record.strokes, record.writer

A record is `{"label": 3, "strokes": [[[x, y], ...], ...]}`, optionally with
`"canvas": [w, h]` (strokes in that canvas's pixels), `"brush": px` and
`"writer"` (a string). Every field is checked: a bad record raises DataError
naming the file, the line and the field (and stroke and point). A record with
"canvas" is held to the drawing limits (`ink.drawing`); one without is in
tablet units, each within ±MAX_TABLET_COORDINATE.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..files import parse_json
from ..ink.drawing import (
    MAX_POINTS,
    Drawing,
    Stroke,
    canvas_size,
)
from . import DataError

FOLDS = 5  # writer-level folds; fold 0 is the one training holds out by default
# ibm's writer ids read "ibm/rSS-WW": WW is the person, SS a session.
_IBM_SESSION = re.compile(r"^ibm/r\d+-(\w+)$")

# Records without "canvas" are in the tablet's own units, placed later by their
# bounding box; any tablet's range fits well within this.
MAX_TABLET_COORDINATE = 1e9


@dataclass(frozen=True)
class LabelledDrawing:
    label: int
    drawing: Drawing | None  # None: place it the default way (see evaluate)
    strokes: tuple[tuple[tuple[float, float], ...], ...]
    brush: float | None
    writer: str | None
    line: int


def _label(data: dict) -> int:
    label = data.get("label")
    if not isinstance(label, int) or isinstance(label, bool) or not 0 <= label <= 9:
        raise ValueError(f"'label' must be a digit 0–9, not {label!r}")
    return label


def _xy(value: object) -> tuple[float, float]:
    """[x, y], finite numbers; a canvas's limits are checked by its Drawing."""
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"a point must be [x, y], not {value!r:.60}")
    for name, number in zip("xy", value, strict=True):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise ValueError(f"{name} must be a number, not {number!r:.60}")
        if not abs(number) <= MAX_TABLET_COORDINATE:  # NaN fails this too
            raise ValueError(
                f"{name} must be a finite number within ±{MAX_TABLET_COORDINATE:g}, "
                f"not {number!r:.60}"
            )
    return float(value[0]), float(value[1])


def _strokes(data: dict) -> tuple:
    strokes = data.get("strokes")
    if not isinstance(strokes, list) or not all(isinstance(s, list) for s in strokes):
        raise ValueError("'strokes' must be a list of point lists")
    if sum(map(len, strokes)) > MAX_POINTS:
        raise ValueError(f"a record may have at most {MAX_POINTS:,} points")
    out = [[] for _ in strokes]
    for i, stroke in enumerate(strokes):
        for j, point in enumerate(stroke):
            try:
                out[i].append(_xy(point))
            except ValueError as error:
                raise ValueError(f"stroke {i}, point {j}: {error}") from None
    return tuple(map(tuple, out))


def _brush(data: dict) -> float | None:
    brush = data.get("brush")
    if brush is None:
        return None
    return Stroke((), brush).brush  # a number within the drawing limits


def _writer(data: dict) -> str | None:
    writer = data.get("writer")
    if writer is not None and not isinstance(writer, str):
        raise ValueError(f"'writer' must be a string, not {writer!r:.60}")
    return writer


def parse_record(data: object, where: str, line: int) -> LabelledDrawing:
    """One parsed line → a checked record; DataError names file and line."""
    try:
        if not isinstance(data, dict):
            raise ValueError("a record must be a JSON object")
        label, on_canvas = _label(data), "canvas" in data
        points, brush, writer = _strokes(data), _brush(data), _writer(data)
        drawing = None
        if on_canvas:
            width, height = canvas_size(data["canvas"])
            kept = {} if brush is None else {"brush": brush}
            strokes = tuple(Stroke.from_floats(s, **kept) for s in points)
            drawing = Drawing(width, height, strokes).check_reach()
    except ValueError as error:
        raise DataError(f"{where}:{line}: {error}") from None
    return LabelledDrawing(label, drawing, points, brush, writer, line)


def read_strokes(path: str | os.PathLike) -> Iterator[LabelledDrawing]:
    """Records of a stroke file (.jsonl or .jsonl.gz), checked one by one."""
    return (digit for _, digit, _ in stroke_records(path))


def stroke_records(
    path: str | os.PathLike,
) -> Iterator[tuple[dict, LabelledDrawing, str]]:
    """Each record of a stroke file as (its JSON object, checked, its line)."""
    path = Path(path)
    if not path.is_file():
        what = "a folder, not a stroke file" if path.is_dir() else "no such file"
        raise DataError(f"{path}: {what}")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, text in enumerate(lines, 1):
                if not text.strip():
                    continue
                try:
                    data = parse_json(text, "not JSON")
                except ValueError as error:
                    raise DataError(f"{path}:{number}: {error}") from None
                yield data, parse_record(data, str(path), number), text
    except (OSError, EOFError, UnicodeDecodeError, zlib.error) as error:
        raise DataError(f"{path}: cannot be read ({error})") from None


def fingerprint(digit: LabelledDrawing) -> str:
    """A short name for a digit's ink (its strokes as written, not its label):
    the same drawing read from any copy of its record has the same one. A
    personalised model lists those it learned from, so it is measured
    without them."""
    text = json.dumps(digit.strokes, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def person(writer: str | None) -> str:
    """Who wrote a record: its writer id, with ibm's sessions of one person joined."""
    writer = writer or ""
    match = _IBM_SESSION.match(writer)
    return f"ibm/{match.group(1)}" if match else writer


def writer_fold(writer: str | None, folds: int = FOLDS, by_person: bool = True) -> int:
    """The fold (0 … folds-1) of a record's person, fixed by a hash of its id,
    so every digit of one person falls in one fold (`by_person=False`: of the
    writer id as written, as models trained before folds split them)."""
    name = person(writer) if by_person else writer or ""
    return hashlib.sha256(name.encode()).digest()[0] * folds // 256


def parse_fold(text: str) -> tuple[int, int]:
    """'2/5' → (2, 5): fold 2 of 5 (ValueError when it is not K/N, 0 ≤ K < N)."""
    try:
        fold, folds = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(
            f"a writer fold reads K/N, such as 0/5, not {text!r}"
        ) from None
    if not 2 <= folds <= 256 or not 0 <= fold < folds:
        raise ValueError(f"fold {text!r}: N must be 2–256 and K from 0 to N-1")
    return fold, folds
