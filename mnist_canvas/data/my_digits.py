"""The user's own labelled digits, kept in the stroke JSON-lines format.

    digits = MyDigits.open()                 # files.user_data_dir()/my-digits.jsonl
    seven = digits.add(drawing, 7)           # appended atomically
    digits.withdraw(seven)                   # its undo
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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..files import atomic_write, file_stamp, user_data_dir
from ..ink.drawing import Drawing
from ..ink.placement import place
from . import DataError
from .strokes import LabelledDrawing, parse_record, read_strokes, stroke_records

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


@dataclass(frozen=True)
class Kept:
    """One digit of a collection: its record, the record as read back, and its
    line in the file (made once, so a save serialises only new digits)."""

    record: dict
    digit: LabelledDrawing
    line: str


def kept(record: dict, source: str | os.PathLike, line: int) -> Kept:
    """A record checked (DataError names `source` and `line`) and serialised."""
    digit = _placed(parse_record(record, str(source), line))
    return Kept(record, digit, json.dumps(record, separators=(",", ":")) + "\n")


def _placed(digit: LabelledDrawing) -> LabelledDrawing:
    """A record in tablet units (no canvas: a pen-digit file put in the
    collection's place) drawn on the default canvas, as an import does."""
    return digit if digit.drawing else replace(digit, drawing=place(digit))


class MyDigits:
    """A collection in memory, mirrored to its file after every change.

    Another window or program may change the file meanwhile: digits added are
    then added to the file as it is now (read again first), and a relabel or
    delete, which names digits by their place, is refused (DataError) once the
    collection is read again. What was written elsewhere is kept."""

    def __init__(self, path: str | os.PathLike, records: Sequence[dict] = ()):
        self.path = Path(path)
        self._kept = [kept(dict(r), self.path, i + 1) for i, r in enumerate(records)]
        self._stamp = file_stamp(self.path)  # the file as this collection knows it

    @classmethod
    def open(
        cls,
        path: str | os.PathLike | None = None,
        stopping: Callable[[], bool] | None = None,
    ) -> MyDigits:
        """The collection at `path` (default: the user's); an absent file is an
        empty collection; a damaged one raises DataError and is left alone.
        `stopping()` true while reading: InterruptedError."""
        path = Path(path) if path is not None else default_path()
        if not path.exists():
            return cls(path)
        collection = cls(path)  # stamped before reading: a change meanwhile shows
        for data, digit, line in stroke_records(path):  # checks each: DataError
            if stopping is not None and len(collection) % 256 == 0 and stopping():
                raise InterruptedError(f"{path}: reading was stopped")
            collection._kept.append(
                Kept(data, _placed(digit), line.rstrip("\n") + "\n")
            )
        return collection

    def __len__(self) -> int:
        return len(self._kept)

    def digits(self) -> list[LabelledDrawing]:
        """Every digit, in the order added."""
        return [k.digit for k in self._kept]

    def records(self) -> list[dict]:
        return [dict(k.record) for k in self._kept]

    def labels(self) -> list[int]:
        return [k.digit.label for k in self._kept]

    def add(self, drawing: Drawing, label: int) -> Kept:
        """Append a labelled drawing; the file holds it when this returns."""
        record = record_of(drawing, label)
        self._read_again_if_changed()
        self._save([*self._kept, kept(record, self.path, len(self) + 1)])
        return self._kept[-1]

    def withdraw(self, digit: Kept) -> bool:
        """Take out the newest digit recorded as `digit` was (undoing its add,
        whatever was added, moved or changed elsewhere since). Returns whether
        the collection still held it."""
        self._read_again_if_changed()
        lines = [k.line for k in self._kept]
        if digit.line not in lines:
            return False
        newest = len(lines) - 1 - lines[::-1].index(digit.line)
        self._save(self._kept[:newest] + self._kept[newest + 1 :])
        return True

    def relabel(self, indices: Iterable[int], label: int) -> None:
        if isinstance(label, bool) or label not in range(10):
            raise ValueError(f"A label must be a digit 0–9, not {label!r}")
        self._refuse_if_changed()
        changed = list(self._kept)
        for i in indices:
            changed[i] = kept({**changed[i].record, "label": label}, self.path, i + 1)
        self._save(changed)

    def delete(self, indices: Iterable[int]) -> None:
        self._refuse_if_changed()
        drop = set(indices)
        self._save([k for i, k in enumerate(self._kept) if i not in drop])

    def import_file(self, path: str | os.PathLike) -> int:
        """Add every digit of a stroke file (`read_digits`); nothing is added
        if any record is bad (DataError). Returns the count."""
        return self.add_kept(read_digits(path))

    def add_kept(self, digits: Sequence[Kept]) -> int:
        """Append digits `read_digits` made (on any thread). Returns the count."""
        self._read_again_if_changed()
        self._save([*self._kept, *digits])
        return len(digits)

    def changed_elsewhere(self) -> bool:
        """Whether the file is not what this collection last read or wrote."""
        return file_stamp(self.path) != self._stamp

    def _read_again_if_changed(self) -> None:
        if self.changed_elsewhere():  # a damaged file: DataError, left alone
            again = MyDigits.open(self.path)
            self._kept, self._stamp = again._kept, again._stamp

    def _refuse_if_changed(self) -> None:
        if self.changed_elsewhere():
            self._read_again_if_changed()
            raise DataError(
                f"{self.path} was changed by another window or program since "
                "it was shown. It has been read again: choose the digits again."
            )

    def export(
        self, path: str | os.PathLike, indices: Iterable[int] | None = None
    ) -> None:
        """Write the collection (or the digits at `indices`) to another file,
        atomically: to share it, or to learn from."""
        chosen = range(len(self)) if indices is None else indices
        _write(Path(path), "".join(self._kept[i].line for i in chosen))

    def _save(self, digits: list[Kept]) -> None:
        try:  # the collection's own folder is made; an export's must exist
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:  # a file where the folder should be
            raise DataError(f"{self.path}: could not be written ({error})") from None
        # The stamp of the file as written, taken before it is renamed into
        # place: a change made by another window right after is seen as one.
        self._stamp = _write(self.path, "".join(k.line for k in digits))
        self._kept = digits


def read_digits(
    path: str | os.PathLike, stopping: Callable[[], bool] | None = None
) -> list[Kept]:
    """Every digit of a stroke file (.jsonl or .jsonl.gz), ready to add and
    checked as the collection reads it back: the slow part of an import, done
    without the collection. Digits in tablet units are placed on the default
    canvas as the evaluator does, empty ones skipped. A bad record: DataError;
    `stopping()` true while reading: InterruptedError (nothing read)."""
    added = []
    for count, record in enumerate(read_strokes(path)):
        if stopping is not None and count % 256 == 0 and stopping():
            raise InterruptedError(f"{path}: reading was stopped")
        drawing = record.drawing or place(record)
        if not drawing.is_empty:
            added.append(kept(record_of(drawing, record.label), path, record.line))
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


def _write(path: Path, text: str) -> tuple:
    """Write `path` atomically; the file's stamp (a rename keeps it)."""
    try:
        with atomic_write(path, keep_read_only=True) as tmp:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            return file_stamp(tmp)
    except OSError as error:
        raise DataError(f"{path}: could not be written ({error})") from None
