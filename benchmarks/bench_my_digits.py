"""Keeping a digit in a big collection of my digits: the time each change takes.

    python benchmarks/bench_my_digits.py                 # 8,000 digits
    python benchmarks/bench_my_digits.py --digits 500 --json

Fills a collection in a temporary folder with `--digits` digits (the pen
digits of $MNIST_CANVAS_DATA, repeated as needed, else a generated seven),
then times what the app does on the GUI thread when a digit is kept, relabelled
or deleted (each a whole new file, written and renamed over the old, see
`mnist_canvas.data.my_digits`), opening the collection again, and showing it
in the dock's list (900×300, painted; `thumbnails_drawn`: how many it drew).
Medians of `--repeats` changes, in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from mnist_canvas.data import default_pen_digits
from mnist_canvas.data.my_digits import MyDigits, record_of
from mnist_canvas.data.strokes import read_strokes
from mnist_canvas.ink.drawing import Drawing, Stroke
from mnist_canvas.ink.placement import place

SEVEN = Drawing(280, 280, [Stroke.from_points([(70, 50), (210, 50), (120, 240)])])


def records(count: int) -> list[dict]:
    path = default_pen_digits()
    drawings = []
    if path is not None:
        for record in read_strokes(path):
            drawing = record.drawing or place(record)
            if not drawing.is_empty:
                drawings.append((drawing, record.label))
            if len(drawings) >= count:
                break
    drawings = drawings or [(SEVEN, 7)]
    return [record_of(*drawings[i % len(drawings)]) for i in range(count)]


def timed(change, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        change()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def dock(digits: list, repeats: int) -> dict:
    """The dock's list showing `digits`, painted, on the GUI thread."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from mnist_canvas.app.my_digits_view import MyDigitsView

    app = QApplication.instance() or QApplication([])
    view = MyDigitsView()
    view.resize(900, 300)
    view.show()
    app.processEvents()

    def show():
        view.show_digits(digits)
        view.repaint()
        app.processEvents()

    first = timed(show, 1)
    return {
        "dock_first_show_ms": round(first, 1),
        "dock_show_ms": round(timed(show, repeats), 1),
        "thumbnails_drawn": len(view.model._icons),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--digits", type=int, default=8000)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--json", action="store_true", help="figures as JSON, last line")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "my-digits.jsonl"
        collection = MyDigits(path, records(args.digits))
        # The first change after opening writes every line anew.
        first = timed(lambda: collection.add(SEVEN, 7), 1)
        result = {
            "digits": len(collection),
            "file_mb": round(path.stat().st_size / 1e6, 2),
            "first_change_ms": round(first, 1),
            "keep_ms": round(timed(lambda: collection.add(SEVEN, 7), args.repeats), 1),
            "relabel_ms": round(
                timed(lambda: collection.relabel([0], 3), args.repeats), 1
            ),
            "delete_ms": round(
                timed(lambda: collection.delete([len(collection) - 1]), args.repeats), 1
            ),
            "open_ms": round(timed(lambda: MyDigits.open(path), 1), 1),
        }
        result.update(dock(collection.digits(), args.repeats))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
