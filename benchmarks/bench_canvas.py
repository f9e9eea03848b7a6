"""Canvas painting work per pointer move on a big drawing.

    PYTHONPATH=. python benchmarks/bench_canvas.py     # 10,000 strokes
    PYTHONPATH=. python benchmarks/bench_canvas.py --strokes 1000 --json

Loads a drawing of many short strokes into the real `Canvas` (offscreen, a
560×560 widget), then draws one more stroke point by point through its input
path (begin/extend/end_stroke, as the mouse handlers call them), forcing the
paint after each point, and erases at an empty spot as a right-drag would.
Reports median and worst milliseconds per move, per stroke end and per
erase move. Prediction is not included (the canvas is measured alone).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtWidgets import QApplication

from mnist_canvas.app.canvas import Canvas
from mnist_canvas.ink.drawing import Drawing, Stroke


def big_drawing(strokes: int, seed: int = 0) -> Drawing:
    rng = np.random.default_rng(seed)
    starts = rng.uniform(20, 200, (strokes, 2))
    steps = rng.normal(0, 4, (strokes, 5, 2)).cumsum(axis=1)
    paths = starts[:, None] + steps
    return Drawing(280, 280, tuple(Stroke.from_points(p.tolist(), 3.0) for p in paths))


def timed(app: QApplication, canvas: Canvas, action) -> float:
    start = time.perf_counter()
    action()
    canvas.repaint()  # the paint the move causes, now rather than later
    app.processEvents()
    return (time.perf_counter() - start) * 1000


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=10000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([])
    canvas = Canvas()
    canvas.resize(560, 560)
    canvas.show()
    canvas.set_drawing(big_drawing(args.strokes))
    app.processEvents()
    moves, ends, erases = [], [], []
    for n in range(5):
        moves.append(timed(app, canvas, lambda n=n: canvas.begin_stroke(240, 20 + n)))
        for i in range(1, 40):
            x, y = 240 + 30 * np.sin(i / 6), 20 + n + 4 * i
            moves.append(
                timed(app, canvas, lambda x=x, y=y: canvas.extend_stroke(x, y))
            )
        ends.append(timed(app, canvas, canvas.end_stroke))
    for i in range(20):
        erases.append(timed(app, canvas, lambda i=i: canvas.erase_at(270, 20 + i)))
    figures = {
        "strokes": args.strokes,
        "move_ms_median": statistics.median(moves), "move_ms_max": max(moves),
        "end_ms_median": statistics.median(ends), "end_ms_max": max(ends),
        "erase_ms_median": statistics.median(erases), "erase_ms_max": max(erases),
    }  # fmt: skip
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>16}: {value:.2f}" if isinstance(value, float) else value)


if __name__ == "__main__":
    main(sys.argv[1:])
