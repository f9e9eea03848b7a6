"""The user's own labelled digits, kept in the stroke JSON-lines format.

    digits = MyDigits.open()                 # files.user_data_dir()/my-digits.jsonl
    digits.add(drawing, 7)                   # appended atomically
    digits.relabel([0], 1); digits.delete([3, 4])
    digits.import_file("shared.jsonl")       # another collection, or pen digits
    digits.export("mine.jsonl")

One record a line, as the evaluator reads it (`label`, `strokes` as [x, y]
points, `canvas`, `brush`) plus `time` (UTC, ISO 8601). Every change writes a
whole new file beside the old one and renames it over (`files.atomic_write`):
a crash at any moment leaves the collection as it was before or after the
change, never a half-written line. A pen's pressure is not kept (the format
has none); each record keeps the brush width of its first stroke.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..files import atomic_write, user_data_dir
from ..ink.drawing import Drawing
from ..ink.placement import place
from . import DataError
from .strokes import LabelledDrawing, parse_record, read_strokes

FILE_NAME = "my-digits.jsonl"


def default_path() -> Path:
    return user_data_dir() / FILE_NAME


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def record_of(drawing: Drawing, label: int, time: str | None = None) -> dict:
    """A drawing and its label as one stroke record (a JSON-ready dict)."""
    if isinstance(label, bool) or label not in range(10):
        raise ValueError(f"A label must be a digit 0–9, not {label!r}")
    if drawing.is_empty:
        raise ValueError("An empty drawing cannot be kept as a digit")
    strokes = [[[p.x, p.y] for p in s.points] for s in drawing.strokes if s.points]
    brush = next(s.brush for s in drawing.strokes if s.points)
    return {
        "label": label,
        "strokes": strokes,
        "canvas": [drawing.width, drawing.height],
        "brush": brush,
        "time": time or _now(),
    }


class MyDigits:
    """A collection in memory, mirrored to its file after every change."""

    def __init__(
        self, path: str | os.PathLike, records: Sequence[dict] = (),
        parsed: Sequence[LabelledDrawing] | None = None,
    ):  # fmt: skip
        """`parsed`: the records as `parse_record` read them, when known."""
        self.path = Path(path)
        self._records = [dict(r) for r in records]
        self._parsed = (
            list(parsed) if parsed is not None
            else [_parse(r, self.path, i + 1) for i, r in enumerate(records)]
        )  # fmt: skip
        # Each record's line as last written, by id (records are never changed
        # in place): serialising is most of a save's time, so a save writes
        # anew only the records that are new.
        self._lines: dict[int, str] = {}

    @classmethod
    def open(cls, path: str | os.PathLike | None = None) -> MyDigits:
        """The collection at `path` (default: the user's); an absent file is an
        empty collection; a damaged one raises DataError and is left alone."""
        path = Path(path) if path is not None else default_path()
        if not path.exists():
            return cls(path)
        read = list(read_strokes(path))  # checks every record: DataError
        raw = _raw_lines(path)
        return cls(path, [raw[r.line - 1] for r in read], read)

    def __len__(self) -> int:
        return len(self._records)

    def digits(self) -> list[LabelledDrawing]:
        """Every digit, in the order added."""
        return list(self._parsed)

    def records(self) -> list[dict]:
        return [dict(r) for r in self._records]

    def labels(self) -> list[int]:
        return [d.label for d in self._parsed]

    def add(self, drawing: Drawing, label: int) -> LabelledDrawing:
        """Append a labelled drawing; the file holds it when this returns."""
        record = record_of(drawing, label)
        self._save([*self._records, record])
        return self._parsed[-1]

    def relabel(self, indices: Iterable[int], label: int) -> None:
        if isinstance(label, bool) or label not in range(10):
            raise ValueError(f"A label must be a digit 0–9, not {label!r}")
        records = list(self._records)
        for index in indices:
            records[index] = {**records[index], "label": label}
        self._save(records)

    def delete(self, indices: Iterable[int]) -> None:
        drop = set(indices)
        self._save([r for i, r in enumerate(self._records) if i not in drop])

    def import_file(self, path: str | os.PathLike) -> int:
        """Add every digit of a stroke file (`read_digits`); nothing is added
        if any record is bad (DataError). Returns the count."""
        return self.add_records(read_digits(path))

    def add_records(self, records: Sequence[dict]) -> int:
        """Append records (as `record_of` makes them; each is checked: a bad
        one adds nothing, DataError). Returns the count."""
        self._save([*self._records, *(dict(r) for r in records)])
        return len(records)

    def export(
        self, path: str | os.PathLike, indices: Iterable[int] | None = None
    ) -> None:
        """Write the collection (or the digits at `indices`) to another file,
        atomically: to share it, or to learn from."""
        chosen = range(len(self)) if indices is None else indices
        _write(Path(path), [self._records[i] for i in chosen])

    def _save(self, records: list[dict]) -> None:
        known = {id(r): p for r, p in zip(self._records, self._parsed, strict=True)}
        parsed = [  # records kept as they were are not checked again
            known.get(id(r)) or _parse(r, self.path, i + 1)
            for i, r in enumerate(records)
        ]
        lines = {id(r): self._lines.get(id(r)) or _line(r) for r in records}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _write_text(self.path, "".join(lines[id(r)] for r in records))
        self._records, self._parsed, self._lines = records, parsed, lines


def read_digits(path: str | os.PathLike) -> list[dict]:
    """Every digit of a stroke file (.jsonl or .jsonl.gz) as records to add;
    digits in tablet units are placed on the default canvas as the evaluator
    does, empty ones skipped. A bad record: DataError."""
    added = []
    for record in read_strokes(path):
        drawing = record.drawing or place(record)
        if not drawing.is_empty:
            added.append(record_of(drawing, record.label))
    return added


def held_back(labels: Sequence[int], fraction: float = 0.2) -> list[int]:
    """Indices of digits to keep out of personalising, to measure it honestly:
    the newest `fraction` of each class (at least one digit in all)."""
    held = []
    for digit in range(10):
        places = [i for i, label in enumerate(labels) if label == digit]
        count = round(len(places) * fraction)
        held += places[len(places) - count :] if count else []
    if not held and len(labels) > 1:
        held = [len(labels) - 1]
    return sorted(held)


def _parse(record: dict, path: Path, line: int) -> LabelledDrawing:
    return parse_record(record, str(path), line)


def _raw_lines(path: Path) -> list[dict | None]:
    """Every line of a checked file as JSON (None for blank lines)."""
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) if line.strip() else None for line in text.split("\n")]


def _line(record: dict) -> str:
    return json.dumps(record, separators=(",", ":")) + "\n"


def _write(path: Path, records: list[dict]) -> None:
    _write_text(path, "".join(_line(r) for r in records))


def _write_text(path: Path, text: str) -> None:
    try:
        with atomic_write(path) as tmp:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
    except OSError as error:
        raise DataError(f"{path}: could not be written ({error})") from None
